import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';

interface CreatePartitionsRequest {
  topics: Array<{ name: string; count: number; assignments: Array<{ brokerIds: number[] }> | null }>;
  timeoutMs: number;
  validateOnly: boolean;
}

export function createPartitionsHandler(services: BrokerServices): ApiHandler {
  const { adminManager } = services;
  return {
    apiKey: ApiKey.CreatePartitions,
    minVersion: 0,
    maxVersion: 3,
    async handle(request: CreatePartitionsRequest, context) {
      const results = [];
      for (const topic of request.topics) {
        try {
          services.security.authorizer.require(context.connection.session, 'ALTER', 'TOPIC', topic.name);
          await adminManager.createPartitions(topic.name, topic.count, request.validateOnly);
          results.push({ name: topic.name, errorCode: ErrorCode.NONE, errorMessage: null });
        } catch (error) {
          if (!(error instanceof KafkaError)) throw error;
          results.push({ name: topic.name, errorCode: error.code, errorMessage: error.message });
        }
      }
      return { throttleTimeMs: 0, results };
    },
  };
}
