import { KafkaError } from '../protocol/errors.ts';
import type { PartitionState } from './types.ts';

/** One partition's move: its new replica list, or null to cancel a move in progress. */
export interface PartitionMove {
  topic: string;
  partition: number;
  replicas: number[] | null;
}

/**
 * Kafka's checks on a reassignment request for one partition; throws the error the client sees.
 * `partition` is the partition's current state, undefined when it does not exist.
 */
export function checkReassignment(partition: PartitionState | undefined, move: PartitionMove, live: Set<number>): void {
  if (!partition) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `${move.topic}-${move.partition} does not exist`);
  if (move.replicas === null) {
    if ((partition.addingReplicas?.length ?? 0) === 0 && (partition.removingReplicas?.length ?? 0) === 0) {
      throw new KafkaError('NO_REASSIGNMENT_IN_PROGRESS', `no reassignment of ${move.topic}-${move.partition} is in progress; nothing to cancel`);
    }
    return;
  }
  if (move.replicas.length === 0 || new Set(move.replicas).size !== move.replicas.length) {
    throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', `replicas of ${move.topic}-${move.partition} must be distinct and non-empty, got [${move.replicas.join(', ')}]`);
  }
  const unknown = move.replicas.filter((id) => !live.has(id));
  if (unknown.length > 0) throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', `brokers ${unknown.join(', ')} are not alive; start them or pick others`);
}
