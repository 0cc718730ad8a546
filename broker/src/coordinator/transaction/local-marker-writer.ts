import { buildControlBatch, type TransactionResult } from '../../log/control-record.ts';
import type { MetadataStore } from '../../metadata/types.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { awaitReplication } from '../../replication/await-replication.ts';
import { partitionKey, type ReplicaManager } from '../../replication/replica-manager.ts';
import { CONSUMER_OFFSETS_TOPIC } from '../../server/consumer-offsets-store.ts';
import type { Purgatory } from '../../server/purgatory.ts';
import type { GroupCoordinator } from '../../group/group-coordinator.ts';
import type { TopicPartition } from './transaction-metadata.ts';
import type { MarkerWriteResult, TxnMarkerChannel } from './txn-marker-channel.ts';

/**
 * Writes markers to partitions this broker leads (Kafka's WriteTxnMarkers on the leader): one
 * control batch per partition, acknowledged once replicated (acks=all); a marker on
 * __consumer_offsets also settles the transaction's pending offsets in the group coordinator.
 * Both the coordinator's local channel and the WriteTxnMarkers handler use it.
 */
export class LocalMarkerWriter implements TxnMarkerChannel {
  constructor(
    private readonly replicaManager: ReplicaManager,
    private readonly metadata: MetadataStore,
    private readonly producePurgatory: Purgatory,
    private readonly groupCoordinator: GroupCoordinator,
    private readonly timeoutMs = 30_000,
  ) {}

  async writeMarkers(partitions: TopicPartition[], producerId: number, producerEpoch: number, result: TransactionResult, coordinatorEpoch: number): Promise<MarkerWriteResult[]> {
    const appends = partitions.map(({ topic, partition }) => ({
      topic,
      partition,
      records: buildControlBatch({ producerId, producerEpoch, result, coordinatorEpoch }),
    }));
    const outcomes = this.replicaManager.appendRecords(appends, -1, (name) => this.metadata.topic(name), 'coordinator');
    const targets = appends
      .map(({ topic, partition }, i) => ({ topic, partition, lastOffset: outcomes[i]!.lastOffset, ok: outcomes[i]!.errorCode === 0 }))
      .filter((target) => target.ok);
    const failures = await awaitReplication(this.replicaManager, this.metadata, this.producePurgatory, targets, this.timeoutMs);
    return partitions.map(({ topic, partition }, i) => {
      let errorCode = outcomes[i]!.errorCode;
      if (errorCode === 0) errorCode = failures.get(partitionKey(topic, partition)) ?? ErrorCode.NONE;
      if (errorCode === 0 && topic === CONSUMER_OFFSETS_TOPIC) this.groupCoordinator.completeTransaction(partition, producerId, result);
      return { topic, partition, errorCode };
    });
  }
}
