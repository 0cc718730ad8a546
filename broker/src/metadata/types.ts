export interface PartitionState {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  /** Replicas a reassignment is adding / removing (Kafka's adding_replicas / removing_replicas). */
  addingReplicas?: number[];
  removingReplicas?: number[];
}

export interface TopicState {
  name: string;
  /** 16 bytes as 32 lowercase hex characters, stable for the topic's life. */
  topicId: string;
  internal: boolean;
  partitions: PartitionState[];
  /** Topic-level overrides under Kafka's names; broker defaults fill in the rest. */
  configs: Record<string, string>;
}

export interface BrokerEndpoint {
  brokerId: number;
  host: string;
  port: number;
  rack: string | null;
  /** One advertised endpoint per listener (Kafka's /brokers/ids/N "endpoints"); host/port above is the first. */
  endpoints?: ListenerEndpoint[];
}

export interface ListenerEndpoint {
  listenerName: string;
  securityProtocol: string;
  host: string;
  port: number;
}

/** Kafka's ZooKeeper config entities: /config/users/<name> and /config/clients/<name>. */
export type EntityType = 'users' | 'clients';

/** Kafka's ACL model; enum values are the wire codes (ResourceType, PatternType, AclOperation, AclPermissionType). */
export interface AclBinding {
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

/** A DeleteAcls / DescribeAcls filter: null matches anything, ANY (1) codes match any value. */
export interface AclBindingFilter {
  resourceType: number;
  resourceName: string | null;
  patternType: number;
  principal: string | null;
  host: string | null;
  operation: number;
  permissionType: number;
}

export type MetadataChange =
  | { type: 'topic-created'; topic: TopicState }
  | { type: 'topic-deleted'; topic: TopicState }
  | { type: 'partitions-added'; topic: TopicState; from: number }
  | { type: 'configs-changed'; topic: TopicState }
  | { type: 'broker-defaults-changed'; defaults: Record<string, string> }
  | { type: 'partition-state-changed'; topic: TopicState }
  | { type: 'brokers-changed'; brokers: BrokerEndpoint[] }
  | { type: 'controller-changed'; controllerId: number }
  | { type: 'entity-configs-changed'; entityType: EntityType; name: string }
  | { type: 'acls-changed' };

/**
 * Where cluster metadata lives: a local file for the single-node default, ZooKeeper for a cluster.
 * The broker reads it through this interface only.
 */
export interface MetadataStore {
  readonly clusterId: string;
  readonly controllerId: number;
  brokers(): BrokerEndpoint[];
  topics(): TopicState[];
  topic(name: string): TopicState | undefined;
  topicById(topicId: string): TopicState | undefined;
  createTopic(request: { name: string; numPartitions: number; replicationFactor: number; configs: Record<string, string>; assignments?: number[][]; internal?: boolean }): Promise<TopicState>;
  deleteTopic(name: string): Promise<TopicState>;
  createPartitions(name: string, totalCount: number): Promise<TopicState>;
  alterTopicConfigs(name: string, configs: Record<string, string>): Promise<TopicState>;
  /** Cluster-wide broker defaults changed at run time (Kafka's dynamic default broker configs). */
  dynamicBrokerDefaults(): Record<string, string>;
  alterDynamicBrokerDefaults(defaults: Record<string, string>): Promise<void>;
  /** Allocates a block of producer ids; the block survives restarts so ids are never reused. */
  allocateProducerIdBlock(size: number): Promise<number>;
  /** Configs of one user or client id (SCRAM credentials, quotas); (user, client) pairs are named `<user>/clients/<client>`. */
  entityConfigs(entityType: EntityType, name: string): Record<string, string>;
  /** Every entity of a type that has configs, by name. */
  allEntityConfigs(entityType: EntityType): Map<string, Record<string, string>>;
  /** Replaces an entity's configs; an empty record removes the entity. */
  alterEntityConfigs(entityType: EntityType, name: string, configs: Record<string, string>): Promise<void>;
  /** Every ACL binding in the cluster. */
  acls(): AclBinding[];
  /** Adds bindings (already validated); existing identical bindings are kept once. */
  createAcls(bindings: AclBinding[]): Promise<void>;
  /** Removes the bindings each filter matches and returns them, one list per filter. */
  deleteAcls(filters: AclBindingFilter[]): Promise<AclBinding[][]>;
  onChange(listener: (change: MetadataChange) => void): void;
  /**
   * Leader-side ISR change (shrink or expand), written only if the partition state is unchanged
   * since this broker read it; returns false when someone (the controller) changed it first.
   */
  alterIsr(topic: string, partition: number, isr: number[], leaderEpoch: number): Promise<boolean>;
  /** Starts moving partitions to new replica lists (Kafka's AlterPartitionReassignments); null cancels. */
  reassignPartitions(moves: Array<{ topic: string; partition: number; replicas: number[] | null }>): Promise<void>;
  close(): Promise<void>;
}
