import type { Counter } from 'prom-client';
import { groupLags, totalLag } from './groups.ts';
import { RingBuffer } from './ring-buffer.ts';
import type { ConsoleSources } from './types.ts';

export interface ThroughputSample {
  /** Epoch ms of the sample. */
  t: number;
  bytesInPerSec: number;
  bytesOutPerSec: number;
  messagesInPerSec: number;
}

export interface LagSample {
  t: number;
  /** Total lag per group (sum over its partitions). */
  lags: Record<string, number>;
}

interface Totals {
  t: number;
  bytesIn: number;
  bytesOut: number;
  messagesIn: number;
  perTopic: Map<string, { bytesIn: number; bytesOut: number; messagesIn: number }>;
}

export interface TopicRate {
  topic: string;
  bytesInPerSec: number;
  bytesOutPerSec: number;
  messagesInPerSec: number;
}

async function perTopic(counter: Counter<'topic'>): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const { labels, value } of (await counter.get()).values) {
    const topic = String(labels.topic ?? '');
    out.set(topic, (out.get(topic) ?? 0) + value);
  }
  return out;
}

const sum = (values: Map<string, number>) => [...values.values()].reduce((a, b) => a + b, 0);
const rate = (now: number, before: number, seconds: number) => Math.max(0, (now - before) / seconds);

/**
 * Samples the broker's byte and message counters once a second and keeps the per-second rates of
 * the last few minutes in memory, with each group's total lag alongside.
 */
export class ConsoleSampler {
  readonly throughput: RingBuffer<ThroughputSample>;
  readonly lag: RingBuffer<LagSample>;
  private previous: Totals | null = null;
  private latestTopicRates: TopicRate[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly sources: ConsoleSources, readonly intervalMs: number, historySize: number) {
    this.throughput = new RingBuffer(historySize);
    this.lag = new RingBuffer(historySize);
  }

  start(): void {
    if (this.timer) return;
    void this.sample();
    this.timer = setInterval(() => {
      // A slow sample is skipped rather than stacked.
      if (!this.running) void this.sample();
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  topicRates(): TopicRate[] {
    return this.latestTopicRates;
  }

  sample(): Promise<void> {
    this.running = this.takeSample().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async readTotals(): Promise<Totals> {
    const { metrics } = this.sources;
    const [bytesIn, bytesOut, messagesIn] = await Promise.all([perTopic(metrics.bytesIn), perTopic(metrics.bytesOut), perTopic(metrics.messagesIn)]);
    const topics = new Map<string, { bytesIn: number; bytesOut: number; messagesIn: number }>();
    for (const topic of new Set([...bytesIn.keys(), ...bytesOut.keys(), ...messagesIn.keys()])) {
      topics.set(topic, { bytesIn: bytesIn.get(topic) ?? 0, bytesOut: bytesOut.get(topic) ?? 0, messagesIn: messagesIn.get(topic) ?? 0 });
    }
    return { t: Date.now(), bytesIn: sum(bytesIn), bytesOut: sum(bytesOut), messagesIn: sum(messagesIn), perTopic: topics };
  }

  private async takeSample(): Promise<void> {
    const totals = await this.readTotals();
    const previous = this.previous;
    this.previous = totals;
    if (previous) {
      const seconds = Math.max(0.001, (totals.t - previous.t) / 1000);
      this.throughput.push({
        t: totals.t,
        bytesInPerSec: rate(totals.bytesIn, previous.bytesIn, seconds),
        bytesOutPerSec: rate(totals.bytesOut, previous.bytesOut, seconds),
        messagesInPerSec: rate(totals.messagesIn, previous.messagesIn, seconds),
      });
      this.latestTopicRates = [...totals.perTopic]
        .map(([topic, now]) => {
          const before = previous.perTopic.get(topic) ?? { bytesIn: 0, bytesOut: 0, messagesIn: 0 };
          return {
            topic,
            bytesInPerSec: rate(now.bytesIn, before.bytesIn, seconds),
            bytesOutPerSec: rate(now.bytesOut, before.bytesOut, seconds),
            messagesInPerSec: rate(now.messagesIn, before.messagesIn, seconds),
          };
        })
        .sort((a, b) => a.topic.localeCompare(b.topic));
    }
    const lags: Record<string, number> = {};
    for (const groupId of this.sources.groupCoordinator.groupIds()) {
      const partitions = groupLags(this.sources, groupId);
      if (partitions.length > 0) lags[groupId] = totalLag(partitions);
    }
    this.lag.push({ t: totals.t, lags });
  }
}
