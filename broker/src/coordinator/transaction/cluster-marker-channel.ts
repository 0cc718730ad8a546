import type { TransactionResult } from '../../log/control-record.ts';
import type { MetadataStore } from '../../metadata/types.ts';
import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { BrokerClient } from '../../replication/broker-client.ts';
import { endpointFor } from '../../security/listeners/listeners.ts';
import type { TopicPartition } from './transaction-metadata.ts';
import type { MarkerWriteResult, TxnMarkerChannel } from './txn-marker-channel.ts';

const WRITE_TXN_MARKERS_VERSION = 1;

/**
 * Markers in a cluster: partitions this broker leads are written in-process, the others go to
 * their leaders as WriteTxnMarkers requests (Kafka's TransactionMarkerChannelManager). A partition
 * without a reachable leader answers NOT_LEADER_OR_FOLLOWER, which the coordinator retries.
 */
export class ClusterMarkerChannel implements TxnMarkerChannel {
  private readonly clients = new Map<number, BrokerClient>();

  constructor(
    private readonly local: TxnMarkerChannel,
    private readonly metadata: MetadataStore,
    private readonly brokerId: number,
    private readonly interBrokerListener: string,
  ) {}

  async writeMarkers(partitions: TopicPartition[], producerId: number, producerEpoch: number, result: TransactionResult, coordinatorEpoch: number): Promise<MarkerWriteResult[]> {
    const byLeader = new Map<number, TopicPartition[]>();
    for (const tp of partitions) {
      const leader = this.metadata.topic(tp.topic)?.partitions[tp.partition]?.leader ?? -1;
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), tp]);
    }
    const results = await Promise.all(
      [...byLeader].map(([leader, list]) => {
        if (leader === this.brokerId) return this.local.writeMarkers(list, producerId, producerEpoch, result, coordinatorEpoch);
        return this.sendTo(leader, list, producerId, producerEpoch, result, coordinatorEpoch);
      }),
    );
    return results.flat();
  }

  private async sendTo(leader: number, partitions: TopicPartition[], producerId: number, producerEpoch: number, result: TransactionResult, coordinatorEpoch: number): Promise<MarkerWriteResult[]> {
    const failed = (errorCode: number) => partitions.map((tp) => ({ ...tp, errorCode }));
    const broker = this.metadata.brokers().find((candidate) => candidate.brokerId === leader);
    if (!broker) return failed(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    const endpoint = endpointFor(broker, this.interBrokerListener);
    let client = this.clients.get(leader);
    if (!client || client.host !== endpoint.host || client.port !== endpoint.port) {
      client?.close();
      client = new BrokerClient(endpoint.host, endpoint.port, `broker-${this.brokerId}-txn-markers`, 30_000);
      this.clients.set(leader, client);
    }
    const topics = new Map<string, number[]>();
    for (const { topic, partition } of partitions) topics.set(topic, [...(topics.get(topic) ?? []), partition]);
    try {
      const response = await client.send(ApiKey.WriteTxnMarkers, WRITE_TXN_MARKERS_VERSION, {
        markers: [{ producerId: BigInt(producerId), producerEpoch, transactionResult: result === 'commit', topics: [...topics].map(([name, partitionIndexes]) => ({ name, partitionIndexes })), coordinatorEpoch }],
      });
      const answered = response.markers[0]?.topics ?? [];
      return partitions.map((tp) => ({
        ...tp,
        errorCode:
          answered.find((t: { name: string }) => t.name === tp.topic)?.partitions.find((p: { partitionIndex: number }) => p.partitionIndex === tp.partition)?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      }));
    } catch {
      return failed(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    }
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
