// Runs a latency subscriber and, once it says it is ready, the paced publisher; the subscriber's
// last line is the report.
import { lastJsonLine, runClientOk } from './processes.ts';
import type { LatencyReport } from './latency.ts';

export async function latencyPair(sub: [string, string[]], pub: [string, string[]], timeoutMs: number): Promise<LatencyReport> {
  let ready: () => void = () => undefined;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  const subscriber = runClientOk(sub[0], sub[1], { timeoutMs, onLine: (line) => line.includes('"ready"') && ready() });
  await Promise.race([isReady, subscriber]);
  await runClientOk(pub[0], pub[1], { timeoutMs });
  return lastJsonLine<LatencyReport>(await subscriber);
}
