import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one broker; names follow Prometheus conventions, labels Kafka's vocabulary. */
export class BrokerMetrics {
  readonly registry = new Registry();
  readonly requestBytes: Counter;
  readonly responseBytes: Counter;
  readonly bytesIn: Counter<'topic'>;
  readonly bytesOut: Counter<'topic'>;
  readonly messagesIn: Counter<'topic'>;
  readonly requests: Counter<'api'>;
  readonly requestLatency: Histogram<'api'>;
  readonly malformedRequests: Counter;
  readonly unsupportedRequests: Counter;
  readonly connections: Gauge;
  readonly logSize: Gauge<'topic' | 'partition'>;
  readonly logEndOffset: Gauge<'topic' | 'partition'>;
  readonly logStartOffset: Gauge<'topic' | 'partition'>;
  readonly consumerLag: Gauge<'group' | 'topic' | 'partition'>;
  readonly underReplicatedPartitions: Gauge;
  readonly offlinePartitions: Gauge;
  readonly leaderCount: Gauge;
  readonly partitionCount: Gauge;
  readonly activeController: Gauge;
  readonly isrShrinks: Counter;
  readonly isrExpands: Counter;
  readonly leaderReplicationThrottledBytes: Counter;
  readonly lastStableOffset: Gauge<'topic' | 'partition'>;
  readonly transactions: Gauge<'state'>;
  private readonly apiNames: Map<number, string>;

  constructor(apiNames: Map<number, string>) {
    this.apiNames = apiNames;
    collectDefaultMetrics({ register: this.registry, prefix: 'tributary_broker_process_' });
    const registers = [this.registry];
    this.requestBytes = new Counter({ name: 'tributary_broker_request_bytes_total', help: 'Bytes of requests received', registers });
    this.responseBytes = new Counter({ name: 'tributary_broker_response_bytes_total', help: 'Bytes of responses sent', registers });
    this.bytesIn = new Counter({ name: 'tributary_broker_topic_bytes_in_total', help: 'Record batch bytes appended, per topic', labelNames: ['topic'], registers });
    this.bytesOut = new Counter({ name: 'tributary_broker_topic_bytes_out_total', help: 'Record batch bytes served to fetchers, per topic', labelNames: ['topic'], registers });
    this.messagesIn = new Counter({ name: 'tributary_broker_topic_messages_in_total', help: 'Records appended, per topic', labelNames: ['topic'], registers });
    this.requests = new Counter({ name: 'tributary_broker_requests_total', help: 'Requests handled, per API', labelNames: ['api'], registers });
    this.requestLatency = new Histogram({
      name: 'tributary_broker_request_latency_seconds',
      help: 'Time from a request arriving to its response being ready, per API (long-poll fetches include their wait)',
      labelNames: ['api'],
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers,
    });
    this.malformedRequests = new Counter({ name: 'tributary_broker_malformed_requests_total', help: 'Requests that could not be decoded (connection closed)', registers });
    this.unsupportedRequests = new Counter({ name: 'tributary_broker_unsupported_requests_total', help: 'Requests for unknown API keys or versions (connection closed)', registers });
    this.connections = new Gauge({ name: 'tributary_broker_connections', help: 'Open client connections', registers });
    this.logSize = new Gauge({ name: 'tributary_broker_log_size_bytes', help: 'Size of a partition log on disk', labelNames: ['topic', 'partition'], registers });
    this.logEndOffset = new Gauge({ name: 'tributary_broker_log_end_offset', help: 'Log end offset of a partition', labelNames: ['topic', 'partition'], registers });
    this.logStartOffset = new Gauge({ name: 'tributary_broker_log_start_offset', help: 'Log start offset of a partition', labelNames: ['topic', 'partition'], registers });
    this.lastStableOffset = new Gauge({
      name: 'tributary_broker_last_stable_offset',
      help: 'Last stable offset of a partition: read_committed consumers read below it; far behind the log end offset means a transaction is open long',
      labelNames: ['topic', 'partition'],
      registers,
    });
    this.transactions = new Gauge({ name: 'tributary_broker_transactions', help: 'Transactional ids this broker coordinates, per transaction state', labelNames: ['state'], registers });
    this.consumerLag = new Gauge({
      name: 'tributary_broker_consumer_group_lag',
      help: 'High watermark minus the committed offset, per group and partition (groups this broker coordinates)',
      labelNames: ['group', 'topic', 'partition'],
      registers,
    });
    this.underReplicatedPartitions = new Gauge({ name: 'tributary_broker_under_replicated_partitions', help: 'Partitions this broker leads whose ISR is smaller than their replica set', registers });
    this.offlinePartitions = new Gauge({ name: 'tributary_broker_offline_partitions', help: 'Partitions without a live leader (reported by the active controller only)', registers });
    this.leaderCount = new Gauge({ name: 'tributary_broker_leader_count', help: 'Partitions this broker leads', registers });
    this.partitionCount = new Gauge({ name: 'tributary_broker_partition_count', help: 'Partition replicas hosted on this broker', registers });
    this.activeController = new Gauge({ name: 'tributary_broker_active_controller', help: '1 on the active controller, else 0', registers });
    this.isrShrinks = new Counter({ name: 'tributary_broker_isr_shrinks_total', help: 'ISR shrinks written by this broker as leader', registers });
    this.isrExpands = new Counter({ name: 'tributary_broker_isr_expands_total', help: 'ISR expansions written by this broker as leader', registers });
    this.leaderReplicationThrottledBytes = new Counter({
      name: 'tributary_broker_leader_replication_throttled_bytes_total',
      help: 'Record bytes this broker sent as leader to replicas a reassignment is adding, until they are in sync (what leader.replication.throttled.rate limits)',
      registers,
    });
  }

  observeRequest(apiKey: number, elapsedMs: number): void {
    const api = this.apiNames.get(apiKey) ?? String(apiKey);
    this.requests.inc({ api });
    this.requestLatency.observe({ api }, elapsedMs / 1000);
  }
}
