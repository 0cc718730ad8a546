import { buildRecordBatch, decodeRecordBatch } from '../log/records.ts';
import { iterateBatches } from '../log/record-batch.ts';
import { KafkaError, type ErrorCodeName, ErrorCode } from '../protocol/errors.ts';
import type { GroupStore } from '../group/group-store.ts';
import type { ReplicaManager } from '../replication/replica-manager.ts';
import type { MetadataStore } from '../metadata/types.ts';

export const CONSUMER_OFFSETS_TOPIC = '__consumer_offsets';

const READ_CHUNK_BYTES = 1 << 20;

function errorName(code: number): ErrorCodeName {
  const entry = Object.entries(ErrorCode).find(([, value]) => value === code);
  return (entry?.[0] ?? 'UNKNOWN_SERVER_ERROR') as ErrorCodeName;
}

/**
 * The group coordinator's storage on the internal topic __consumer_offsets: appends go through
 * the replica manager with acks=all like any produce (so they replicate once the cluster work
 * lands), and loading replays a partition from its log start.
 */
export class ConsumerOffsetsStore implements GroupStore {
  constructor(
    private readonly replicaManager: ReplicaManager,
    private readonly metadata: MetadataStore,
  ) {}

  async append(partition: number, records: { key: Buffer; value: Buffer | null }[]): Promise<void> {
    if (records.length === 0) return;
    const now = Date.now();
    const batch = buildRecordBatch({
      baseOffset: 0,
      records: records.map((record) => ({ key: record.key, value: record.value, headers: [], timestamp: now })),
    });
    const [outcome] = this.replicaManager.appendRecords(
      [{ topic: CONSUMER_OFFSETS_TOPIC, partition, records: batch }],
      -1,
      (name) => this.metadata.topic(name),
    );
    if (outcome!.errorCode !== 0) {
      throw new KafkaError(errorName(outcome!.errorCode), `writing to ${CONSUMER_OFFSETS_TOPIC}-${partition} failed: ${outcome!.message}`);
    }
  }

  async *load(partition: number): AsyncIterable<{ key: Buffer; value: Buffer | null }> {
    const replica = this.replicaManager.partition(CONSUMER_OFFSETS_TOPIC, partition);
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
          for (const record of decodeRecordBatch(batch).records) {
            if (record.key) yield { key: record.key, value: record.value };
          }
          const next = batch.readBigInt64BE(0) + BigInt(batch.readInt32BE(23)) + 1n;
          if (Number(next) > offset) {
            offset = Number(next);
            advanced = true;
          }
        }
      }
      if (!advanced) break;
    }
  }
}
