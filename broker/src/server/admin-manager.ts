import type { Logger } from '@tributary/common';
import { KafkaError } from '../protocol/errors.ts';
import type { MetadataStore, TopicState } from '../metadata/types.ts';
import { validateTopicConfigs } from '../metadata/topic-configs.ts';
import { INTERNAL_TOPICS, validateTopicName } from '../metadata/topic-name.ts';
import type { BrokerConfig } from './broker-config.ts';

export interface CreateTopicRequest {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
  /** Replicas per partition, in partition order, when the client placed them itself. */
  assignments?: number[][];
  validateOnly?: boolean;
}

/**
 * Topic administration (Kafka's ZkAdminManager / AutoTopicCreationManager): validates requests
 * and applies them to the metadata store; the replica manager follows metadata changes.
 */
export class AdminManager {
  constructor(
    private readonly metadata: MetadataStore,
    private readonly config: BrokerConfig,
    private readonly log: Logger,
  ) {}

  async createTopic(request: CreateTopicRequest): Promise<TopicState | null> {
    validateTopicName(request.name);
    const numPartitions = request.numPartitions === -1 ? this.config.numPartitions : request.numPartitions;
    const replicationFactor = request.replicationFactor === -1 ? this.config.defaultReplicationFactor : request.replicationFactor;
    if (numPartitions < 1) throw new KafkaError('INVALID_PARTITIONS', `number of partitions must be at least 1, got ${numPartitions}`);
    if (replicationFactor < 1) throw new KafkaError('INVALID_REPLICATION_FACTOR', `replication factor must be at least 1, got ${replicationFactor}`);
    validateTopicConfigs(request.configs);
    if (this.metadata.topic(request.name)) throw new KafkaError('TOPIC_ALREADY_EXISTS', `topic '${request.name}' already exists`);
    if (request.validateOnly) return null;
    const topic = await this.metadata.createTopic({
      name: request.name,
      numPartitions,
      replicationFactor,
      configs: request.configs,
      assignments: request.assignments,
      internal: INTERNAL_TOPICS.has(request.name),
    });
    this.log.info({ topic: topic.name, partitions: numPartitions, replicationFactor }, 'created topic');
    return topic;
  }

  /** Metadata requests may create missing topics when auto.create.topics.enable is on. */
  async autoCreateTopic(name: string): Promise<TopicState> {
    const existing = this.metadata.topic(name);
    if (existing) return existing;
    try {
      const created = await this.createTopic({ name, numPartitions: -1, replicationFactor: -1, configs: {} });
      return created!;
    } catch (error) {
      // Two clients asking for the same new topic at once: the second sees it created.
      const raced = this.metadata.topic(name);
      if (raced) return raced;
      throw error;
    }
  }

  async ensureInternalTopic(name: string, numPartitions: number, replicationFactor: number, configs: Record<string, string>): Promise<TopicState> {
    const existing = this.metadata.topic(name);
    if (existing) return existing;
    const topic = await this.metadata.createTopic({ name, numPartitions, replicationFactor, configs, internal: true });
    this.log.info({ topic: name, partitions: numPartitions }, 'created internal topic');
    return topic;
  }

  async deleteTopic(name: string): Promise<TopicState> {
    if (!this.config.deleteTopicEnable) throw new KafkaError('TOPIC_DELETION_DISABLED', 'topic deletion is disabled: set delete.topic.enable=true');
    if (INTERNAL_TOPICS.has(name)) throw new KafkaError('INVALID_TOPIC_EXCEPTION', `internal topic '${name}' cannot be deleted`);
    const topic = await this.metadata.deleteTopic(name);
    this.log.info({ topic: name }, 'deleted topic');
    return topic;
  }

  async createPartitions(name: string, count: number, validateOnly: boolean): Promise<void> {
    const topic = this.metadata.topic(name);
    if (!topic) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${name}' does not exist`);
    if (count <= topic.partitions.length) {
      throw new KafkaError('INVALID_PARTITIONS', `topic '${name}' has ${topic.partitions.length} partitions; the new count must be larger, got ${count}`);
    }
    if (validateOnly) return;
    await this.metadata.createPartitions(name, count);
    this.log.info({ topic: name, partitions: count }, 'added partitions');
  }

  /** Replaces the topic's overrides (validated first, so a bad key changes nothing). */
  async setTopicConfigs(name: string, configs: Record<string, string>, validateOnly: boolean): Promise<void> {
    const topic = this.metadata.topic(name);
    if (!topic) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${name}' does not exist`);
    validateTopicConfigs(configs);
    if (validateOnly) return;
    await this.metadata.alterTopicConfigs(name, configs);
    this.log.info({ topic: name, configs }, 'altered topic configs');
  }
}
