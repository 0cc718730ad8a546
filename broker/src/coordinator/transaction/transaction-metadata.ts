/** Kafka's TransactionState names, as DescribeTransactions and ListTransactions report them. */
export type TransactionState = 'Empty' | 'Ongoing' | 'PrepareCommit' | 'PrepareAbort' | 'CompleteCommit' | 'CompleteAbort' | 'Dead' | 'PrepareEpochFence';

/** The status byte Kafka stores for each state in __transaction_state. */
export const STATE_CODES: Record<TransactionState, number> = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
  Dead: 6,
  PrepareEpochFence: 7,
};

export const ALL_STATES = Object.keys(STATE_CODES) as TransactionState[];

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** One transactional id's state, exactly what a __transaction_state record holds. */
export interface TransactionMetadata {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  timeoutMs: number;
  state: TransactionState;
  partitions: TopicPartition[];
  lastUpdateTimestamp: number;
  /** When the current transaction began (first AddPartitions/AddOffsets), -1 when none is open. */
  startTimestamp: number;
}

export function isPreparing(state: TransactionState): boolean {
  return state === 'PrepareCommit' || state === 'PrepareAbort';
}

export function samePartition(a: TopicPartition, b: TopicPartition): boolean {
  return a.topic === b.topic && a.partition === b.partition;
}
