import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';

interface DescribeProducersRequest {
  topics: Array<{ name: string; partitionIndexes: number[] }>;
}

/** The producers a partition leader knows, with their open transactions: how hanging transactions are found. */
export function describeProducersHandler(services: BrokerServices): ApiHandler {
  const { replicaManager, metadata } = services;
  return {
    apiKey: ApiKey.DescribeProducers,
    minVersion: 0,
    maxVersion: 0,
    handle(request: DescribeProducersRequest) {
      return {
        throttleTimeMs: 0,
        topics: request.topics.map((topic) => ({
          name: topic.name,
          partitions: topic.partitionIndexes.map((partitionIndex) => {
            try {
              const partition = replicaManager.leaderPartition(topic.name, partitionIndex, metadata.topic(topic.name) !== undefined);
              return {
                partitionIndex,
                errorCode: ErrorCode.NONE,
                errorMessage: null,
                activeProducers: partition.log.activeProducers().map((producer) => ({
                  producerId: BigInt(producer.producerId),
                  producerEpoch: producer.producerEpoch,
                  lastSequence: producer.lastSequence,
                  // The log does not keep producers' last timestamps.
                  lastTimestamp: -1n,
                  coordinatorEpoch: producer.coordinatorEpoch,
                  currentTxnStartOffset: BigInt(producer.currentTxnStartOffset),
                })),
              };
            } catch (error) {
              if (!(error instanceof KafkaError)) throw error;
              return { partitionIndex, errorCode: error.code, errorMessage: error.message, activeProducers: [] };
            }
          }),
        })),
      };
    },
  };
}
