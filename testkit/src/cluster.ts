import { startBroker, type BrokerInstance } from './broker.ts';
import { startZooKeeper, type ZooKeeperInstance } from './zookeeper.ts';

export interface ClusterInstance {
  zookeeper: ZooKeeperInstance;
  brokers: Map<number, BrokerInstance>;
  /** Every broker's address, as a --bootstrap-server list. */
  bootstrap(): string;
  broker(id: number): BrokerInstance;
  /** Starts one more broker (a new id) in the same cluster. */
  addBroker(id: number): Promise<BrokerInstance>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  brokers?: number;
  /** Broker settings for every broker (YAML broker section keys). */
  config?: Record<string, string | number | boolean>;
  /** Settings for one broker on top of `config` (e.g. its own listener ports), also for addBroker. */
  brokerConfig?: (id: number) => Record<string, string | number | boolean> | Promise<Record<string, string | number | boolean>>;
}

/**
 * A private ZooKeeper and brokers 1..N as separate processes on loopback, each with its own data
 * directory: the shape of a real cluster, small. Settings default to quick failure detection.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<ClusterInstance> {
  const zookeeper = await startZooKeeper();
  const config = {
    'zookeeper.session.timeout.ms': 4000,
    'replica.lag.time.max.ms': 4000,
    'offsets.topic.replication.factor': 3,
    'offsets.topic.num.partitions': 6,
    'group.initial.rebalance.delay.ms': 0,
    ...options.config,
  };
  const brokers = new Map<number, BrokerInstance>();
  const start = async (id: number) =>
    startBroker({ brokerId: id, zookeeper: zookeeper.connectString, config: { ...config, ...(await options.brokerConfig?.(id)) } });
  try {
    const ids = Array.from({ length: options.brokers ?? 3 }, (_, i) => i + 1);
    for (const [i, broker] of (await Promise.all(ids.map(start))).entries()) brokers.set(ids[i]!, broker);
  } catch (error) {
    await Promise.allSettled([...brokers.values()].map((broker) => broker.stop()));
    await zookeeper.stop();
    throw error;
  }
  return {
    zookeeper,
    brokers,
    bootstrap: () => [...brokers.values()].map((broker) => broker.bootstrap).join(','),
    broker(id) {
      const broker = brokers.get(id);
      if (!broker) throw new Error(`no broker ${id} in this cluster`);
      return broker;
    },
    async addBroker(id) {
      const broker = await start(id);
      brokers.set(id, broker);
      return broker;
    },
    async stop() {
      await Promise.allSettled([...brokers.values()].map((broker) => broker.stop()));
      await zookeeper.stop();
    },
  };
}
