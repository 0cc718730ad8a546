import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { mayWriteTransaction } from './transaction-acls.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';
import { compatibleError } from './transaction-errors.ts';
import { commitTopics, type RequestTopics } from './offset-commit.ts';

interface TxnOffsetCommitRequest {
  transactionalId: string;
  groupId: string;
  producerId: bigint;
  producerEpoch: number;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  topics: RequestTopics;
}

export function txnOffsetCommitHandler(services: BrokerServices): ApiHandler {
  return {
    apiKey: ApiKey.TxnOffsetCommit,
    minVersion: 0,
    maxVersion: 3,
    async handle(request: TxnOffsetCommitRequest, context) {
      const version = context.apiVersion;
      const session = context.connection.session;
      const denial = !mayWriteTransaction(services, session, request.transactionalId)
        ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
        : !services.security.authorizer.authorize(session, 'READ', 'GROUP', request.groupId)
          ? ErrorCode.GROUP_AUTHORIZATION_FAILED
          : null;
      if (denial !== null) {
        return { throttleTimeMs: 0, topics: request.topics.map((topic) => ({ name: topic.name, partitions: topic.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: denial })) })) };
      }
      const result = await services.groupCoordinator.commitTxnOffsets({
        transactionalId: request.transactionalId,
        groupId: request.groupId,
        producerId: Number(request.producerId),
        producerEpoch: request.producerEpoch,
        generationId: version >= 3 ? request.generationId : -1,
        memberId: version >= 3 ? request.memberId : '',
        groupInstanceId: version >= 3 ? (request.groupInstanceId ?? null) : null,
        topics: commitTopics(request.topics),
      });
      return {
        throttleTimeMs: 0,
        topics: result.topics.map((topic) => ({
          name: topic.name,
          partitions: topic.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: compatibleError(p.errorCode, version, Infinity) })),
        })),
      };
    },
  };
}
