import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import { resolveTopicConfigs } from '../../metadata/topic-configs.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';
import { CLUSTER_NAME } from '../../security/authorizer/acl-binding.ts';
import { CONFIG_SOURCE } from './config-source.ts';

interface CreateTopicsRequest {
  topics: Array<{
    name: string;
    numPartitions: number;
    replicationFactor: number;
    assignments: Array<{ partitionIndex: number; brokerIds: number[] }>;
    configs: Array<{ name: string; value: string | null }>;
  }>;
  timeoutMs: number;
  validateOnly: boolean;
}

const ZERO_UUID = '0'.repeat(32);

export function createTopicsHandler(services: BrokerServices): ApiHandler {
  const { adminManager, config, metadata } = services;
  return {
    apiKey: ApiKey.CreateTopics,
    minVersion: 0,
    maxVersion: 7,
    async handle(request: CreateTopicsRequest, context) {
      const seen = new Set<string>();
      const topics = [];
      for (const topic of request.topics) {
        const failed = (errorCode: number, errorMessage: string) => ({
          name: topic.name,
          topicId: ZERO_UUID,
          errorCode,
          errorMessage,
          numPartitions: -1,
          replicationFactor: -1,
          configs: null,
        });
        if (seen.has(topic.name)) {
          topics.push(failed(ErrorCode.INVALID_REQUEST, `topic '${topic.name}' appears more than once in the request`));
          continue;
        }
        seen.add(topic.name);
        try {
          if (!services.security.authorizer.authorize(context.connection.session, 'CREATE', 'CLUSTER', CLUSTER_NAME, false)) services.security.authorizer.require(context.connection.session, 'CREATE', 'TOPIC', topic.name);
          let numPartitions = topic.numPartitions;
          let replicationFactor = topic.replicationFactor;
          if (topic.assignments.length > 0) {
            if (numPartitions !== -1 || replicationFactor !== -1) {
              throw new KafkaError('INVALID_REQUEST', 'give either replica assignments or numPartitions/replicationFactor, not both');
            }
            const brokers = new Set(metadata.brokers().map((broker) => broker.brokerId));
            for (const assignment of topic.assignments) {
              for (const id of assignment.brokerIds) {
                if (!brokers.has(id)) throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', `broker ${id} in the assignment of partition ${assignment.partitionIndex} does not exist`);
              }
            }
            numPartitions = topic.assignments.length;
            replicationFactor = topic.assignments[0]!.brokerIds.length;
          }
          const configs: Record<string, string> = {};
          for (const entry of topic.configs) {
            if (entry.value !== null) configs[entry.name] = entry.value;
          }
          const created = await adminManager.createTopic({ name: topic.name, numPartitions, replicationFactor, configs, validateOnly: request.validateOnly });
          const resolved = resolveTopicConfigs(configs, config.topicDefaults);
          topics.push({
            name: topic.name,
            topicId: created?.topicId ?? ZERO_UUID,
            errorCode: ErrorCode.NONE,
            errorMessage: null,
            numPartitions: created?.partitions.length ?? (numPartitions === -1 ? config.numPartitions : numPartitions),
            replicationFactor: created?.partitions[0]?.replicas.length ?? (replicationFactor === -1 ? config.defaultReplicationFactor : replicationFactor),
            configs: [...resolved].map(([name, value]) => ({
              name,
              value: value.value,
              readOnly: false,
              configSource: CONFIG_SOURCE[value.source],
              isSensitive: false,
            })),
          });
        } catch (error) {
          if (!(error instanceof KafkaError)) throw error;
          topics.push(failed(error.code, error.message));
        }
      }
      return { throttleTimeMs: 0, topics };
    },
  };
}
