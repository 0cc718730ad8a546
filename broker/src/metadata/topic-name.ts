import { KafkaError } from '../protocol/errors.ts';

const LEGAL = /^[a-zA-Z0-9._-]+$/;
export const MAX_TOPIC_NAME_LENGTH = 249;

/** Kafka's topic name rules (Topic.validate): the same names are legal here and there. */
export function validateTopicName(name: string): void {
  if (name.length === 0) throw new KafkaError('INVALID_TOPIC_EXCEPTION', 'topic name is empty');
  if (name === '.' || name === '..') throw new KafkaError('INVALID_TOPIC_EXCEPTION', `topic name cannot be '${name}'`);
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    throw new KafkaError('INVALID_TOPIC_EXCEPTION', `topic name is longer than ${MAX_TOPIC_NAME_LENGTH} characters`);
  }
  if (!LEGAL.test(name)) {
    throw new KafkaError('INVALID_TOPIC_EXCEPTION', `topic name '${name}' has characters other than ASCII alphanumerics, '.', '_' and '-'`);
  }
}

/** Kafka refuses topics whose names differ only by '.' versus '_' because metric names would collide. */
export function collisionKey(name: string): string {
  return name.replace(/\./g, '_');
}

export const INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state']);
