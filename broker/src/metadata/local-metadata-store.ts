import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { KafkaError } from '../protocol/errors.ts';
import { writeFileAtomic } from './atomic-file.ts';
import { collisionKey, validateTopicName } from './topic-name.ts';
import { aclMatchesFilter, sameBinding } from '../security/authorizer/acl-binding.ts';
import type { AclBinding, AclBindingFilter, BrokerEndpoint, EntityType, MetadataChange, MetadataStore, TopicState } from './types.ts';

interface StoredState {
  version: 1;
  clusterId: string;
  nextProducerId: number;
  topics: TopicState[];
  brokerDefaults?: Record<string, string>;
  entityConfigs?: Record<EntityType, Record<string, Record<string, string>>>;
  acls?: AclBinding[];
}

/** A random 16-byte id as hex, never the all-zero id Kafka reserves for "no id". */
export function newTopicId(): string {
  for (;;) {
    const id = randomBytes(16).toString('hex');
    if (!/^0+$/.test(id)) return id;
  }
}

/** Kafka's cluster ids are 16 random bytes in URL-safe base64 without padding. */
export function newClusterId(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * Single-node metadata: one JSON file in the data directory, rewritten atomically on every
 * change. This node is the only broker and always the controller.
 */
export class LocalMetadataStore implements MetadataStore {
  private state: StoredState;
  private readonly listeners: Array<(change: MetadataChange) => void> = [];
  private readonly path: string;

  private constructor(
    dir: string,
    private readonly self: BrokerEndpoint,
    clusterId: string | null,
  ) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, 'cluster-metadata.json');
    if (existsSync(this.path)) {
      this.state = JSON.parse(readFileSync(this.path, 'utf8')) as StoredState;
      if (clusterId && clusterId !== this.state.clusterId) {
        throw new Error(
          `data dir belongs to cluster ${this.state.clusterId} but cluster.id is ${clusterId}: point data.dir elsewhere or drop cluster.id`,
        );
      }
    } else {
      this.state = { version: 1, clusterId: clusterId ?? newClusterId(), nextProducerId: 0, topics: [] };
      this.persist();
    }
  }

  static open(dir: string, self: BrokerEndpoint, clusterId: string | null): LocalMetadataStore {
    return new LocalMetadataStore(dir, self, clusterId);
  }

  get clusterId(): string {
    return this.state.clusterId;
  }

  get controllerId(): number {
    return this.self.brokerId;
  }

  brokers(): BrokerEndpoint[] {
    return [this.self];
  }

  topics(): TopicState[] {
    return this.state.topics;
  }

  topic(name: string): TopicState | undefined {
    return this.state.topics.find((topic) => topic.name === name);
  }

  topicById(topicId: string): TopicState | undefined {
    return this.state.topics.find((topic) => topic.topicId === topicId);
  }

  async createTopic(request: { name: string; numPartitions: number; replicationFactor: number; configs: Record<string, string>; internal?: boolean }): Promise<TopicState> {
    validateTopicName(request.name);
    if (this.topic(request.name)) throw new KafkaError('TOPIC_ALREADY_EXISTS', `topic '${request.name}' already exists`);
    const clash = this.state.topics.find((topic) => collisionKey(topic.name) === collisionKey(request.name));
    if (clash) {
      throw new KafkaError('INVALID_TOPIC_EXCEPTION', `topic '${request.name}' collides with existing topic '${clash.name}' ('.' and '_' are treated alike)`);
    }
    if (request.numPartitions < 1) throw new KafkaError('INVALID_PARTITIONS', 'number of partitions must be at least 1');
    if (request.replicationFactor < 1) throw new KafkaError('INVALID_REPLICATION_FACTOR', 'replication factor must be at least 1');
    if (request.replicationFactor > 1) {
      throw new KafkaError(
        'INVALID_REPLICATION_FACTOR',
        `replication factor ${request.replicationFactor} is larger than the 1 available broker; run a cluster with ZooKeeper for replication`,
      );
    }
    const topic: TopicState = {
      name: request.name,
      topicId: newTopicId(),
      internal: request.internal ?? false,
      partitions: Array.from({ length: request.numPartitions }, (_, partition) => this.partitionState(partition)),
      configs: request.configs,
    };
    this.state.topics.push(topic);
    this.persist();
    this.emit({ type: 'topic-created', topic });
    return topic;
  }

  async deleteTopic(name: string): Promise<TopicState> {
    const topic = this.topic(name);
    if (!topic) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${name}' does not exist`);
    this.state.topics = this.state.topics.filter((candidate) => candidate !== topic);
    this.persist();
    this.emit({ type: 'topic-deleted', topic });
    return topic;
  }

  async createPartitions(name: string, totalCount: number): Promise<TopicState> {
    const topic = this.topic(name);
    if (!topic) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${name}' does not exist`);
    const from = topic.partitions.length;
    if (totalCount <= from) {
      throw new KafkaError('INVALID_PARTITIONS', `topic '${name}' has ${from} partitions; the new count must be larger, got ${totalCount}`);
    }
    for (let partition = from; partition < totalCount; partition++) topic.partitions.push(this.partitionState(partition));
    this.persist();
    this.emit({ type: 'partitions-added', topic, from });
    return topic;
  }

  async alterTopicConfigs(name: string, configs: Record<string, string>): Promise<TopicState> {
    const topic = this.topic(name);
    if (!topic) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${name}' does not exist`);
    topic.configs = configs;
    this.persist();
    this.emit({ type: 'configs-changed', topic });
    return topic;
  }

  dynamicBrokerDefaults(): Record<string, string> {
    return { ...(this.state.brokerDefaults ?? {}) };
  }

  async alterDynamicBrokerDefaults(defaults: Record<string, string>): Promise<void> {
    this.state.brokerDefaults = { ...defaults };
    this.persist();
    this.emit({ type: 'broker-defaults-changed', defaults: { ...defaults } });
  }

  async allocateProducerIdBlock(size: number): Promise<number> {
    const start = this.state.nextProducerId;
    this.state.nextProducerId = start + size;
    this.persist();
    return start;
  }

  entityConfigs(entityType: EntityType, name: string): Record<string, string> {
    return { ...(this.state.entityConfigs?.[entityType][name] ?? {}) };
  }

  allEntityConfigs(entityType: EntityType): Map<string, Record<string, string>> {
    return new Map(Object.entries(this.state.entityConfigs?.[entityType] ?? {}).map(([name, configs]) => [name, { ...configs }]));
  }

  async alterEntityConfigs(entityType: EntityType, name: string, configs: Record<string, string>): Promise<void> {
    const entities = (this.state.entityConfigs ??= { users: {}, clients: {} });
    if (Object.keys(configs).length === 0) delete entities[entityType][name];
    else entities[entityType][name] = { ...configs };
    this.persist();
    this.emit({ type: 'entity-configs-changed', entityType, name });
  }

  acls(): AclBinding[] {
    return [...(this.state.acls ?? [])];
  }

  async createAcls(bindings: AclBinding[]): Promise<void> {
    const acls = (this.state.acls ??= []);
    for (const binding of bindings) if (!acls.some((existing) => sameBinding(existing, binding))) acls.push({ ...binding });
    this.persist();
    this.emit({ type: 'acls-changed' });
  }

  async deleteAcls(filters: AclBindingFilter[]): Promise<AclBinding[][]> {
    const removed = filters.map((filter) => (this.state.acls ?? []).filter((binding) => aclMatchesFilter(binding, filter)));
    const gone = new Set(removed.flat());
    this.state.acls = (this.state.acls ?? []).filter((binding) => !gone.has(binding));
    this.persist();
    this.emit({ type: 'acls-changed' });
    return removed;
  }

  onChange(listener: (change: MetadataChange) => void): void {
    this.listeners.push(listener);
  }

  async alterIsr(): Promise<boolean> {
    // One broker: the ISR is always this replica alone.
    return false;
  }

  async reassignPartitions(): Promise<void> {
    throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', 'a single-node broker has no other brokers to move replicas to; run a cluster with ZooKeeper');
  }

  async close(): Promise<void> {}

  private partitionState(partition: number) {
    return { partition, leader: this.self.brokerId, leaderEpoch: 0, replicas: [this.self.brokerId], isr: [this.self.brokerId] };
  }

  private persist(): void {
    writeFileAtomic(this.path, JSON.stringify(this.state, null, 1));
  }

  private emit(change: MetadataChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
