import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { failedAppend, partitionKey, type AppendOutcome } from '../../replication/replica-manager.ts';
import { awaitReplication } from '../../replication/await-replication.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';

interface ProduceRequest {
  transactionalId: string | null;
  acks: number;
  timeoutMs: number;
  topicData: Array<{ name: string; partitionData: Array<{ index: number; records: Buffer | null }> }>;
}

interface PartitionResult {
  topic: string;
  partition: number;
  outcome: AppendOutcome;
}

/** Versions 0-2 carry the pre-0.11 message format, which this broker does not store. */
const FIRST_RECORD_BATCH_VERSION = 3;

export function produceHandler(services: BrokerServices): ApiHandler {
  const { replicaManager, metadata, metrics, producePurgatory } = services;

  const respond = (results: PartitionResult[], version: number, failures: Map<string, number> = new Map()) => {
    const byTopic = new Map<string, PartitionResult[]>();
    for (const result of results) {
      const list = byTopic.get(result.topic) ?? [];
      list.push(result);
      byTopic.set(result.topic, list);
    }
    return {
      responses: [...byTopic].map(([name, partitions]) => ({
        name,
        partitionResponses: partitions.map(({ partition, outcome, topic }) => {
          const errorCode = failures.get(partitionKey(topic, partition)) ?? outcome.errorCode;
          const ok = outcome.errorCode === 0;
          return {
            index: partition,
            errorCode,
            baseOffset: ok ? BigInt(outcome.firstOffset) : -1n,
            logAppendTimeMs: ok ? BigInt(outcome.logAppendTimeMs) : -1n,
            logStartOffset: ok ? BigInt(outcome.logStartOffset) : -1n,
            recordErrors: [],
            errorMessage: ok || version < 8 ? null : outcome.message,
          };
        }),
      })),
      throttleTimeMs: 0,
    };
  };

  return {
    apiKey: ApiKey.Produce,
    // Advertised from 0 although only 3+ is accepted: librdkafka 2.0 sends compressed batches
    // only to brokers whose Produce range includes 0 (KAFKA-18659); Kafka 4 does the same.
    minVersion: 0,
    maxVersion: 11,
    handle(request: ProduceRequest, context) {
      const version = context.apiVersion;
      const results: PartitionResult[] = [];
      const appends: Array<{ topic: string; partition: number; records: Buffer; slot: number }> = [];
      const validAcks = request.acks === 0 || request.acks === 1 || request.acks === -1;
      for (const topicData of request.topicData) {
        for (const partitionData of topicData.partitionData) {
          const slot = results.length;
          const fail = (errorCode: number, message: string) =>
            results.push({ topic: topicData.name, partition: partitionData.index, outcome: failedAppend(errorCode, message) });
          if (!validAcks) fail(ErrorCode.INVALID_REQUIRED_ACKS, `acks must be 0, 1 or -1, got ${request.acks}`);
          else if (version < FIRST_RECORD_BATCH_VERSION) fail(ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT, 'produce v0-2 (message format v0/v1) is not supported; use a client that speaks produce v3+');
          else if (!services.security.authorizer.authorize(context.connection.session, 'WRITE', 'TOPIC', topicData.name)) fail(ErrorCode.TOPIC_AUTHORIZATION_FAILED, `not authorized to write topic ${topicData.name}`);
          else if (!partitionData.records || partitionData.records.length === 0) fail(ErrorCode.INVALID_RECORD, 'no records in the request');
          else {
            results.push({ topic: topicData.name, partition: partitionData.index, outcome: failedAppend(ErrorCode.NONE, '') });
            appends.push({ topic: topicData.name, partition: partitionData.index, records: partitionData.records, slot });
          }
        }
      }
      if (appends.length > 0) {
        const outcomes = replicaManager.appendRecords(appends, request.acks, (name) => metadata.topic(name));
        outcomes.forEach((outcome, i) => {
          const append = appends[i]!;
          results[append.slot]!.outcome = outcome;
          if (outcome.errorCode === 0) {
            metrics.bytesIn.inc({ topic: append.topic }, append.records.length);
            metrics.messagesIn.inc({ topic: append.topic }, outcome.recordCount);
          }
        });
      }
      if (request.acks === 0) return null;
      if (request.acks !== -1) return respond(results, version);
      const targets = results
        .filter(({ outcome }) => outcome.errorCode === 0)
        .map(({ topic, partition, outcome }) => ({ topic, partition, lastOffset: outcome.lastOffset }));
      // acks=all: answer once every ISR member has the batch, or time out as Kafka does.
      return awaitReplication(replicaManager, metadata, producePurgatory, targets, request.timeoutMs).then((failures) => respond(results, version, failures));
    },
  };
}
