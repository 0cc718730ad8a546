import { parseArgs } from 'node:util';
import { UsageError } from '../command.ts';

/** A whole-number flag within [min, max], or a usage error that shows what was wrong. */
export function integerFlag(name: string, value: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const number = /^-?\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new UsageError(`--${name} must be a whole number${max === Number.MAX_SAFE_INTEGER ? ` of at least ${min}` : ` from ${min} to ${max}`}, got '${value}'`);
  }
  return number;
}

/** key=value pairs of a repeatable flag (--config, --header), in the order given. */
export function keyValueFlags(name: string, entries: string[] | undefined): Array<{ name: string; value: string }> {
  return (entries ?? []).map((entry) => {
    const at = entry.indexOf('=');
    if (at <= 0) throw new UsageError(`--${name} takes key=value, got '${entry}'`);
    return { name: entry.slice(0, at), value: entry.slice(at + 1) };
  });
}

export function requireTopic(value: string | undefined): string {
  if (value === undefined || value === '') throw new UsageError('--topic is required');
  return value;
}

export function outputFlag(value: string | undefined, allowed: readonly string[]): string {
  const output = value ?? allowed[0]!;
  if (!allowed.includes(output)) throw new UsageError(`--output must be ${allowed.join(' or ')}, got '${output}'`);
  return output;
}

/** parseArgs options for flags that all take a string value. */
export function stringOptions(names: string[]): Record<string, { type: 'string' }> {
  return Object.fromEntries(names.map((name) => [name, { type: 'string' as const }]));
}

/** The config settings named by the flags that were given: flag name -> setting key. */
export function settingsFromFlags(values: Record<string, unknown>, flagToSetting: Record<string, string>): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const [flag, setting] of Object.entries(flagToSetting)) {
    if (values[flag] !== undefined) settings[setting] = values[flag];
  }
  return settings;
}

/** The flags of a start command: --config FILE and string flags named after settings. */
export function parseConfigFlags(args: string[], flagNames: string[]): Record<string, string | undefined> {
  return parseArgs({ args, options: { config: { type: 'string' }, ...stringOptions(flagNames) }, strict: true }).values as Record<string, string | undefined>;
}
