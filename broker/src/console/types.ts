import type { GroupCoordinator } from '../group/group-coordinator.ts';
import type { MetadataStore } from '../metadata/types.ts';
import type { ReplicaManager } from '../replication/replica-manager.ts';
import type { BrokerMetrics } from '../server/metrics.ts';

/** What the console reads: the broker's own components, never its sockets or its write paths. */
export interface ConsoleSources {
  brokerId: number;
  /** Advertised address of the Kafka listener. */
  host: string;
  port: number;
  metadata: MetadataStore;
  replicaManager: ReplicaManager;
  groupCoordinator: GroupCoordinator;
  metrics: BrokerMetrics;
  /** Open client connections right now. */
  connections(): number;
}

export interface ConsoleOptions {
  sources: ConsoleSources;
  /** console.collectors: NAME=URL entries. */
  collectors: string[];
  /** Per-request timeout for collector status fetches. */
  collectorTimeoutMs?: number;
  /** Sampling period of the throughput and lag history (1 s). */
  sampleIntervalMs?: number;
  /** Samples kept (300: five minutes at one per second). */
  historySize?: number;
  /** When the broker started (uptime is counted from it). */
  startedAt?: number;
}
