import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { TopicPartition } from '../../coordinator/transaction/transaction-metadata.ts';
import { mayWriteTransaction } from './transaction-acls.ts';
import type { SecuritySession } from '../../security/session.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';
import { compatibleError } from './transaction-errors.ts';

interface Topic {
  name: string;
  partitions: number[];
}

interface AddPartitionsToTxnRequest {
  transactions?: Array<{ transactionalId: string; producerId: bigint; producerEpoch: number; verifyOnly: boolean; topics: Topic[] }>;
  v3AndBelowTransactionalId?: string;
  v3AndBelowProducerId?: bigint;
  v3AndBelowProducerEpoch?: number;
  v3AndBelowTopics?: Topic[];
}

/** v0-3 come from producers (one transaction); v4+ from brokers, batched by transactional id (KIP-890). */
export function addPartitionsToTxnHandler(services: BrokerServices): ApiHandler {
  const { transactionCoordinator, metadata } = services;

  const addOne = async (session: SecuritySession, transactionalId: string, producerId: bigint, producerEpoch: number, topics: Topic[], verifyOnly: boolean, version: number) => {
    const exists = (tp: TopicPartition) => metadata.topic(tp.topic)?.partitions.some((p) => p.partition === tp.partition) ?? false;
    const requested = topics.flatMap((topic) => topic.partitions.map((partition) => ({ topic: topic.name, partition })));
    const unknown = requested.filter((tp) => !exists(tp));
    const deniedTopics = new Set(topics.filter((topic) => !services.security.authorizer.authorize(session, 'WRITE', 'TOPIC', topic.name)).map((topic) => topic.name));
    let codeFor: (tp: TopicPartition) => number;
    if (!mayWriteTransaction(services, session, transactionalId)) {
      codeFor = () => ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
    } else if (deniedTopics.size > 0) {
      // As Kafka: the denied topics fail, the rest are not attempted.
      codeFor = (tp) => (deniedTopics.has(tp.topic) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : ErrorCode.OPERATION_NOT_ATTEMPTED);
    } else if (unknown.length > 0) {
      // Kafka adds nothing when any partition is unknown: the rest are not attempted.
      codeFor = (tp) => (exists(tp) ? ErrorCode.OPERATION_NOT_ATTEMPTED : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    } else {
      const errorCode = await transactionCoordinator.addPartitions({ transactionalId, producerId: Number(producerId), producerEpoch, partitions: requested, verifyOnly });
      codeFor = () => compatibleError(errorCode, version, 2);
    }
    return topics.map((topic) => ({
      name: topic.name,
      resultsByPartition: topic.partitions.map((partitionIndex) => ({ partitionIndex, partitionErrorCode: codeFor({ topic: topic.name, partition: partitionIndex }) })),
    }));
  };

  return {
    apiKey: ApiKey.AddPartitionsToTxn,
    minVersion: 0,
    maxVersion: 5,
    async handle(request: AddPartitionsToTxnRequest, context) {
      const version = context.apiVersion;
      if (version <= 3) {
        const resultsByTopicV3AndBelow = await addOne(context.connection.session, request.v3AndBelowTransactionalId!, request.v3AndBelowProducerId!, request.v3AndBelowProducerEpoch!, request.v3AndBelowTopics ?? [], false, version);
        return { throttleTimeMs: 0, resultsByTopicV3AndBelow };
      }
      const resultsByTransaction = [];
      for (const txn of request.transactions ?? []) {
        resultsByTransaction.push({ transactionalId: txn.transactionalId, topicResults: await addOne(context.connection.session, txn.transactionalId, txn.producerId, txn.producerEpoch, txn.topics, txn.verifyOnly, version) });
      }
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction };
    },
  };
}
