import type { MetadataStore } from '../metadata/types.ts';
import type { AdminManager } from './admin-manager.ts';

/** A coordinator whose keys (group ids, transactional ids) live on the partitions of an internal topic. */
export interface PartitionedCoordinator {
  partitionFor(key: string): number;
  ownsPartition(partition: number): boolean;
  loadPartition(partition: number): Promise<void>;
}

export interface CoordinatorLocator {
  /** The broker that coordinates the key, creating the internal topic on first use as Kafka does. */
  leaderFor(key: string): Promise<number>;
  /** Loads every partition of the topic this broker leads and the coordinator has not loaded. */
  loadOwnedPartitions(): Promise<void>;
}

export function coordinatorLocator(options: {
  topic: string;
  numPartitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
  brokerId: number;
  metadata: MetadataStore;
  adminManager: AdminManager;
  coordinator: PartitionedCoordinator;
}): CoordinatorLocator {
  const { topic, metadata, coordinator } = options;
  const loadOwnedPartitions = async () => {
    for (const partition of metadata.topic(topic)?.partitions ?? []) {
      if (partition.leader === options.brokerId && !coordinator.ownsPartition(partition.partition)) {
        await coordinator.loadPartition(partition.partition);
      }
    }
  };
  let ready: Promise<void> | null = null;
  return {
    loadOwnedPartitions,
    async leaderFor(key: string): Promise<number> {
      ready ??= options.adminManager
        .ensureInternalTopic(topic, options.numPartitions, options.replicationFactor, options.configs)
        .then(loadOwnedPartitions);
      await ready;
      return metadata.topic(topic)!.partitions[coordinator.partitionFor(key)]!.leader;
    },
  };
}
