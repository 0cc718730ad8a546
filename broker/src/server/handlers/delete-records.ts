import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';

interface DeleteRecordsRequest {
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; offset: bigint }> }>;
  timeoutMs: number;
}

/** Offset -1 means "up to the high watermark", as in Kafka's admin client. */
const HIGH_WATERMARK = -1n;

export function deleteRecordsHandler(services: BrokerServices): ApiHandler {
  const { replicaManager, metadata } = services;
  return {
    apiKey: ApiKey.DeleteRecords,
    minVersion: 0,
    maxVersion: 2,
    handle(request: DeleteRecordsRequest, context) {
      return {
        throttleTimeMs: 0,
        topics: request.topics.map((topic) => ({
          name: topic.name,
          partitions: topic.partitions.map((item) => {
            try {
              services.security.authorizer.require(context.connection.session, 'DELETE', 'TOPIC', topic.name);
              const partition = replicaManager.leaderPartition(topic.name, item.partitionIndex, metadata.topic(topic.name) !== undefined);
              const target = item.offset === HIGH_WATERMARK ? partition.highWatermark : Number(item.offset);
              if (target < 0 || target > partition.highWatermark) {
                throw new KafkaError('OFFSET_OUT_OF_RANGE', `offset ${target} is beyond the high watermark ${partition.highWatermark}`);
              }
              const lowWatermark = partition.log.deleteRecordsBefore(target);
              return { partitionIndex: item.partitionIndex, lowWatermark: BigInt(lowWatermark), errorCode: ErrorCode.NONE };
            } catch (error) {
              if (!(error instanceof KafkaError)) throw error;
              return { partitionIndex: item.partitionIndex, lowWatermark: -1n, errorCode: error.code };
            }
          }),
        })),
      };
    },
  };
}
