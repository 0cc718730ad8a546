import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import type { TopicState } from '../../metadata/types.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';
import { endpointFor } from '../../security/listeners/listeners.ts';
import { CLUSTER_NAME } from '../../security/authorizer/acl-binding.ts';

const ZERO_UUID = '0'.repeat(32);
/** Kafka's "authorized operations not requested" marker (Integer.MIN_VALUE). */
const OPERATIONS_OMITTED = -2147483648;

interface MetadataRequestTopic {
  topicId?: string;
  name: string | null;
}

export function metadataHandler(services: BrokerServices): ApiHandler {
  const { metadata, adminManager, config } = services;
  const { authorizer } = services.security;

  const describeTopic = (topic: TopicState) => {
    const live = new Set(metadata.brokers().map((broker) => broker.brokerId));
    return {
      errorCode: ErrorCode.NONE,
      name: topic.name,
      topicId: topic.topicId,
      isInternal: topic.internal,
      partitions: topic.partitions.map((partition) => ({
        // Kafka still lists a leaderless partition, with the error clients retry on.
        errorCode: partition.leader < 0 || !live.has(partition.leader) ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
        partitionIndex: partition.partition,
        leaderId: live.has(partition.leader) ? partition.leader : -1,
        leaderEpoch: partition.leaderEpoch,
        replicaNodes: partition.replicas,
        isrNodes: partition.isr,
        offlineReplicas: partition.replicas.filter((id) => !live.has(id)),
      })),
      topicAuthorizedOperations: OPERATIONS_OMITTED,
    };
  };

  const topicError = (name: string | null, topicId: string, errorCode: number) => ({
    errorCode,
    name,
    topicId,
    isInternal: false,
    partitions: [],
    topicAuthorizedOperations: OPERATIONS_OMITTED,
  });

  return {
    apiKey: ApiKey.Metadata,
    minVersion: 0,
    maxVersion: 12,
    async handle(request: { topics: MetadataRequestTopic[] | null; allowAutoTopicCreation?: boolean }, context) {
      const version = context.apiVersion;
      const session = context.connection.session;
      const allTopics = request.topics === null || (version === 0 && request.topics.length === 0);
      let topics;
      if (allTopics) {
        topics = metadata.topics().filter((topic) => authorizer.authorize(session, 'DESCRIBE', 'TOPIC', topic.name)).map(describeTopic);
      } else {
        const autoCreate = config.autoCreateTopics && (version < 4 || request.allowAutoTopicCreation !== false);
        topics = [];
        for (const wanted of request.topics ?? []) {
          if (wanted.name === null || wanted.name === undefined) {
            const found = wanted.topicId ? metadata.topicById(wanted.topicId) : undefined;
            const byId = found && authorizer.authorize(session, 'DESCRIBE', 'TOPIC', found.name) ? found : undefined;
            topics.push(byId ? describeTopic(byId) : topicError(null, wanted.topicId ?? ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_ID));
            continue;
          }
          if (!authorizer.authorize(session, 'DESCRIBE', 'TOPIC', wanted.name)) {
            topics.push(topicError(wanted.name, ZERO_UUID, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
            continue;
          }
          const existing = metadata.topic(wanted.name);
          if (existing) {
            topics.push(describeTopic(existing));
            continue;
          }
          if (autoCreate && !authorizer.authorize(session, 'CREATE', 'CLUSTER', CLUSTER_NAME, false) && !authorizer.authorize(session, 'CREATE', 'TOPIC', wanted.name)) {
            topics.push(topicError(wanted.name, ZERO_UUID, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
            continue;
          }
          if (!autoCreate) {
            topics.push(topicError(wanted.name, ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
            continue;
          }
          try {
            topics.push(describeTopic(await adminManager.autoCreateTopic(wanted.name)));
          } catch (error) {
            if (!(error instanceof KafkaError)) throw error;
            topics.push(topicError(wanted.name, ZERO_UUID, error.code));
          }
        }
      }
      return {
        throttleTimeMs: 0,
        brokers: metadata.brokers().map((broker) => ({ nodeId: broker.brokerId, ...endpointFor(broker, session.listener.name), rack: broker.rack })),
        clusterId: metadata.clusterId,
        controllerId: metadata.controllerId,
        topics,
        clusterAuthorizedOperations: OPERATIONS_OMITTED,
      };
    },
  };
}
