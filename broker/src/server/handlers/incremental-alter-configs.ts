import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import type { ApiHandler } from '../api-handler.ts';
import { CLUSTER_NAME } from '../../security/authorizer/acl-binding.ts';
import type { BrokerServices } from '../broker-services.ts';
import { RESOURCE_TYPE } from './config-source.ts';

interface AlterRequest {
  resources: Array<{ resourceType: number; resourceName: string; configs: Array<{ name: string; configOperation?: number; value: string | null }> }>;
  validateOnly: boolean;
}

const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;

/** Applies Kafka's incremental operations to a topic's overrides. */
function applyIncremental(current: Record<string, string>, changes: AlterRequest['resources'][number]['configs']): Record<string, string> {
  const next = { ...current };
  for (const change of changes) {
    const operation = change.configOperation ?? SET;
    const list = (next[change.name] ?? '').split(',').filter((item) => item !== '');
    const values = (change.value ?? '').split(',').filter((item) => item !== '');
    switch (operation) {
      case SET:
        if (change.value === null) throw new KafkaError('INVALID_CONFIG', `SET of ${change.name} needs a value`);
        next[change.name] = change.value;
        break;
      case DELETE:
        delete next[change.name];
        break;
      case APPEND:
        next[change.name] = [...list, ...values.filter((value) => !list.includes(value))].join(',');
        break;
      case SUBTRACT:
        next[change.name] = list.filter((value) => !values.includes(value)).join(',');
        break;
      default:
        throw new KafkaError('INVALID_REQUEST', `unknown config operation ${operation} for ${change.name}`);
    }
  }
  return next;
}

/** IncrementalAlterConfigs (incremental = true) and the older AlterConfigs, which replaces all overrides. */
export function alterConfigsHandler(services: BrokerServices, incremental: boolean): ApiHandler {
  const { adminManager, metadata } = services;
  return {
    apiKey: incremental ? ApiKey.IncrementalAlterConfigs : ApiKey.AlterConfigs,
    minVersion: 0,
    maxVersion: incremental ? 1 : 2,
    async handle(request: AlterRequest, context) {
      const responses = [];
      for (const resource of request.resources) {
        const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
        try {
          services.security.authorizer.require(context.connection.session, 'ALTER_CONFIGS', resource.resourceType === RESOURCE_TYPE.TOPIC ? 'TOPIC' : 'CLUSTER', resource.resourceType === RESOURCE_TYPE.TOPIC ? resource.resourceName : CLUSTER_NAME);
          if (resource.resourceType === RESOURCE_TYPE.BROKER) {
            if (resource.resourceName !== '' && resource.resourceName !== String(services.config.brokerId)) {
              throw new KafkaError('INVALID_REQUEST', `this is broker ${services.config.brokerId}; alter broker ${resource.resourceName} on that broker`);
            }
            const current = services.dynamicConfig.current();
            const next = incremental
              ? applyIncremental(current, resource.configs)
              : Object.fromEntries(resource.configs.filter((c) => c.value !== null).map((c) => [c.name, c.value as string]));
            await services.dynamicConfig.alter(next, request.validateOnly);
            responses.push({ ...base, errorCode: ErrorCode.NONE, errorMessage: null });
            continue;
          }
          if (resource.resourceType !== RESOURCE_TYPE.TOPIC) throw new KafkaError('INVALID_REQUEST', `resource type ${resource.resourceType} is not supported`);
          const topic = metadata.topic(resource.resourceName);
          if (!topic) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${resource.resourceName}' does not exist`);
          const next = incremental
            ? applyIncremental(topic.configs, resource.configs)
            : Object.fromEntries(resource.configs.filter((c) => c.value !== null).map((c) => [c.name, c.value as string]));
          await adminManager.setTopicConfigs(topic.name, next, request.validateOnly);
          responses.push({ ...base, errorCode: ErrorCode.NONE, errorMessage: null });
        } catch (error) {
          if (!(error instanceof KafkaError)) throw error;
          responses.push({ ...base, errorCode: error.code, errorMessage: error.message });
        }
      }
      return { throttleTimeMs: 0, responses };
    },
  };
}
