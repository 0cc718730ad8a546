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
          let assignments: number[][] | undefined;
          if (topic.assignments.length > 0) {
            if (numPartitions !== -1 || replicationFactor !== -1) {
              throw new KafkaError('INVALID_REQUEST', 'give either replica assignments or numPartitions/replicationFactor, not both');
            }
            assignments = checkedAssignments(topic.assignments, new Set(metadata.brokers().map((broker) => broker.brokerId)));
            numPartitions = assignments.length;
            replicationFactor = assignments[0]!.length;
          }
          const configs: Record<string, string> = {};
          for (const entry of topic.configs) {
            if (entry.value !== null) configs[entry.name] = entry.value;
          }
          const created = await adminManager.createTopic({ name: topic.name, numPartitions, replicationFactor, configs, assignments, validateOnly: request.validateOnly });
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

/** Kafka's checks on a client's own placement: partitions 0..n-1 once each, one replication factor, live brokers, no broker twice. */
function checkedAssignments(assignments: Array<{ partitionIndex: number; brokerIds: number[] }>, brokers: Set<number>): number[][] {
  const sorted = [...assignments].sort((a, b) => a.partitionIndex - b.partitionIndex);
  const replicationFactor = sorted[0]!.brokerIds.length;
  return sorted.map(({ partitionIndex, brokerIds }, index) => {
    if (partitionIndex !== index) throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', `the assignment must list partitions 0 to ${sorted.length - 1} once each; partition ${index} is ${partitionIndex < index ? 'listed twice' : 'missing'}`);
    if (brokerIds.length === 0 || brokerIds.length !== replicationFactor) throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', `every partition needs the same number of replicas (${replicationFactor}); partition ${index} has ${brokerIds.length}`);
    if (new Set(brokerIds).size !== brokerIds.length) throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', `partition ${index} lists a broker twice: ${brokerIds.join(',')}`);
    const unknown = brokerIds.find((id) => !brokers.has(id));
    if (unknown !== undefined) throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', `broker ${unknown} in the assignment of partition ${index} does not exist`);
    return brokerIds;
  });
}
