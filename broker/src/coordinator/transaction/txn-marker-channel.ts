import type { TransactionResult } from '../../log/control-record.ts';
import type { TopicPartition } from './transaction-metadata.ts';

export interface MarkerWriteResult extends TopicPartition {
  errorCode: number;
}

/**
 * How the transaction coordinator gets commit/abort markers onto partitions. Locally led
 * partitions are written in-process; a cluster adds a sender of WriteTxnMarkers requests to
 * the leaders of the others.
 */
export interface TxnMarkerChannel {
  writeMarkers(partitions: TopicPartition[], producerId: number, producerEpoch: number, result: TransactionResult, coordinatorEpoch: number): Promise<MarkerWriteResult[]>;
}
