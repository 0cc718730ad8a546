import { ErrorCode } from '../../protocol/errors.ts';

/**
 * PRODUCER_FENCED exists since Kafka 2.7 (KIP-588); clients on request versions older than the
 * ones that introduced it only know INVALID_PRODUCER_EPOCH, which Kafka answers them instead.
 * The first versions that may see it (from Kafka's message definitions): InitProducerId 4,
 * AddPartitionsToTxn 2, AddOffsetsToTxn 2, EndTxn 2; TxnOffsetCommit never lists it.
 */
export function compatibleError(errorCode: number, apiVersion: number, firstFencedVersion = 4): number {
  if (errorCode === ErrorCode.PRODUCER_FENCED && apiVersion < firstFencedVersion) return ErrorCode.INVALID_PRODUCER_EPOCH;
  return errorCode;
}
