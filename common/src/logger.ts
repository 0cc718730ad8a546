import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * One structured logger per service. JSON lines by default so that log shippers can read them;
 * pretty output is left to `pino-pretty` in a pipe because a TTY check would make the same
 * service log two formats depending on how it was started.
 */
export function createLogger(name: string, options: LoggerOptions = {}): Logger {
  return pino({
    name,
    level: process.env.TRIBUTARY_LOG_LEVEL ?? options.level ?? 'info',
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['password', '*.password', 'sasl.password', '*.secret'], censor: '[redacted]' },
    ...options,
  });
}
