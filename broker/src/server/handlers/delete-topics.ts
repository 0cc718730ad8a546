import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';

interface DeleteTopicsRequest {
  topics: Array<{ name: string | null; topicId: string }>;
  topicNames: string[];
  timeoutMs: number;
}

const ZERO_UUID = '0'.repeat(32);

export function deleteTopicsHandler(services: BrokerServices): ApiHandler {
  const { adminManager, metadata } = services;
  return {
    apiKey: ApiKey.DeleteTopics,
    minVersion: 0,
    maxVersion: 6,
    async handle(request: DeleteTopicsRequest, context) {
      const wanted = context.apiVersion >= 6 ? request.topics : request.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
      const responses = [];
      for (const item of wanted) {
        const topic = item.name !== null && item.name !== undefined ? metadata.topic(item.name) : metadata.topicById(item.topicId);
        try {
          if (!topic) {
            throw new KafkaError(item.name ? 'UNKNOWN_TOPIC_OR_PARTITION' : 'UNKNOWN_TOPIC_ID', `topic ${item.name ?? item.topicId} does not exist`);
          }
          services.security.authorizer.require(context.connection.session, 'DELETE', 'TOPIC', topic.name);
          await adminManager.deleteTopic(topic.name);
          responses.push({ name: topic.name, topicId: topic.topicId, errorCode: ErrorCode.NONE, errorMessage: null });
        } catch (error) {
          if (!(error instanceof KafkaError)) throw error;
          responses.push({ name: item.name ?? topic?.name ?? null, topicId: item.topicId, errorCode: error.code, errorMessage: error.message });
        }
      }
      return { throttleTimeMs: 0, responses };
    },
  };
}
