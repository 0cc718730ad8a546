import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { CLUSTER_NAME } from '../../security/authorizer/acl-binding.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';

interface WriteTxnMarkersRequest {
  markers: Array<{
    producerId: bigint;
    producerEpoch: number;
    transactionResult: boolean;
    topics: Array<{ name: string; partitionIndexes: number[] }>;
    coordinatorEpoch: number;
  }>;
}

/**
 * Transaction coordinators (ours on other brokers, or `tributary transactions abort`) ask the
 * leader of each partition to write commit/abort markers.
 */
export function writeTxnMarkersHandler(services: BrokerServices): ApiHandler {
  const { markerWriter, metadata } = services;
  return {
    apiKey: ApiKey.WriteTxnMarkers,
    minVersion: 0,
    maxVersion: 1,
    async handle(request: WriteTxnMarkersRequest, context) {
      // Coordinators on other brokers and admins (`tributary transactions abort`) need CLUSTER_ACTION, as in Kafka.
      const allowed = services.security.authorizer.authorize(context.connection.session, 'CLUSTER_ACTION', 'CLUSTER', CLUSTER_NAME);
      const markers = [];
      for (const marker of request.markers) {
        const partitions = marker.topics.flatMap((topic) => topic.partitionIndexes.map((partition) => ({ topic: topic.name, partition })));
        const known = allowed ? partitions.filter(({ topic }) => metadata.topic(topic) !== undefined) : [];
        const written = await markerWriter.writeMarkers(known, Number(marker.producerId), marker.producerEpoch, marker.transactionResult ? 'commit' : 'abort', marker.coordinatorEpoch);
        const codeOf = (topic: string, partition: number) =>
          written.find((r) => r.topic === topic && r.partition === partition)?.errorCode ?? (allowed ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
        markers.push({
          producerId: marker.producerId,
          topics: marker.topics.map((topic) => ({
            name: topic.name,
            partitions: topic.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode: codeOf(topic.name, partitionIndex) })),
          })),
        });
      }
      return { markers };
    },
  };
}
