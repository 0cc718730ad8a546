import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import { partitionKey } from '../../replication/replica-manager.ts';
import { ByteRate, throttledFetchMaxBytes } from '../../replication/byte-rate.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';
import { CLUSTER_NAME } from '../../security/authorizer/acl-binding.ts';

interface FetchRequest {
  replicaId: number;
  replicaState?: { replicaId: number; replicaEpoch: bigint };
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  isolationLevel: number;
  sessionId: number;
  sessionEpoch: number;
  topics: Array<{
    topic: string;
    topicId: string;
    partitions: Array<{ partition: number; currentLeaderEpoch: number; fetchOffset: bigint; logStartOffset: bigint; partitionMaxBytes: number }>;
  }>;
}

interface PartitionFetch {
  topic: string;
  topicId: string;
  partition: number;
  currentLeaderEpoch: number;
  fetchOffset: number;
  maxBytes: number;
  /** Set when the topic could not be resolved; the partition answers with this error. */
  error?: number;
}

interface PartitionData {
  partitionIndex: number;
  errorCode: number;
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
  abortedTransactions: Array<{ producerId: bigint; firstOffset: bigint }> | null;
  preferredReadReplica: number;
  records: Buffer[];
}

const ZERO_UUID = '0'.repeat(32);
const READ_COMMITTED = 1;

export function fetchHandler(services: BrokerServices): ApiHandler {
  const { replicaManager, metadata, metrics, dynamicConfig } = services;
  /**
   * The leader side of the reassignment throttle (Kafka's leader replication quota): bytes sent to
   * replicas a reassignment is adding and not yet in sync, across all followers. While their rate is over
   * leader.replication.throttled.rate those partitions come back empty, which is no error: the
   * follower asks again and gets the records once the rate has fallen back.
   */
  const reassignmentBytesSent = new ByteRate();

  /** Reads every partition once; returns the response pieces and how many record bytes they hold. */
  const readAll = (fetches: PartitionFetch[], request: FetchRequest, replicaId: number) => {
    let remaining = request.maxBytes > 0 ? request.maxBytes : 0x7fffffff;
    let bytes = 0;
    let errors = 0;
    let throttledBytes = 0;
    const quota = replicaId >= 0 ? dynamicConfig.leaderThrottleRate() : 0;
    const data: Array<{ fetch: PartitionData; item: PartitionFetch }> = [];
    for (const item of fetches) {
      const empty: PartitionData = {
        partitionIndex: item.partition,
        errorCode: ErrorCode.NONE,
        highWatermark: -1n,
        lastStableOffset: -1n,
        logStartOffset: -1n,
        abortedTransactions: null,
        preferredReadReplica: -1,
        // Clients such as librdkafka reject a null record set; "no data" is an empty one.
        records: [],
      };
      if (item.error !== undefined) {
        data.push({ fetch: { ...empty, errorCode: item.error }, item });
        errors++;
        continue;
      }
      try {
        const partition = replicaManager.leaderPartition(item.topic, item.partition, true, item.currentLeaderEpoch);
        const log = partition.log;
        // Consumers never see past the high watermark, read_committed ones not past the last
        // stable offset; followers read to the log end.
        const readCommitted = replicaId < 0 && request.isolationLevel === READ_COMMITTED;
        const lastStableOffset = log.lastStableOffset;
        const maxOffset = replicaId >= 0 ? log.logEndOffset : readCommitted ? lastStableOffset : partition.highWatermark;
        empty.highWatermark = BigInt(partition.highWatermark);
        empty.lastStableOffset = BigInt(lastStableOffset);
        empty.logStartOffset = BigInt(log.logStartOffset);
        if (item.fetchOffset < log.logStartOffset || item.fetchOffset > log.logEndOffset) {
          throw new KafkaError('OFFSET_OUT_OF_RANGE', `offset ${item.fetchOffset} is outside [${log.logStartOffset}, ${log.logEndOffset}]`);
        }
        const throttled = replicaId >= 0 && partition.isThrottledReplica(replicaId);
        if (throttled && quota > 0 && reassignmentBytesSent.rate(Date.now(), throttledBytes) > quota) {
          data.push({ fetch: empty, item });
          continue;
        }
        const budget = Math.min(throttled ? throttledFetchMaxBytes(item.maxBytes, quota) : item.maxBytes, remaining);
        if (budget > 0 || bytes === 0) {
          const read = log.read(item.fetchOffset, budget, maxOffset, bytes === 0);
          let size = 0;
          for (const chunk of read.records) size += chunk.length;
          if (size > 0) {
            empty.records = read.records;
            if (readCommitted) {
              empty.abortedTransactions = log.collectAbortedTransactions(item.fetchOffset, maxOffset)
                .map((txn) => ({ producerId: BigInt(txn.producerId), firstOffset: BigInt(txn.firstOffset) }));
            }
            bytes += size;
            remaining -= size;
            if (throttled) throttledBytes += size;
          }
        }
        data.push({ fetch: empty, item });
      } catch (error) {
        if (!(error instanceof KafkaError)) throw error;
        data.push({ fetch: { ...empty, errorCode: error.code }, item });
        errors++;
      }
    }
    return { data, bytes, errors, throttledBytes };
  };

  const respond = (result: ReturnType<typeof readAll>, topicIds: boolean) => {
    // Only the read that is answered counts: a parked fetch reads again on every wake-up.
    if (result.throttledBytes > 0) {
      reassignmentBytesSent.record(result.throttledBytes, Date.now());
      metrics.leaderReplicationThrottledBytes.inc(result.throttledBytes);
    }
    const topics: Array<{ topic: string; topicId: string; partitions: PartitionData[] }> = [];
    let current: (typeof topics)[number] | undefined;
    for (const { fetch, item } of result.data) {
      if (!current || current.topic !== item.topic || current.topicId !== item.topicId) {
        current = { topic: item.topic, topicId: item.topicId, partitions: [] };
        topics.push(current);
      }
      current.partitions.push(fetch);
      if (fetch.records.length > 0) {
        let size = 0;
        for (const chunk of fetch.records) size += chunk.length;
        metrics.bytesOut.inc({ topic: item.topic }, size);
      }
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      // Session id 0: no incremental fetch session is kept; every fetch is a full fetch (KIP-227 allows it).
      sessionId: 0,
      responses: topicIds ? topics.map(({ topicId, partitions }) => ({ topic: '', topicId, partitions })) : topics.map(({ topic, partitions }) => ({ topic, topicId: ZERO_UUID, partitions })),
    };
  };

  return {
    apiKey: ApiKey.Fetch,
    minVersion: 4,
    maxVersion: 17,
    handle(request: FetchRequest, context) {
      const version = context.apiVersion;
      const topicIds = version >= 13;
      if (request.sessionId !== 0) {
        // We never hand out session ids, so a client asking for one has none to continue.
        return { throttleTimeMs: 0, errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [] };
      }
      const replicaId = version >= 15 ? (request.replicaState?.replicaId ?? -1) : request.replicaId;
      const fetches: PartitionFetch[] = [];
      for (const topic of request.topics) {
        const state = topicIds ? metadata.topicById(topic.topicId) : metadata.topic(topic.topic);
        for (const partition of topic.partitions) {
          const fetch: PartitionFetch = {
            topic: state?.name ?? topic.topic,
            topicId: topic.topicId,
            partition: partition.partition,
            currentLeaderEpoch: partition.currentLeaderEpoch,
            fetchOffset: Number(partition.fetchOffset),
            maxBytes: partition.partitionMaxBytes,
          };
          if (!state) fetch.error = topicIds ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          else if (!state.partitions.some((p) => p.partition === partition.partition)) fetch.error = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          else if (!(replicaId >= 0 ? services.security.authorizer.authorize(context.connection.session, 'CLUSTER_ACTION', 'CLUSTER', CLUSTER_NAME) : services.security.authorizer.authorize(context.connection.session, 'READ', 'TOPIC', state.name))) fetch.error = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
          fetches.push(fetch);
        }
      }
      // A follower's fetch offset is its log end offset: the leader records it once per request.
      if (replicaId >= 0) {
        for (const fetch of fetches) {
          const partition = fetch.error === undefined ? replicaManager.partition(fetch.topic, fetch.partition) : undefined;
          if (partition?.isLeader) replicaManager.followerFetched(partition, replicaId, fetch.fetchOffset);
        }
      }
      const complete = (result: ReturnType<typeof readAll>) => result.bytes >= request.minBytes || result.errors > 0 || fetches.length === 0;
      if (request.maxWaitMs <= 0) return respond(readAll(fetches, request, replicaId), topicIds);
      // Long poll: park until enough bytes arrive on any of these partitions or max_wait passes.
      return new Promise((resolve) => {
        replicaManager.fetchPurgatory.tryCompleteElseWatch(
          {
            tryComplete: () => {
              const result = readAll(fetches, request, replicaId);
              if (!complete(result)) return false;
              resolve(respond(result, topicIds));
              return true;
            },
            onExpiration: () => resolve(respond(readAll(fetches, request, replicaId), topicIds)),
          },
          fetches.map((fetch) => partitionKey(fetch.topic, fetch.partition)),
          request.maxWaitMs,
        );
      });
    },
  };
}
