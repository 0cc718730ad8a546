import type { MetadataStore } from '../metadata/types.ts';
import { TOPIC_CONFIGS, topicKeyForBrokerSetting, validateTopicConfig } from '../metadata/topic-configs.ts';
import { KafkaError } from '../protocol/errors.ts';
import type { BrokerConfig } from './broker-config.ts';
import type { BrokerServices } from './broker-services.ts';

/**
 * Kafka's dynamic default broker configs: the broker-wide defaults of topic settings
 * (log.retention.ms, log.segment.bytes, ...) change at run time through IncrementalAlterConfigs
 * on the broker resource, are stored with the cluster metadata, and apply to every topic that
 * does not override them. Every other broker setting is static.
 */
/** Dynamic broker settings that are not topic defaults: the reassignment replication throttle. */
export const REPLICATION_THROTTLE_KEYS = ['follower.replication.throttled.rate', 'leader.replication.throttled.rate'];

export class DynamicBrokerConfig {
  private readonly staticTopicDefaults: Record<string, string>;

  constructor(
    private readonly config: BrokerConfig,
    private readonly settings: BrokerServices['brokerSettings'],
    private readonly metadata: MetadataStore,
  ) {
    this.staticTopicDefaults = { ...config.topicDefaults };
    this.apply(metadata.dynamicBrokerDefaults());
  }

  /** Validates and stores new dynamic defaults (the complete set after the change). */
  async alter(next: Record<string, string>, validateOnly: boolean): Promise<void> {
    for (const [key, value] of Object.entries(next)) {
      if (REPLICATION_THROTTLE_KEYS.includes(key)) {
        if (!/^\d+$/.test(value)) throw new KafkaError('INVALID_CONFIG', `${key} must be a whole number of bytes per second, got '${value}'`);
        continue;
      }
      const topicKey = topicKeyForBrokerSetting(key);
      if (!topicKey) {
        const dynamic = Object.values(TOPIC_CONFIGS).flatMap((spec) => (spec.brokerSynonym ? [spec.brokerSynonym] : []));
        throw new KafkaError('INVALID_REQUEST', `broker setting '${key}' is static: change it in the config file and restart; dynamic ones are ${dynamic.join(', ')}`);
      }
      try {
        validateTopicConfig(topicKey, value);
      } catch (error) {
        throw new KafkaError('INVALID_CONFIG', (error as Error).message.replace(topicKey, key));
      }
    }
    if (!validateOnly) await this.metadata.alterDynamicBrokerDefaults(next);
  }

  /** follower.replication.throttled.rate in bytes/s, 0 when unset. */
  followerThrottleRate(): number {
    return this.throttleRate('follower');
  }

  /** leader.replication.throttled.rate in bytes/s, 0 when unset. */
  leaderThrottleRate(): number {
    return this.throttleRate('leader');
  }

  private throttleRate(side: 'follower' | 'leader'): number {
    return Number(this.metadata.dynamicBrokerDefaults()[`${side}.replication.throttled.rate`] ?? 0);
  }

  current(): Record<string, string> {
    return this.metadata.dynamicBrokerDefaults();
  }

  /** Makes the dynamic defaults the topic defaults (mutating the shared config in place). */
  apply(dynamic: Record<string, string>): void {
    for (const [topicKey, spec] of Object.entries(TOPIC_CONFIGS)) {
      const brokerKey = spec.brokerSynonym;
      const staticValue = this.staticTopicDefaults[topicKey];
      const value = brokerKey !== undefined ? (dynamic[brokerKey] ?? staticValue) : staticValue;
      if (value === undefined) delete this.config.topicDefaults[topicKey];
      else this.config.topicDefaults[topicKey] = value;
      if (brokerKey && this.settings.has(brokerKey)) {
        const setting = this.settings.get(brokerKey)!;
        this.settings.set(brokerKey, { ...setting, value: value ?? setting.value, dynamic: dynamic[brokerKey] !== undefined });
      }
    }
  }
}
