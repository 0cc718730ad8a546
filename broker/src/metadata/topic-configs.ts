import { KafkaError } from '../protocol/errors.ts';

/**
 * Topic-level settings this broker understands, under Kafka's names. Values are kept as strings,
 * as Kafka's DescribeConfigs reports them; the log parses the ones it uses.
 */
interface TopicConfigSpec {
  kind: 'long' | 'int' | 'boolean' | 'string' | 'double';
  choices?: readonly string[];
  min?: number;
  /** The broker setting that supplies the default, as Kafka's DescribeConfigs names the synonym. */
  brokerSynonym?: string;
  fallback: string;
}

export const TOPIC_CONFIGS: Record<string, TopicConfigSpec> = {
  'cleanup.policy': { kind: 'string', choices: ['delete', 'compact', 'compact,delete', 'delete,compact'], brokerSynonym: 'log.cleanup.policy', fallback: 'delete' },
  'compression.type': { kind: 'string', choices: ['producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd'], brokerSynonym: 'compression.type', fallback: 'producer' },
  'delete.retention.ms': { kind: 'long', min: 0, brokerSynonym: 'log.cleaner.delete.retention.ms', fallback: '86400000' },
  'file.delete.delay.ms': { kind: 'long', min: 0, brokerSynonym: 'log.segment.delete.delay.ms', fallback: '60000' },
  'flush.messages': { kind: 'long', min: 1, brokerSynonym: 'log.flush.interval.messages', fallback: '9223372036854775807' },
  'flush.ms': { kind: 'long', min: 0, brokerSynonym: 'log.flush.interval.ms', fallback: '9223372036854775807' },
  'index.interval.bytes': { kind: 'int', min: 0, brokerSynonym: 'log.index.interval.bytes', fallback: '4096' },
  'max.message.bytes': { kind: 'int', min: 0, brokerSynonym: 'message.max.bytes', fallback: '1048588' },
  'message.timestamp.type': { kind: 'string', choices: ['CreateTime', 'LogAppendTime'], brokerSynonym: 'log.message.timestamp.type', fallback: 'CreateTime' },
  'min.insync.replicas': { kind: 'int', min: 1, brokerSynonym: 'min.insync.replicas', fallback: '1' },
  'retention.bytes': { kind: 'long', min: -1, brokerSynonym: 'log.retention.bytes', fallback: '-1' },
  'retention.ms': { kind: 'long', min: -1, brokerSynonym: 'log.retention.ms', fallback: '604800000' },
  'segment.bytes': { kind: 'int', min: 14, brokerSynonym: 'log.segment.bytes', fallback: '1073741824' },
  'segment.index.bytes': { kind: 'int', min: 8, brokerSynonym: 'log.index.size.max.bytes', fallback: '10485760' },
  'segment.ms': { kind: 'long', min: 1, brokerSynonym: 'log.roll.ms', fallback: '604800000' },
  'unclean.leader.election.enable': { kind: 'boolean', brokerSynonym: 'unclean.leader.election.enable', fallback: 'false' },
};

/** Checks one topic setting; throws INVALID_CONFIG naming the key and what is allowed. */
export function validateTopicConfig(key: string, value: string | null): void {
  const spec = TOPIC_CONFIGS[key];
  if (!spec) {
    throw new KafkaError('INVALID_CONFIG', `unknown topic config '${key}'; supported: ${Object.keys(TOPIC_CONFIGS).join(', ')}`);
  }
  if (value === null) return;
  switch (spec.kind) {
    case 'long':
    case 'int':
    case 'double': {
      const number = Number(value);
      if (value.trim() === '' || Number.isNaN(number) || (spec.kind !== 'double' && !/^-?\d+$/.test(value.trim()))) {
        throw new KafkaError('INVALID_CONFIG', `${key} must be a ${spec.kind === 'double' ? 'number' : 'whole number'}, got '${value}'`);
      }
      if (spec.min !== undefined && number < spec.min) throw new KafkaError('INVALID_CONFIG', `${key} must be at least ${spec.min}, got ${value}`);
      if (spec.kind === 'int' && number > 2147483647) throw new KafkaError('INVALID_CONFIG', `${key} must fit in an int, got ${value}`);
      return;
    }
    case 'boolean':
      if (value !== 'true' && value !== 'false') throw new KafkaError('INVALID_CONFIG', `${key} must be true or false, got '${value}'`);
      return;
    case 'string':
      if (spec.choices && !spec.choices.includes(value)) {
        throw new KafkaError('INVALID_CONFIG', `${key} must be one of ${spec.choices.join(', ')}, got '${value}'`);
      }
  }
}

export function validateTopicConfigs(configs: Record<string, string>): void {
  for (const [key, value] of Object.entries(configs)) validateTopicConfig(key, value);
}

export interface ResolvedTopicConfig {
  value: string;
  /** Where the value came from, as DescribeConfigs reports it. */
  source: 'topic' | 'broker' | 'default';
}

/** The effective configuration of a topic: its overrides over the broker's defaults over Kafka's. */
export function resolveTopicConfigs(overrides: Record<string, string>, brokerDefaults: Record<string, string>): Map<string, ResolvedTopicConfig> {
  const resolved = new Map<string, ResolvedTopicConfig>();
  for (const [key, spec] of Object.entries(TOPIC_CONFIGS)) {
    if (overrides[key] !== undefined) resolved.set(key, { value: overrides[key]!, source: 'topic' });
    else if (brokerDefaults[key] !== undefined) resolved.set(key, { value: brokerDefaults[key]!, source: 'broker' });
    else resolved.set(key, { value: spec.fallback, source: 'default' });
  }
  return resolved;
}

export function effectiveTopicConfig(overrides: Record<string, string>, brokerDefaults: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, resolved] of resolveTopicConfigs(overrides, brokerDefaults)) out[key] = resolved.value;
  return out;
}

/** Broker settings that can change at run time: the broker-wide defaults of topic configs. */
export function topicKeyForBrokerSetting(brokerKey: string): string | undefined {
  return Object.entries(TOPIC_CONFIGS).find(([, spec]) => spec.brokerSynonym === brokerKey)?.[0];
}
