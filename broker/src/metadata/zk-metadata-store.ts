import type { Logger } from '@tributary/common';
import { assignReplicas } from '../controller/replica-placement.ts';
import { KafkaError } from '../protocol/errors.ts';
import { isZkError, refreshingWatcher, ZkCode, type Watcher, type ZkClient } from '../zookeeper/zk-client.ts';
import {
  decodeBroker,
  decodeConfig,
  decodeController,
  decodeLeaderAndIsr,
  decodeProducerIdBlockEnd,
  decodeTopicAssignment,
  encodeBroker,
  encodeConfig,
  encodeLeaderAndIsr,
  encodeProducerIdBlock,
  encodeTopicAssignment,
  PERSISTENT_PATHS,
  ZkPaths,
  type LeaderAndIsr,
  type TopicAssignment,
} from '../zookeeper/zk-data.ts';
import { newClusterId, newTopicId } from './local-metadata-store.ts';
import { collisionKey, validateTopicName } from './topic-name.ts';
import type { AclBinding, AclBindingFilter, BrokerEndpoint, EntityType, MetadataChange, MetadataStore, PartitionState, TopicState } from './types.ts';
import { ZkSecurityStore } from './zk-security-store.ts';
import { checkReassignment, type PartitionMove } from './reassignment.ts';

const INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state']);

interface CachedTopic {
  assignment: TopicAssignment;
  configs: Record<string, string>;
  states: Map<number, { state: LeaderAndIsr; version: number }>;
}

/**
 * Cluster metadata in ZooKeeper, in Kafka's znode layout. Every broker keeps a cache of brokers,
 * topics, assignments and partition states, refreshed by ZooKeeper watches: this is how brokers
 * learn leadership and metadata from the controller (which writes the partition states) instead
 * of Kafka's LeaderAndIsr/UpdateMetadata requests. Writes go to ZooKeeper first; the cache follows
 * from the watch (or at once, for this broker's own writes).
 */
export class ZkMetadataStore implements MetadataStore {
  private readonly liveBrokers = new Map<number, BrokerEndpoint>();
  private readonly topicCache = new Map<string, CachedTopic>();
  private readonly listeners: Array<(change: MetadataChange) => void> = [];
  private currentController = -1;
  private defaults: Record<string, string> = {};
  private closed = false;
  private readonly security: ZkSecurityStore;

  private constructor(
    readonly zk: ZkClient,
    readonly clusterId: string,
    private readonly self: BrokerEndpoint,
    private readonly log: Logger,
  ) {
    this.security = new ZkSecurityStore(zk, (change) => this.emit(change), log);
  }

  /** Ensures Kafka's paths and the cluster id, and loads the cache with watches; register() comes once listening. */
  static async open(zk: ZkClient, self: BrokerEndpoint, options: { clusterId: string | null; log: Logger }): Promise<ZkMetadataStore> {
    for (const path of PERSISTENT_PATHS) await zk.mkdirp(path);
    const clusterId = await ZkMetadataStore.clusterIdOf(zk, options.clusterId);
    const store = new ZkMetadataStore(zk, clusterId, self, options.log);
    await store.watchBrokers();
    await store.watchController();
    await store.watchTopics();
    await store.watchDefaults();
    await store.security.load();
    return store;
  }

  private static async clusterIdOf(zk: ZkClient, wanted: string | null): Promise<string> {
    const existing = await zk.get(ZkPaths.clusterId);
    if (existing) {
      const id = String(JSON.parse(existing.data.toString()).id);
      if (wanted && wanted !== id) throw new Error(`ZooKeeper holds cluster ${id} but cluster.id is ${wanted}: point zookeeper.connect at this cluster's chroot or drop cluster.id`);
      return id;
    }
    try {
      await zk.create(ZkPaths.clusterId, Buffer.from(JSON.stringify({ version: '1', id: wanted ?? newClusterId() })));
    } catch (error) {
      if (!isZkError(error, ZkCode.NODE_EXISTS)) throw error;
    }
    return ZkMetadataStore.clusterIdOf(zk, wanted);
  }

  /**
   * The ephemeral /brokers/ids/<id>. After a crash the previous session's node lingers until
   * ZooKeeper expires it, so a quick restart waits for that instead of failing.
   */
  async register(adminPort: number): Promise<void> {
    const deadline = Date.now() + this.zk.sessionTimeoutMs * 2 + 5000;
    for (;;) {
      try {
        await this.zk.create(ZkPaths.broker(this.self.brokerId), encodeBroker(this.self, adminPort), 'ephemeral');
        return;
      } catch (error) {
        if (!isZkError(error, ZkCode.NODE_EXISTS) || Date.now() > deadline) {
          if (isZkError(error, ZkCode.NODE_EXISTS)) throw new Error(`broker id ${this.self.brokerId} is registered by another live broker: give each broker its own broker.id`);
          throw error;
        }
        this.log.info({ brokerId: this.self.brokerId }, 'waiting for the previous session of this broker id to expire in ZooKeeper');
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  get controllerId(): number {
    return this.currentController;
  }

  brokers(): BrokerEndpoint[] {
    return [...this.liveBrokers.values()].sort((a, b) => a.brokerId - b.brokerId);
  }

  topics(): TopicState[] {
    return [...this.topicCache.keys()].map((name) => this.topic(name)!);
  }

  topic(name: string): TopicState | undefined {
    const cached = this.topicCache.get(name);
    if (!cached) return undefined;
    const partitions: PartitionState[] = [...cached.assignment.partitions]
      .sort(([a], [b]) => a - b)
      .map(([partition, replicas]) => {
        const stored = cached.states.get(partition)?.state;
        return {
          partition,
          leader: stored?.leader ?? -1,
          leaderEpoch: stored?.leaderEpoch ?? -1,
          replicas,
          isr: stored?.isr ?? [],
          addingReplicas: cached.assignment.addingReplicas.get(partition) ?? [],
          removingReplicas: cached.assignment.removingReplicas.get(partition) ?? [],
        };
      });
    return { name, topicId: cached.assignment.topicId, internal: INTERNAL_TOPICS.has(name), partitions, configs: cached.configs };
  }

  topicById(topicId: string): TopicState | undefined {
    for (const [name, cached] of this.topicCache) if (cached.assignment.topicId === topicId) return this.topic(name);
    return undefined;
  }

  /** The stored leader/ISR with its znode version, for conditional writes. */
  partitionState(topic: string, partition: number): { state: LeaderAndIsr; version: number } | undefined {
    return this.topicCache.get(topic)?.states.get(partition);
  }

  assignment(topic: string): TopicAssignment | undefined {
    return this.topicCache.get(topic)?.assignment;
  }

  async createTopic(request: { name: string; numPartitions: number; replicationFactor: number; configs: Record<string, string>; assignments?: number[][]; internal?: boolean }): Promise<TopicState> {
    validateTopicName(request.name);
    if (this.topicCache.has(request.name)) throw new KafkaError('TOPIC_ALREADY_EXISTS', `topic '${request.name}' already exists`);
    const clash = [...this.topicCache.keys()].find((name) => collisionKey(name) === collisionKey(request.name));
    if (clash) throw new KafkaError('INVALID_TOPIC_EXCEPTION', `topic '${request.name}' collides with existing topic '${clash}' ('.' and '_' are treated alike)`);
    if (request.numPartitions < 1) throw new KafkaError('INVALID_PARTITIONS', 'number of partitions must be at least 1');
    if (request.replicationFactor < 1) throw new KafkaError('INVALID_REPLICATION_FACTOR', 'replication factor must be at least 1');
    const replicas = request.assignments ?? assignReplicas(this.brokers(), request.numPartitions, request.replicationFactor);
    const assignment: TopicAssignment = {
      topicId: newTopicId(),
      partitions: new Map(replicas.map((list, partition) => [partition, list])),
      addingReplicas: new Map(),
      removingReplicas: new Map(),
    };
    await this.zk.mkdirp(ZkPaths.topicConfigs);
    const configPath = ZkPaths.topicConfig(request.name);
    if (await this.zk.exists(configPath)) await this.zk.set(configPath, encodeConfig(request.configs), -1);
    else await this.zk.create(configPath, encodeConfig(request.configs));
    try {
      await this.zk.create(ZkPaths.topic(request.name), encodeTopicAssignment(assignment));
    } catch (error) {
      if (isZkError(error, ZkCode.NODE_EXISTS)) throw new KafkaError('TOPIC_ALREADY_EXISTS', `topic '${request.name}' already exists`);
      throw error;
    }
    return this.awaitTopic(request.name, (topic) => topic.partitions.length === request.numPartitions && topic.partitions.every((p) => p.leader >= 0));
  }

  /** Waits (bounded) until the cache shows what the controller was asked to do. */
  private async awaitTopic(name: string, done: (topic: TopicState) => boolean, timeoutMs = 10_000): Promise<TopicState> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const topic = this.topic(name);
      if (topic && done(topic)) return topic;
      if (Date.now() > deadline) {
        if (topic) return topic;
        throw new KafkaError('REQUEST_TIMED_OUT', `topic '${name}' did not appear in ZooKeeper within ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async deleteTopic(name: string): Promise<TopicState> {
    const topic = this.topic(name);
    if (!topic) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${name}' does not exist`);
    try {
      await this.zk.create(ZkPaths.deleteTopic(name), Buffer.alloc(0));
    } catch (error) {
      if (!isZkError(error, ZkCode.NODE_EXISTS)) throw error;
    }
    const deadline = Date.now() + 30_000;
    while (this.topicCache.has(name) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    if (this.topicCache.has(name)) throw new KafkaError('REQUEST_TIMED_OUT', `topic '${name}' is marked for deletion; the controller has not finished yet`);
    return topic;
  }

  async createPartitions(name: string, totalCount: number): Promise<TopicState> {
    const cached = this.topicCache.get(name);
    if (!cached) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${name}' does not exist`);
    const from = cached.assignment.partitions.size;
    if (totalCount <= from) throw new KafkaError('INVALID_PARTITIONS', `topic '${name}' has ${from} partitions; the new count must be larger, got ${totalCount}`);
    await this.updateAssignment(name, (current) => {
      const existing = current.partitions.size;
      if (totalCount <= existing) throw new KafkaError('INVALID_PARTITIONS', `topic '${name}' has ${existing} partitions; the new count must be larger, got ${totalCount}`);
      const replicationFactor = current.partitions.get(0)?.length ?? 1;
      const added = assignReplicas(this.brokers(), totalCount - existing, replicationFactor, { firstPartition: existing });
      const partitions = new Map(current.partitions);
      added.forEach((replicas, i) => partitions.set(existing + i, replicas));
      return { ...current, partitions };
    });
    return this.awaitTopic(name, (topic) => topic.partitions.length === totalCount && topic.partitions.every((p) => p.leader >= 0));
  }

  /**
   * Read-modify-write of a topic's assignment znode, conditional on its version: brokers handling
   * CreatePartitions or reassignments and the controller finishing one may race on it.
   */
  async updateAssignment(name: string, modify: (current: TopicAssignment) => TopicAssignment | null): Promise<void> {
    await this.zk.update(
      ZkPaths.topic(name),
      (node) => {
        if (!node) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${name}' does not exist`);
        const next = modify(decodeTopicAssignment(node.data));
        return next && encodeTopicAssignment(next);
      },
      { attempts: 20, error: () => new KafkaError('REQUEST_TIMED_OUT', `the assignment of topic '${name}' kept changing; retry`) },
    );
  }

  async alterTopicConfigs(name: string, configs: Record<string, string>): Promise<TopicState> {
    if (!this.topicCache.has(name)) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${name}' does not exist`);
    await this.zk.set(ZkPaths.topicConfig(name), encodeConfig(configs), -1);
    return this.awaitTopic(name, (topic) => JSON.stringify(topic.configs) === JSON.stringify(configs), 5000);
  }

  dynamicBrokerDefaults(): Record<string, string> {
    return { ...this.defaults };
  }

  async alterDynamicBrokerDefaults(defaults: Record<string, string>): Promise<void> {
    if (await this.zk.exists(ZkPaths.brokerDefaults)) await this.zk.set(ZkPaths.brokerDefaults, encodeConfig(defaults), -1);
    else await this.zk.create(ZkPaths.brokerDefaults, encodeConfig(defaults));
    this.defaults = { ...defaults };
  }

  /** Kafka's /latest_producer_id_block: a compare-and-set loop so two brokers never share a block. */
  async allocateProducerIdBlock(size: number): Promise<number> {
    let start = 0;
    await this.zk.update(ZkPaths.producerIdBlock, (current) => {
      start = current ? decodeProducerIdBlockEnd(current.data) + 1 : 0;
      return encodeProducerIdBlock(this.self.brokerId, start, size);
    });
    return start;
  }

  async alterIsr(topic: string, partition: number, isr: number[], leaderEpoch: number): Promise<boolean> {
    const current = this.partitionState(topic, partition);
    if (!current || current.state.leader !== this.self.brokerId || current.state.leaderEpoch !== leaderEpoch) return false;
    const next: LeaderAndIsr = { ...current.state, isr };
    try {
      const version = await this.zk.set(ZkPaths.partitionState(topic, partition), encodeLeaderAndIsr(next), current.version);
      this.applyState(topic, partition, next, version);
      return true;
    } catch (error) {
      if (isZkError(error, ZkCode.BAD_VERSION) || isZkError(error, ZkCode.NO_NODE)) return false;
      throw error;
    }
  }

  async reassignPartitions(moves: PartitionMove[]): Promise<void> {
    const live = new Set(this.liveBrokers.keys());
    const byTopic = new Map<string, typeof moves>();
    for (const move of moves) {
      checkReassignment(this.topic(move.topic)?.partitions.find((p) => p.partition === move.partition), move, live);
      byTopic.set(move.topic, [...(byTopic.get(move.topic) ?? []), move]);
    }
    for (const [topic, topicMoves] of byTopic) {
      await this.updateAssignment(topic, (assignment) => {
        const partitions = new Map(assignment.partitions);
        const adding = new Map(assignment.addingReplicas);
        const removing = new Map(assignment.removingReplicas);
        for (const { partition, replicas } of topicMoves) {
          const current = partitions.get(partition)!;
          const original = current.filter((id) => !(adding.get(partition) ?? []).includes(id));
          adding.delete(partition);
          removing.delete(partition);
          if (!replicas) {
            partitions.set(partition, original);
            continue;
          }
          // Kafka's order: target replicas first (so the preferred leader is the target's), then the ones leaving.
          partitions.set(partition, [...replicas, ...original.filter((id) => !replicas.includes(id))]);
          const toAdd = replicas.filter((id) => !original.includes(id));
          const toRemove = original.filter((id) => !replicas.includes(id));
          if (toAdd.length > 0) adding.set(partition, toAdd);
          if (toRemove.length > 0) removing.set(partition, toRemove);
        }
        return { ...assignment, partitions, addingReplicas: adding, removingReplicas: removing };
      });
    }
  }

  entityConfigs(entityType: EntityType, name: string): Record<string, string> {
    return this.security.entityConfigs(entityType, name);
  }

  allEntityConfigs(entityType: EntityType): Map<string, Record<string, string>> {
    return this.security.allEntityConfigs(entityType);
  }

  alterEntityConfigs(entityType: EntityType, name: string, configs: Record<string, string>): Promise<void> {
    return this.security.alterEntityConfigs(entityType, name, configs);
  }

  acls(): AclBinding[] {
    return this.security.acls();
  }

  createAcls(bindings: AclBinding[]): Promise<void> {
    return this.security.createAcls(bindings);
  }

  deleteAcls(filters: AclBindingFilter[]): Promise<AclBinding[][]> {
    return this.security.deleteAcls(filters);
  }

  onChange(listener: (change: MetadataChange) => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.security.close();
    this.zk.close();
  }

  /** Applies a state this broker (or its controller) just wrote, ahead of the watch. */
  applyState(topic: string, partition: number, state: LeaderAndIsr, version: number): void {
    const cached = this.topicCache.get(topic);
    if (!cached) return;
    const known = cached.states.get(partition);
    if (known && known.version >= version) return;
    cached.states.set(partition, { state, version });
    this.emit({ type: 'partition-state-changed', topic: this.topic(topic)! });
  }

  private emit(change: MetadataChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        this.log.error({ err: error, change: change.type }, 'metadata listener failed');
      }
    }
  }

  private rewatch(what: string, refresh: () => Promise<void>): Watcher {
    return refreshingWatcher(this.log, () => this.closed, 'refreshing metadata from ZooKeeper failed', what, refresh);
  }

  private async watchBrokers(): Promise<void> {
    const ids = (await this.zk.children(ZkPaths.brokerIds, this.rewatch('brokers', () => this.watchBrokers()))).map(Number);
    let changed = false;
    for (const id of [...this.liveBrokers.keys()]) {
      if (!ids.includes(id)) {
        this.liveBrokers.delete(id);
        changed = true;
      }
    }
    for (const id of ids) {
      if (this.liveBrokers.has(id)) continue;
      const node = await this.zk.get(ZkPaths.broker(id));
      if (!node) continue;
      this.liveBrokers.set(id, decodeBroker(id, node.data));
      changed = true;
    }
    if (changed) this.emit({ type: 'brokers-changed', brokers: this.brokers() });
  }

  private async watchController(): Promise<void> {
    const node = await this.zk.getWatched(ZkPaths.controller, this.rewatch('controller', () => this.watchController()));
    const controller = node ? decodeController(node.data) : -1;
    if (controller !== this.currentController) {
      this.currentController = controller;
      this.emit({ type: 'controller-changed', controllerId: controller });
    }
  }

  private async watchDefaults(): Promise<void> {
    const node = await this.zk.getWatched(ZkPaths.brokerDefaults, this.rewatch('broker defaults', () => this.watchDefaults()));
    if (!node) return;
    const defaults = decodeConfig(node.data);
    if (JSON.stringify(defaults) === JSON.stringify(this.defaults)) return;
    this.defaults = defaults;
    this.emit({ type: 'broker-defaults-changed', defaults: { ...defaults } });
  }

  private async watchTopics(): Promise<void> {
    const names = await this.zk.children(ZkPaths.topics, this.rewatch('topics', () => this.watchTopics()));
    for (const name of [...this.topicCache.keys()]) {
      if (names.includes(name)) continue;
      const topic = this.topic(name)!;
      this.topicCache.delete(name);
      this.emit({ type: 'topic-deleted', topic });
    }
    for (const name of names) if (!this.topicCache.has(name)) await this.watchTopic(name);
  }

  private async watchTopic(name: string): Promise<void> {
    const node = await this.zk.get(ZkPaths.topic(name), this.rewatch(`topic ${name}`, () => this.watchTopic(name)));
    if (!node) return;
    const assignment = decodeTopicAssignment(node.data);
    const cached = this.topicCache.get(name);
    if (!cached) {
      const configNode = await this.zk.get(ZkPaths.topicConfig(name), this.rewatch(`config ${name}`, () => this.watchTopicConfig(name)));
      const entry: CachedTopic = { assignment, configs: configNode ? decodeConfig(configNode.data) : {}, states: new Map() };
      this.topicCache.set(name, entry);
      for (const partition of assignment.partitions.keys()) await this.watchPartitionState(name, partition);
      this.emit({ type: 'topic-created', topic: this.topic(name)! });
      return;
    }
    const from = cached.assignment.partitions.size;
    cached.assignment = assignment;
    for (const partition of assignment.partitions.keys()) if (!cached.states.has(partition)) await this.watchPartitionState(name, partition);
    if (assignment.partitions.size > from) this.emit({ type: 'partitions-added', topic: this.topic(name)!, from });
    else this.emit({ type: 'partition-state-changed', topic: this.topic(name)! });
  }

  private async watchTopicConfig(name: string): Promise<void> {
    const node = await this.zk.get(ZkPaths.topicConfig(name), this.rewatch(`config ${name}`, () => this.watchTopicConfig(name)));
    const cached = this.topicCache.get(name);
    if (!node || !cached) return;
    cached.configs = decodeConfig(node.data);
    this.emit({ type: 'configs-changed', topic: this.topic(name)! });
  }

  private async watchPartitionState(name: string, partition: number): Promise<void> {
    const path = ZkPaths.partitionState(name, partition);
    const watcher = this.rewatch(`state ${name}-${partition}`, () => this.watchPartitionState(name, partition));
    // A deleted topic's states need no exists-watch waiting for them to come back.
    const node = this.topicCache.has(name) ? await this.zk.getWatched(path, watcher) : await this.zk.get(path, watcher);
    if (!node) return;
    this.applyState(name, partition, decodeLeaderAndIsr(node.data), node.version);
  }
}
