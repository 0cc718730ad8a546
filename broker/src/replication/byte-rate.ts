/**
 * What a throttled partition may take in one fetch, on either side of the replication throttle:
 * about a second's worth at the rate (never below 1 KB), so that one fetch never holds more than
 * the rate's window can remember.
 */
export function throttledFetchMaxBytes(maxBytes: number, rate: number): number {
  return rate > 0 ? Math.max(1024, Math.min(maxBytes, rate)) : maxBytes;
}

interface Sample {
  startMs: number;
  bytes: number;
}

/**
 * Bytes per second over a sliding window of samples, like the Rate Kafka's replication quota
 * uses. The window starts at the oldest sample still held rather than a full window back, so a
 * burst counts over the time it actually took: one large fetch puts the rate over a quota until
 * enough time has passed to pay for it, instead of averaging it away over seconds that never were.
 */
export class ByteRate {
  private readonly samples: Sample[] = [];

  constructor(
    private readonly sampleCount = 11,
    private readonly sampleMs = 1000,
  ) {}

  record(bytes: number, nowMs: number): void {
    this.expire(nowMs);
    const current = this.samples.at(-1);
    if (current && nowMs - current.startMs < this.sampleMs) current.bytes += bytes;
    else this.samples.push({ startMs: nowMs, bytes });
    if (this.samples.length > this.sampleCount) this.samples.shift();
  }

  /** The rate as if `pendingBytes` more were recorded now. */
  rate(nowMs: number, pendingBytes = 0): number {
    this.expire(nowMs);
    const bytes = this.samples.reduce((sum, sample) => sum + sample.bytes, pendingBytes);
    if (bytes === 0) return 0;
    // At least a millisecond: bytes sent this very moment are a very high rate, not a division by zero.
    const elapsedMs = Math.max(1, nowMs - (this.samples[0]?.startMs ?? nowMs));
    return (bytes * 1000) / elapsedMs;
  }

  private expire(nowMs: number): void {
    const windowMs = this.sampleCount * this.sampleMs;
    while (this.samples.length > 0 && nowMs - this.samples[0]!.startMs >= windowMs) this.samples.shift();
  }
}
