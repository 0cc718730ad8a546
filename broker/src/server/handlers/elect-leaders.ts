import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode, type ErrorCodeName } from '../../protocol/errors.ts';
import { decideElection, type ElectionType } from '../../controller/leader-election.ts';
import type { ElectionOutcome } from '../../controller/kafka-controller.ts';
import type { MetadataStore } from '../../metadata/types.ts';
import { CLUSTER_NAME } from '../../security/authorizer/acl-binding.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';

interface ElectLeadersRequest {
  electionType?: number;
  topicPartitions: Array<{ topic: string; partitions: number[] }> | null;
  timeoutMs: number;
}

/**
 * Kafka's ElectLeaders (KIP-460): preferred (type 0) or unclean (type 1) leader election for the
 * listed partitions, or all of them when the list is null. The active controller decides, so
 * clients send it there (the controller id is in Metadata); other brokers answer NOT_CONTROLLER.
 * A broker without ZooKeeper leads all its partitions and has nothing to elect.
 */
export function electLeadersHandler(services: BrokerServices): ApiHandler {
  return {
    apiKey: ApiKey.ElectLeaders,
    minVersion: 0,
    maxVersion: 2,
    async handle(request: ElectLeadersRequest, context) {
      const answer = (errorCode: number, outcomes: ElectionOutcome[]) => ({ throttleTimeMs: 0, errorCode, replicaElectionResults: groupByTopic(outcomes) });
      const requested = request.topicPartitions?.flatMap(({ topic, partitions }) => partitions.map((partition) => ({ topic, partition }))) ?? null;
      const refuseAll = (error: ErrorCodeName, message: string) =>
        answer(ErrorCode[error], (requested ?? []).map(({ topic, partition }) => ({ topic, partition, error, message })));
      if (!services.security.authorizer.authorize(context.connection.session, 'ALTER', 'CLUSTER', CLUSTER_NAME)) {
        return refuseAll('CLUSTER_AUTHORIZATION_FAILED', 'ALTER on the cluster is needed to elect leaders');
      }
      const type: ElectionType = (request.electionType ?? 0) === 1 ? 'unclean' : 'preferred';
      const { controller } = services;
      if (!controller) return answer(ErrorCode.NONE, decideLocally(services.metadata, type, requested));
      if (!controller.isActive) return refuseAll('NOT_CONTROLLER', 'this broker is not the controller; send ElectLeaders to the controller named in Metadata');
      return answer(ErrorCode.NONE, await controller.electLeaders(type, requested));
    },
  };
}

function decideLocally(metadata: MetadataStore, type: ElectionType, requested: Array<{ topic: string; partition: number }> | null): ElectionOutcome[] {
  const live = new Set(metadata.brokers().map((broker) => broker.brokerId));
  const targets = requested ?? metadata.topics().flatMap((topic) => topic.partitions.map((p) => ({ topic: topic.name, partition: p.partition })));
  return targets.map(({ topic, partition }) => {
    const state = metadata.topic(topic)?.partitions.find((p) => p.partition === partition);
    if (!state) return { topic, partition, error: 'UNKNOWN_TOPIC_OR_PARTITION', message: `${topic}-${partition} does not exist` };
    const decision = decideElection(type, state, live);
    if ('refused' in decision) return { topic, partition, error: decision.refused, message: decision.reason };
    return { topic, partition, error: 'NOT_CONTROLLER', message: 'this broker runs without a controller (no ZooKeeper configured) and cannot move leaders' };
  });
}

function groupByTopic(outcomes: ElectionOutcome[]) {
  const topics = new Map<string, ElectionOutcome[]>();
  for (const outcome of outcomes) topics.set(outcome.topic, [...(topics.get(outcome.topic) ?? []), outcome]);
  return [...topics].map(([topic, results]) => ({
    topic,
    partitionResult: results.map((r) => ({ partitionId: r.partition, errorCode: r.error ? ErrorCode[r.error] : ErrorCode.NONE, errorMessage: r.message })),
  }));
}
