import { KafkaError } from '../protocol/errors.ts';

export interface LogConfig {
  segmentBytes: number;
  segmentMs: number;
  retentionMs: number;
  retentionBytes: number;
  indexIntervalBytes: number;
  segmentIndexBytes: number;
  maxMessageBytes: number;
  flushMessages: number;
  flushMs: number;
  messageTimestampType: 'CreateTime' | 'LogAppendTime';
  cleanupPolicy: string;
}

export const DEFAULT_LOG_CONFIG: LogConfig = {
  segmentBytes: 1073741824,
  segmentMs: 604800000,
  retentionMs: 604800000,
  retentionBytes: -1,
  indexIntervalBytes: 4096,
  segmentIndexBytes: 10485760,
  maxMessageBytes: 1048588,
  flushMessages: Infinity,
  flushMs: Infinity,
  messageTimestampType: 'CreateTime',
  cleanupPolicy: 'delete',
};

const LONG_MAX = '9223372036854775807';

function number(props: Record<string, string>, key: string, fallback: number): number {
  const raw = props[key];
  if (raw === undefined) return fallback;
  if (raw === LONG_MAX) return Infinity;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) throw new KafkaError('INVALID_CONFIG', `${key} must be a number, got '${raw}'`);
  return value;
}

/** Kafka topic config names -> the log's settings. */
export function logConfigFromKafkaProps(props: Record<string, string>, defaults: LogConfig = DEFAULT_LOG_CONFIG): LogConfig {
  const timestampType = props['message.timestamp.type'] ?? defaults.messageTimestampType;
  if (timestampType !== 'CreateTime' && timestampType !== 'LogAppendTime') throw new KafkaError('INVALID_CONFIG', `message.timestamp.type must be CreateTime or LogAppendTime, got '${timestampType}'`);
  return {
    segmentBytes: number(props, 'segment.bytes', defaults.segmentBytes),
    segmentMs: number(props, 'segment.ms', defaults.segmentMs),
    retentionMs: number(props, 'retention.ms', defaults.retentionMs),
    retentionBytes: number(props, 'retention.bytes', defaults.retentionBytes),
    indexIntervalBytes: number(props, 'index.interval.bytes', defaults.indexIntervalBytes),
    segmentIndexBytes: number(props, 'segment.index.bytes', defaults.segmentIndexBytes),
    maxMessageBytes: number(props, 'max.message.bytes', defaults.maxMessageBytes),
    flushMessages: number(props, 'flush.messages', defaults.flushMessages),
    flushMs: number(props, 'flush.ms', defaults.flushMs),
    messageTimestampType: timestampType,
    cleanupPolicy: props['cleanup.policy'] ?? defaults.cleanupPolicy,
  };
}
