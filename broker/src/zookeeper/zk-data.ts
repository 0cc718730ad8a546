import type { BrokerEndpoint, PartitionState } from '../metadata/types.ts';

/** Kafka's znode layout (ZooKeeper mode), so an operator's zookeeper-shell knowledge carries over. */
export const ZkPaths = {
  clusterId: '/cluster/id',
  brokerIds: '/brokers/ids',
  broker: (id: number) => `/brokers/ids/${id}`,
  topics: '/brokers/topics',
  topic: (name: string) => `/brokers/topics/${name}`,
  partitions: (name: string) => `/brokers/topics/${name}/partitions`,
  partitionState: (name: string, partition: number) => `/brokers/topics/${name}/partitions/${partition}/state`,
  controller: '/controller',
  controllerEpoch: '/controller_epoch',
  topicConfigs: '/config/topics',
  topicConfig: (name: string) => `/config/topics/${name}`,
  brokerDefaults: '/config/brokers/<default>',
  deleteTopics: '/admin/delete_topics',
  deleteTopic: (name: string) => `/admin/delete_topics/${name}`,
  reassignPartitions: '/admin/reassign_partitions',
  producerIdBlock: '/latest_producer_id_block',
} as const;

/** Persistent paths every broker ensures exist on start, as Kafka's KafkaZkClient does. */
export const PERSISTENT_PATHS = ['/brokers/ids', '/brokers/topics', '/config/topics', '/config/brokers', '/admin/delete_topics', '/cluster'];

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const parse = (data: Buffer) => JSON.parse(data.toString('utf8')) as Record<string, any>;

export function encodeBroker(endpoint: BrokerEndpoint, adminPort: number): Buffer {
  const listeners = endpoint.endpoints ?? [{ listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: endpoint.host, port: endpoint.port }];
  return json({
    version: 5,
    host: endpoint.host,
    port: endpoint.port,
    endpoints: listeners.map((l) => `${l.listenerName}://${l.host}:${l.port}`),
    listener_security_protocol_map: Object.fromEntries(listeners.map((l) => [l.listenerName, l.securityProtocol])),
    rack: endpoint.rack,
    jmx_port: -1,
    admin_port: adminPort,
    timestamp: String(Date.now()),
  });
}

export function decodeBroker(brokerId: number, data: Buffer): BrokerEndpoint {
  const value = parse(data);
  const protocols = (value.listener_security_protocol_map ?? {}) as Record<string, string>;
  const endpoints = ((value.endpoints ?? []) as string[]).flatMap((entry) => {
    const match = /^([^:]+):\/\/\[?([^\]]*)\]?:(\d+)$/.exec(entry);
    return match ? [{ listenerName: match[1]!, securityProtocol: protocols[match[1]!] ?? match[1]!, host: match[2]!, port: Number(match[3]) }] : [];
  });
  return { brokerId, host: String(value.host), port: Number(value.port), rack: value.rack ?? null, endpoints };
}

export interface TopicAssignment {
  topicId: string;
  /** partition -> replica list, preferred leader first. */
  partitions: Map<number, number[]>;
  addingReplicas: Map<number, number[]>;
  removingReplicas: Map<number, number[]>;
}

const toRecord = (map: Map<number, number[]>) => Object.fromEntries([...map].map(([p, r]) => [String(p), r]));
const toMap = (record: Record<string, number[]> | undefined) => new Map(Object.entries(record ?? {}).map(([p, r]) => [Number(p), r.map(Number)]));

export function encodeTopicAssignment(assignment: TopicAssignment): Buffer {
  return json({
    version: 3,
    topic_id: assignment.topicId,
    partitions: toRecord(assignment.partitions),
    adding_replicas: toRecord(assignment.addingReplicas),
    removing_replicas: toRecord(assignment.removingReplicas),
  });
}

export function decodeTopicAssignment(data: Buffer): TopicAssignment {
  const value = parse(data);
  return {
    topicId: String(value.topic_id),
    partitions: toMap(value.partitions),
    addingReplicas: toMap(value.adding_replicas),
    removingReplicas: toMap(value.removing_replicas),
  };
}

export type LeaderAndIsr = Pick<PartitionState, 'leader' | 'leaderEpoch' | 'isr'> & { controllerEpoch: number };

export function encodeLeaderAndIsr(state: LeaderAndIsr): Buffer {
  return json({ version: 1, leader: state.leader, leader_epoch: state.leaderEpoch, isr: state.isr, controller_epoch: state.controllerEpoch });
}

export function decodeLeaderAndIsr(data: Buffer): LeaderAndIsr {
  const value = parse(data);
  return { leader: Number(value.leader), leaderEpoch: Number(value.leader_epoch), isr: (value.isr as number[]).map(Number), controllerEpoch: Number(value.controller_epoch) };
}

export function encodeConfig(config: Record<string, string>): Buffer {
  return json({ version: 1, config });
}

export function decodeConfig(data: Buffer): Record<string, string> {
  return (parse(data).config as Record<string, string>) ?? {};
}

export function encodeController(brokerId: number): Buffer {
  return json({ version: 1, brokerid: brokerId, timestamp: String(Date.now()) });
}

export function decodeController(data: Buffer): number {
  return Number(parse(data).brokerid);
}

export function encodeProducerIdBlock(brokerId: number, start: number, size: number): Buffer {
  return json({ version: 1, broker: brokerId, block_start: String(start), block_end: String(start + size - 1) });
}

export function decodeProducerIdBlockEnd(data: Buffer): number {
  return Number(parse(data).block_end);
}

export interface ReassignmentRequest {
  topic: string;
  partition: number;
  replicas: number[];
}
