import { ErrorCode } from '../protocol/errors.ts';
import type { MetadataStore } from '../metadata/types.ts';
import type { Purgatory } from '../server/purgatory.ts';
import { partitionKey, type ReplicaManager } from './replica-manager.ts';

export interface ReplicationTarget {
  topic: string;
  partition: number;
  /** The last offset appended; done once the high watermark is past it. */
  lastOffset: number;
}

/**
 * acks=all, through the produce purgatory: resolves once every target is settled, with the error
 * of each that failed (key topic-partition): the ISR has the records (HW past them: no entry),
 * leadership moved first (NOT_LEADER_OR_FOLLOWER), the ISR fell below min.insync.replicas
 * (NOT_ENOUGH_REPLICAS_AFTER_APPEND), or the timeout passed (REQUEST_TIMED_OUT).
 */
export function awaitReplication(replicaManager: ReplicaManager, metadata: MetadataStore, purgatory: Purgatory, targets: ReplicationTarget[], timeoutMs: number): Promise<Map<string, number>> {
  const failures = new Map<string, number>();
  const settled = new Set<ReplicationTarget>();
  const pending = () =>
    targets.filter((target) => {
      if (settled.has(target)) return false;
      const topic = metadata.topic(target.topic);
      const status = replicaManager.produceAckStatus(target.topic, target.partition, target.lastOffset, topic ? replicaManager.minInsyncReplicas(topic) : 1);
      if (status === null) return true;
      settled.add(target);
      if (status !== ErrorCode.NONE) failures.set(partitionKey(target.topic, target.partition), status);
      return false;
    });
  if (pending().length === 0) return Promise.resolve(failures);
  return new Promise((resolve) => {
    purgatory.tryCompleteElseWatch(
      {
        tryComplete: () => {
          if (pending().length > 0) return false;
          resolve(failures);
          return true;
        },
        onExpiration: () => {
          for (const target of pending()) failures.set(partitionKey(target.topic, target.partition), ErrorCode.REQUEST_TIMED_OUT);
          resolve(failures);
        },
      },
      targets.map((t) => partitionKey(t.topic, t.partition)),
      timeoutMs,
    );
  });
}
