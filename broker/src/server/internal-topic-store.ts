import { buildRecordBatch, decodeRecordBatch } from '../log/records.ts';
import { iterateBatches, readBatchHeader } from '../log/record-batch.ts';
import { isControlBatch, readControlBatch, type TransactionResult } from '../log/control-record.ts';
import { KafkaError, type ErrorCodeName, ErrorCode } from '../protocol/errors.ts';
import type { ReplicaManager } from '../replication/replica-manager.ts';
import type { MetadataStore } from '../metadata/types.ts';

const READ_CHUNK_BYTES = 1 << 20;

function errorName(code: number): ErrorCodeName {
  const entry = Object.entries(ErrorCode).find(([, value]) => value === code);
  return (entry?.[0] ?? 'UNKNOWN_SERVER_ERROR') as ErrorCodeName;
}

/** A record replayed from an internal topic; transactional ones name their producer, markers their outcome. */
export interface StoredRecord {
  key: Buffer;
  value: Buffer | null;
  /** Set on records written inside a transaction (TxnOffsetCommit) and on markers. */
  producerId?: number;
  /** Set on a transaction marker: the records of producerId before it are committed or aborted. */
  marker?: TransactionResult;
}

/** The producer a transactional write belongs to. */
export interface TransactionalWriter {
  producerId: number;
  producerEpoch: number;
}

/**
 * A coordinator's storage on an internal topic (__consumer_offsets, __transaction_state): appends
 * go through the replica manager with acks=all like any produce (so they replicate once the cluster
 * work lands), and loading replays a partition from its log start.
 */
export class InternalTopicStore {
  constructor(
    private readonly replicaManager: ReplicaManager,
    private readonly metadata: MetadataStore,
    readonly topic: string,
  ) {}

  async append(partition: number, records: { key: Buffer; value: Buffer | null }[], writer?: TransactionalWriter): Promise<void> {
    if (records.length === 0) return;
    const now = Date.now();
    const batch = buildRecordBatch({
      baseOffset: 0,
      records: records.map((record) => ({ key: record.key, value: record.value, headers: [], timestamp: now })),
      ...(writer ? { producerId: writer.producerId, producerEpoch: writer.producerEpoch, isTransactional: true } : {}),
    });
    const [outcome] = this.replicaManager.appendRecords(
      [{ topic: this.topic, partition, records: batch }],
      -1,
      (name) => this.metadata.topic(name),
      'coordinator',
    );
    if (outcome!.errorCode !== 0) {
      throw new KafkaError(errorName(outcome!.errorCode), `writing to ${this.topic}-${partition} failed: ${outcome!.message}`);
    }
  }

  async *load(partition: number): AsyncIterable<StoredRecord> {
    const replica = this.replicaManager.partition(this.topic, partition);
    if (!replica) return;
    const log = replica.log;
    let offset = log.logStartOffset;
    const end = log.logEndOffset;
    while (offset < end) {
      const { records } = log.read(offset, READ_CHUNK_BYTES, end, true);
      if (records.length === 0) break;
      let advanced = false;
      for (const chunk of records) {
        for (const batch of iterateBatches(chunk)) {
          const header = readBatchHeader(batch);
          const transactional = (header.attributes & 0x10) !== 0;
          if (isControlBatch(header.attributes)) {
            const marker = readControlBatch(batch);
            if (marker) yield { key: Buffer.alloc(0), value: null, producerId: header.producerId, marker: marker.result };
          } else {
            for (const record of decodeRecordBatch(batch).records) {
              if (record.key) yield { key: record.key, value: record.value, ...(transactional ? { producerId: header.producerId } : {}) };
            }
          }
          const next = header.baseOffset + header.lastOffsetDelta + 1;
          if (next > offset) {
            offset = next;
            advanced = true;
          }
        }
      }
      if (!advanced) break;
    }
  }
}
