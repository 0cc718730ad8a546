import type { Purgatory } from '../server/purgatory.ts';
import { partitionKey, type ReplicaManager } from './replica-manager.ts';

export interface ReplicationTarget {
  topic: string;
  partition: number;
  /** The last offset appended; done once the high watermark is past it. */
  lastOffset: number;
}

/**
 * acks=all: resolves once every target's high watermark is past its last offset, or at the
 * timeout with the keys (topic-partition) of those still short, through the produce purgatory.
 */
export function awaitReplication(replicaManager: ReplicaManager, purgatory: Purgatory, targets: ReplicationTarget[], timeoutMs: number): Promise<Set<string>> {
  const pending = () =>
    targets.filter(({ topic, partition, lastOffset }) => {
      const replica = replicaManager.partition(topic, partition);
      return replica !== undefined && replica.highWatermark <= lastOffset;
    });
  if (pending().length === 0) return Promise.resolve(new Set());
  return new Promise((resolve) => {
    purgatory.tryCompleteElseWatch(
      {
        tryComplete: () => {
          if (pending().length > 0) return false;
          resolve(new Set());
          return true;
        },
        onExpiration: () => resolve(new Set(pending().map((t) => partitionKey(t.topic, t.partition)))),
      },
      targets.map((t) => partitionKey(t.topic, t.partition)),
      timeoutMs,
    );
  });
}
