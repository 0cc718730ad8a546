import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { resolveTopicConfigs, TOPIC_CONFIGS, topicKeyForBrokerSetting } from '../../metadata/topic-configs.ts';

const isDynamicCapable = (name: string) => topicKeyForBrokerSetting(name) !== undefined;
import type { ApiHandler } from '../api-handler.ts';
import { CLUSTER_NAME } from '../../security/authorizer/acl-binding.ts';
import type { BrokerServices } from '../broker-services.ts';
import { CONFIG_SOURCE, RESOURCE_TYPE } from './config-source.ts';

/** Broker settings that may hold credentials (console.collectors URLs may carry user:password@). */
const SENSITIVE_BROKER_SETTINGS = new Set(['console.collectors']);

interface DescribeConfigsRequest {
  resources: Array<{ resourceType: number; resourceName: string; configurationKeys: string[] | null }>;
  includeSynonyms: boolean;
  includeDocumentation: boolean;
}

/** Kafka's ConfigType numbers for DescribeConfigs v3+. */
const CONFIG_TYPE = { boolean: 1, string: 2, int: 3, long: 5, double: 6 } as const;

export function describeConfigsHandler(services: BrokerServices): ApiHandler {
  const { metadata, config, brokerSettings } = services;
  return {
    apiKey: ApiKey.DescribeConfigs,
    minVersion: 0,
    maxVersion: 4,
    handle(request: DescribeConfigsRequest, context) {
      const version = context.apiVersion;
      const results = request.resources.map((resource) => {
        const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
        const wanted = (name: string) => resource.configurationKeys === null || resource.configurationKeys.includes(name);
        const isTopic = resource.resourceType === RESOURCE_TYPE.TOPIC;
        if (!services.security.authorizer.authorize(context.connection.session, 'DESCRIBE_CONFIGS', isTopic ? 'TOPIC' : 'CLUSTER', isTopic ? resource.resourceName : CLUSTER_NAME)) return { ...base, errorCode: isTopic ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'DESCRIBE_CONFIGS is not allowed', configs: [] };
        if (resource.resourceType === RESOURCE_TYPE.TOPIC) {
          const topic = metadata.topic(resource.resourceName);
          if (!topic) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `topic '${resource.resourceName}' does not exist`, configs: [] };
          const configs = [...resolveTopicConfigs(topic.configs, config.topicDefaults)]
            .filter(([name]) => wanted(name))
            .map(([name, resolved]) => {
              const spec = TOPIC_CONFIGS[name]!;
              // A broker default counts as the broker's only when an operator set it.
              const brokerSetting = spec.brokerSynonym !== undefined ? brokerSettings.get(spec.brokerSynonym) : undefined;
              const setOnBroker = brokerSetting !== undefined && (brokerSetting.isDefault === false || brokerSetting.dynamic === true);
              if (resolved.source === 'broker' && !setOnBroker) resolved = { ...resolved, source: 'default' };
              const synonyms = [];
              if (request.includeSynonyms) {
                if (topic.configs[name] !== undefined) synonyms.push({ name, value: topic.configs[name]!, source: CONFIG_SOURCE.topic });
                if (setOnBroker) {
                  synonyms.push({ name: spec.brokerSynonym!, value: config.topicDefaults[name]!, source: brokerSetting!.dynamic ? CONFIG_SOURCE.dynamicDefaultBroker : CONFIG_SOURCE.broker });
                }
              }
              return {
                name,
                value: resolved.value,
                readOnly: false,
                isDefault: resolved.source !== 'topic',
                configSource: CONFIG_SOURCE[resolved.source],
                isSensitive: false,
                synonyms,
                configType: CONFIG_TYPE[spec.kind],
                documentation: null,
              };
            });
          return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs };
        }
        if (resource.resourceType === RESOURCE_TYPE.BROKER) {
          if (resource.resourceName !== '' && resource.resourceName !== String(config.brokerId)) {
            return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `this is broker ${config.brokerId}; ask broker ${resource.resourceName} directly`, configs: [] };
          }
          const configs = [...brokerSettings]
            .filter(([name]) => wanted(name))
            .map(([name, value]) => ({
              name,
              // As Kafka does for password settings: sensitive values are never sent to clients.
              value: SENSITIVE_BROKER_SETTINGS.has(name) ? null : value.value,
              readOnly: !value.dynamic && !isDynamicCapable(name),
              isDefault: value.isDefault && !value.dynamic,
              configSource: value.dynamic ? CONFIG_SOURCE.dynamicDefaultBroker : value.isDefault ? CONFIG_SOURCE.default : CONFIG_SOURCE.broker,
              isSensitive: SENSITIVE_BROKER_SETTINGS.has(name),
              synonyms: [],
              configType: CONFIG_TYPE.string,
              documentation: request.includeDocumentation ? value.doc : null,
            }));
          return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs };
        }
        return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `resource type ${resource.resourceType} is not supported (topics: 2, brokers: 4)`, configs: [] };
      });
      return { throttleTimeMs: 0, results: version >= 0 ? results : [] };
    },
  };
}
