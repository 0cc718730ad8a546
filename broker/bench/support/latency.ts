// End-to-end latency shared by the Node clients: the publisher stamps each record with the
// system-wide monotonic clock (CLOCK_MONOTONIC, the same clock Python's time.monotonic_ns reads),
// the subscriber, another process, subtracts it on receipt.
import { setTimeout as sleep } from 'node:timers/promises';
import { payload } from './payloads.ts';

const stampDigits = 20;

export function stampedPayload(size: number): Buffer {
  const record = payload(size);
  record.write(process.hrtime.bigint().toString().padStart(stampDigits, '0'), 0, 'latin1');
  return record;
}

export function latencyMicros(record: Uint8Array): number {
  const sent = BigInt(Buffer.from(record.buffer, record.byteOffset, stampDigits).toString('latin1'));
  return Number(process.hrtime.bigint() - sent) / 1000;
}

/** Calls send() `count` times at `rate` per second; send() must not wait for an acknowledgement. */
export async function paced(count: number, rate: number, send: (index: number) => void): Promise<void> {
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    send(i);
  }
}

export interface LatencyReport {
  count: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
}

/** Percentiles after dropping the warm-up records (connections, JIT, first segment). */
export function latencyReport(samples: number[], warmup: number): LatencyReport {
  const kept = samples.slice(warmup).sort((a, b) => a - b);
  const at = (q: number) => kept[Math.min(kept.length - 1, Math.floor(q * kept.length))] ?? Number.NaN;
  return { count: kept.length, p50Us: at(0.5), p99Us: at(0.99), maxUs: kept.at(-1) ?? Number.NaN };
}
