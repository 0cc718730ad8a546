/**
 * A rate over the last `samples` windows of `windowMs`, as Kafka's SampledStat/Rate: old
 * windows drop out whole, so a burst is forgotten once it is older than the measured span.
 */
export class SampledRate {
  private readonly windows: Array<{ startMs: number; value: number }> = [];

  constructor(private readonly samples: number, private readonly windowMs: number) {}

  /** Adds value at nowMs and returns how long (ms) the client must wait for the rate to fall to `limit` per second. */
  record(value: number, nowMs: number, limit: number): number {
    const current = this.windows.at(-1);
    if (!current || nowMs - current.startMs >= this.windowMs) this.windows.push({ startMs: nowMs, value });
    else current.value += value;
    while (this.windows.length > this.samples || nowMs - this.windows[0]!.startMs >= this.samples * this.windowMs) this.windows.shift();
    const total = this.windows.reduce((sum, window) => sum + window.value, 0);
    const elapsedMs = Math.max(nowMs - this.windows[0]!.startMs, this.windowMs);
    // Waiting this long brings total / (elapsed + wait) down to the limit.
    const waitMs = (total / limit) * 1000 - elapsedMs;
    return Math.min(Math.max(0, Math.round(waitMs)), this.samples * this.windowMs);
  }

  /** The idle time after which the rate holds nothing. */
  expired(nowMs: number): boolean {
    const last = this.windows.at(-1);
    return !last || nowMs - last.startMs >= this.samples * this.windowMs;
  }
}
