import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';

const LATEST = -1n;
const EARLIEST = -2n;
const MAX_TIMESTAMP = -3n;
const READ_COMMITTED = 1;

interface ListOffsetsRequest {
  replicaId: number;
  isolationLevel: number;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; currentLeaderEpoch: number; timestamp: bigint; maxNumOffsets: number }> }>;
}

export function listOffsetsHandler(services: BrokerServices): ApiHandler {
  const { replicaManager, metadata } = services;
  return {
    apiKey: ApiKey.ListOffsets,
    minVersion: 0,
    maxVersion: 9,
    handle(request: ListOffsetsRequest, context) {
      const version = context.apiVersion;
      return {
        throttleTimeMs: 0,
        topics: request.topics.map((topic) => ({
          name: topic.name,
          partitions: topic.partitions.map((item) => {
            try {
              services.security.authorizer.require(context.connection.session, 'DESCRIBE', 'TOPIC', topic.name);
              const partition = replicaManager.leaderPartition(topic.name, item.partitionIndex, metadata.topic(topic.name) !== undefined, item.currentLeaderEpoch);
              const log = partition.log;
              // Consumers may only learn offsets they could fetch: the high watermark bounds "latest",
              // the last stable offset for read_committed ones.
              const latest = request.replicaId >= 0 ? log.logEndOffset : request.isolationLevel === READ_COMMITTED ? log.lastStableOffset : partition.highWatermark;
              let offset: number;
              let timestamp = -1;
              if (item.timestamp === LATEST) offset = latest;
              else if (item.timestamp === EARLIEST) offset = log.logStartOffset;
              else if (item.timestamp === MAX_TIMESTAMP) {
                const found = log.offsetOfMaxTimestamp();
                offset = found?.offset ?? -1;
                timestamp = found?.timestamp ?? -1;
              } else {
                const found = log.offsetForTimestamp(Number(item.timestamp));
                offset = found && found.offset < latest ? found.offset : -1;
                timestamp = found && found.offset < latest ? found.timestamp : -1;
              }
              return {
                partitionIndex: item.partitionIndex,
                errorCode: ErrorCode.NONE,
                oldStyleOffsets: version === 0 ? (offset >= 0 ? [BigInt(offset)] : []) : [],
                timestamp: BigInt(timestamp),
                offset: BigInt(offset),
                leaderEpoch: partition.leaderEpoch,
              };
            } catch (error) {
              if (!(error instanceof KafkaError)) throw error;
              return { partitionIndex: item.partitionIndex, errorCode: error.code, oldStyleOffsets: [], timestamp: -1n, offset: -1n, leaderEpoch: -1 };
            }
          }),
        })),
      };
    },
  };
}
