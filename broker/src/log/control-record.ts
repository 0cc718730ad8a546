import { buildRecordBatch, decodeRecordBatch } from './records.ts';

export type TransactionResult = 'commit' | 'abort';

/** Kafka's ControlRecordType: the key's second int16. */
const ABORT = 0;
const COMMIT = 1;
const CONTROL_FLAG = 0x20;

export function isControlBatch(attributes: number): boolean {
  return (attributes & CONTROL_FLAG) !== 0;
}

/**
 * A transaction marker as Kafka writes it: one record whose key is (version 0, type) and whose
 * value is (version 0, coordinator epoch), in a transactional control batch of the producer.
 */
export function buildControlBatch(options: { producerId: number; producerEpoch: number; result: TransactionResult; coordinatorEpoch: number; timestamp?: number }): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(options.result === 'commit' ? COMMIT : ABORT, 2);
  const value = Buffer.alloc(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(options.coordinatorEpoch, 2);
  return buildRecordBatch({
    records: [{ key, value, timestamp: options.timestamp }],
    producerId: options.producerId,
    producerEpoch: options.producerEpoch,
    isTransactional: true,
    isControl: true,
  });
}

/** The marker a control batch carries, or null for control types other than commit/abort. */
export function readControlBatch(batch: Buffer): { result: TransactionResult; coordinatorEpoch: number } | null {
  const record = decodeRecordBatch(batch).records[0];
  if (!record?.key || record.key.length < 4) return null;
  const type = record.key.readInt16BE(2);
  if (type !== ABORT && type !== COMMIT) return null;
  const coordinatorEpoch = record.value && record.value.length >= 6 ? record.value.readInt32BE(2) : -1;
  return { result: type === COMMIT ? 'commit' : 'abort', coordinatorEpoch };
}
