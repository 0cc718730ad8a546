// What the broker benchmark asks of every system it measures, ours and the peers alike.
import type { LatencyReport } from '../support/latency.ts';

/** A file of `count` records of `size` bytes, one per line, and the same shape for generated loads. */
export interface RecordSet {
  path: string;
  count: number;
  size: number;
}

export interface Throughput {
  messages: number;
  bytes: number;
  seconds: number;
  clientCpuSeconds: number;
}

export interface Produced extends Throughput {
  /** Topic or stream that now holds the records, for the consume phase. */
  target: string;
}

export interface LatencySpec {
  count: number;
  size: number;
  rate: number;
  warmup: number;
}

export interface MeasuredSystem {
  name: string;
  /** The server process, whose CPU time is sampled around every phase. */
  serverPid: number;
  /** Acknowledgement modes this system distinguishes; peers on one node have a single one. */
  acks: ReadonlyArray<'1' | 'all'>;
  produce(records: RecordSet, acks: '1' | 'all', run: string): Promise<Produced>;
  consume(target: string, records: RecordSet, run: string): Promise<Throughput>;
  latency(spec: LatencySpec): Promise<LatencyReport>;
  stop(): Promise<void>;
}

export interface SystemContext {
  workDir: string;
  repoRoot: string;
  timeoutMs: number;
}
