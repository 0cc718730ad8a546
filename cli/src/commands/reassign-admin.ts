import kafkajs from 'kafkajs';
import { createAdmin, IncrementalAlterConfigOperationTypes, ConfigResourceTypes, parseBootstrap } from '@tributary/common/kafka';
import type { PartitionMove } from './reassign-plan.ts';

const { Kafka, logLevel } = kafkajs;

type Admin = ReturnType<typeof createAdmin>;

/** Kafka's throttle settings for reassignment traffic, in bytes/s (dynamic broker configs). */
export const THROTTLE_KEYS = ['follower.replication.throttled.rate', 'leader.replication.throttled.rate'];

export interface OngoingReassignment {
  topic: string;
  partition: number;
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
}

/**
 * The reassignment APIs through kafkajs: @platformatic/kafka (the client everything else uses) has
 * no AlterPartitionReassignments / ListPartitionReassignments yet.
 */
export async function connectReassignmentAdmin(bootstrap: string) {
  const kafka = new Kafka({ clientId: 'tributary-cli', brokers: parseBootstrap(bootstrap), logLevel: logLevel.NOTHING, retry: { retries: 3 } });
  const admin = kafka.admin();
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(`no broker answers at ${bootstrap}: start one (tributary broker start) or pass --bootstrap-server HOST:PORT`, { cause: error });
  }
  return {
    async alter(moves: PartitionMove[]): Promise<void> {
      const byTopic = new Map<string, Array<{ partition: number; replicas: number[] }>>();
      for (const move of moves) byTopic.set(move.topic, [...(byTopic.get(move.topic) ?? []), { partition: move.partition, replicas: move.replicas }]);
      try {
        await admin.alterPartitionReassignments({ topics: [...byTopic].map(([topic, partitionAssignment]) => ({ topic, partitionAssignment })) });
      } catch (error) {
        throw explainKafkajsError(error);
      }
    },
    /** In-progress reassignments of the given topics (all topics when null). */
    async list(topics: string[] | null, partitionsOf?: (topic: string) => number[]): Promise<OngoingReassignment[]> {
      const request = topics === null ? {} : { topics: topics.map((topic) => ({ topic, partitions: partitionsOf!(topic) })) };
      const response = await admin.listPartitionReassignments(request).catch((error: unknown) => {
        throw explainKafkajsError(error);
      });
      // kafkajs 2.2 decodes the topic name as `name`, though its types say `topic`.
      return response.topics.flatMap((topic) =>
        topic.partitions.map((p) => ({ topic: (topic as { name?: string }).name ?? topic.topic, partition: p.partitionIndex, replicas: p.replicas, addingReplicas: p.addingReplicas ?? [], removingReplicas: p.removingReplicas ?? [] })),
      );
    },
    close: () => admin.disconnect(),
  };
}

/** kafkajs folds per-partition failures into an aggregate; name each partition and its error. */
function explainKafkajsError(error: unknown): unknown {
  const nested = (error as { errors?: Array<{ topic?: string; partition?: number; message?: string; type?: string }> }).errors;
  if (!Array.isArray(nested) || nested.length === 0) return error;
  const parts = nested.map((e) => `${e.topic !== undefined ? `${e.topic}-${e.partition}: ` : ''}${e.type ?? ''} ${e.message ?? ''}`.trim());
  return new Error(`${(error as Error).message}: ${parts.join('; ')}. Check the broker ids in the plan against 'tributary cluster describe'`, { cause: error });
}

/**
 * Sets (rate) or removes (null) the replication throttle. Like kafka-reassign-partitions.sh it
 * writes the setting on each broker, named by its id: Apache Kafka keeps it per broker, and
 * Tributary stores it as the cluster-wide dynamic default either way. One broker at a time, so
 * the writes do not race each other.
 */
export async function setThrottle(admin: Admin, brokerIds: number[], rate: number | null): Promise<void> {
  for (const brokerId of brokerIds) {
    await admin.incrementalAlterConfigs({
      resources: [{
        resourceType: ConfigResourceTypes.BROKER,
        resourceName: String(brokerId),
        configs: THROTTLE_KEYS.map((name) =>
          rate === null
            ? { name, configOperation: IncrementalAlterConfigOperationTypes.DELETE, value: null }
            : { name, configOperation: IncrementalAlterConfigOperationTypes.SET, value: String(rate) },
        ),
      }],
    } as never);
  }
}
