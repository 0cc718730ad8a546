import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from '@tributary/common';
import { LogManager } from './log/log-manager.ts';
import { logConfigFromKafkaProps, type LogConfig } from './log/log-config.ts';
import { LocalMetadataStore } from './metadata/local-metadata-store.ts';
import type { MetadataStore } from './metadata/types.ts';
import { effectiveTopicConfig } from './metadata/topic-configs.ts';
import { ApiKey, apiMessageVersions } from './protocol/index.ts';
import { ReplicaManager } from './replication/replica-manager.ts';
import { AdminManager } from './server/admin-manager.ts';
import { createAdminServer } from './server/admin-http.ts';
import type { BrokerConfig } from './server/broker-config.ts';
import type { BrokerServices } from './server/broker-services.ts';
import { DataDirLock } from './server/data-dir-lock.ts';
import { DynamicBrokerConfig } from './server/dynamic-broker-config.ts';
import { createHandlers } from './server/handlers/index.ts';
import { CONSUMER_OFFSETS_TOPIC, ConsumerOffsetsStore } from './server/consumer-offsets-store.ts';
import { GroupCoordinator } from './group/group-coordinator.ts';
import { BrokerMetrics } from './server/metrics.ts';
import { ProducerIdManager } from './server/producer-id-manager.ts';
import { coordinatorLocator } from './server/coordinator-locator.ts';
import { InternalTopicStore } from './server/internal-topic-store.ts';
import { TRANSACTION_STATE_TOPIC, TransactionCoordinator } from './coordinator/transaction/transaction-coordinator.ts';
import { LocalMarkerWriter } from './coordinator/transaction/local-marker-writer.ts';
import { Purgatory } from './server/purgatory.ts';
import { createRequestProcessor } from './server/request-processor.ts';
import { SocketServer } from './server/socket-server.ts';
import type { FastifyInstance } from 'fastify';
import { consolePlugin } from './console/index.ts';
import { ZkClient } from './zookeeper/zk-client.ts';
import { ZkMetadataStore } from './metadata/zk-metadata-store.ts';
import { KafkaController } from './controller/kafka-controller.ts';
import { BrokerClient } from './replication/broker-client.ts';
import { ClusterMarkerChannel } from './coordinator/transaction/cluster-marker-channel.ts';
import type { Partition } from './replication/partition.ts';
import type { BrokerEndpoint } from './metadata/types.ts';
import { ConnectionLimiter } from './security/listeners/connection-limiter.ts';
import { advertisedEndpoints, endpointFor, parseListeners, usesTls } from './security/listeners/listeners.ts';
import { createSecurityServices } from './security/security-services.ts';
import { serverTlsOptions } from './security/tls/tls-options.ts';

export interface BrokerOptions {
  log: Logger;
  /** The broker's settings as DescribeConfigs reports them (name -> value, default or not, doc). */
  settings?: Map<string, { value: string; isDefault: boolean; doc: string }>;
}

/**
 * A running broker: wires storage, metadata, request handling and the two listeners together,
 * and takes them down in the reverse order.
 */
export class Broker {
  private status: 'starting' | 'ok' | 'stopping' = 'starting';

  private constructor(
    readonly config: BrokerConfig,
    readonly port: number,
    readonly adminPort: number,
    private readonly parts: {
      lock: DataDirLock;
      metadata: MetadataStore;
      logManager: LogManager;
      replicaManager: ReplicaManager;
      socketServer: SocketServer;
      admin: FastifyInstance;
      purgatories: Purgatory[];
      services: BrokerServices;
      controller: KafkaController | null;
      markerChannel: ClusterMarkerChannel;
      interBrokerListener: string;
    },
    private readonly log: Logger,
  ) {}

  get services(): BrokerServices {
    return this.parts.services;
  }

  static async start(config: BrokerConfig, options: BrokerOptions): Promise<Broker> {
    const dataDir = resolve(config.dataDir);
    mkdirSync(dataDir, { recursive: true });
    const lock = DataDirLock.acquire(dataDir);
    try {
      return await Broker.startLocked({ ...config, dataDir }, options, lock);
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  private static async startLocked(config: BrokerConfig, options: BrokerOptions, lock: DataDirLock): Promise<Broker> {
    const log = options.log;
    const startedAt = Date.now();
    const apiNames = new Map(Object.entries(apiMessageVersions).map(([key, value]) => [Number(key), value.name]));
    const metrics = new BrokerMetrics(apiNames);
    const baseLogConfig: LogConfig = logConfigFromKafkaProps(effectiveTopicConfig({}, config.topicDefaults));
    const logManager = LogManager.open(config.dataDir, baseLogConfig, { retentionCheckIntervalMs: config.retentionCheckIntervalMs, log });

    const listeners = parseListeners(config.security, config.host, config.port);
    const tlsOptions = listeners.some((listener) => usesTls(listener.protocol)) ? serverTlsOptions(config.security) : null;
    // Brokers reach each other on one listener; replication speaks plain Kafka protocol there.
    const interBroker = listeners.find((listener) => listener.name === config.security.interBrokerListenerName?.toUpperCase()) ?? listeners.find((listener) => listener.protocol === 'PLAINTEXT') ?? listeners[0]!;
    if (config.zookeeperConnect && interBroker.protocol !== 'PLAINTEXT') {
      throw new Error(`inter-broker listener ${interBroker.name} uses ${interBroker.protocol}, but brokers replicate over PLAINTEXT only in this version: add a PLAINTEXT listener on a private interface and name it in inter.broker.listener.name`);
    }
    const self: BrokerEndpoint = { brokerId: config.brokerId, host: config.advertisedHost, port: config.port, rack: config.rack };
    let zkStore: ZkMetadataStore | null = null;
    if (config.zookeeperConnect) {
      const zk = await ZkClient.connect(config.zookeeperConnect, config.zookeeperSessionTimeoutMs, config.zookeeperConnectionTimeoutMs);
      zk.onSessionExpired(() => {
        // Our ephemeral registration and any controllership are gone; a restart re-registers cleanly.
        log.fatal('ZooKeeper session expired: exiting so the service manager restarts this broker');
        process.exit(1);
      });
      zkStore = await ZkMetadataStore.open(zk, self, { clusterId: config.clusterId, log: log.child({ component: 'metadata' }) });
    }
    const metadata: MetadataStore = zkStore ?? LocalMetadataStore.open(join(config.dataDir, 'metadata'), self, config.clusterId);
    const fetchPurgatory = new Purgatory();
    const producePurgatory = new Purgatory();
    const replicaManager = new ReplicaManager(logManager, config.brokerId, config.topicDefaults, baseLogConfig, fetchPurgatory, log);
    replicaManager.onAppend((topic, partition) => producePurgatory.checkAndComplete(`${topic}-${partition}`));

    const known = new Set(metadata.topics().flatMap((topic) => topic.partitions.filter((p) => p.replicas.includes(config.brokerId)).map((p) => `${topic.name}-${p.partition}`)));
    for (const stray of logManager.all()) {
      if (!known.has(`${stray.topic}-${stray.partition}`)) {
        log.warn({ topic: stray.topic, partition: stray.partition }, 'deleting log of a topic that no longer exists');
        logManager.deleteLog(stray.topic, stray.partition);
      }
    }
    const brokerSettings = options.settings ?? new Map();
    const dynamicConfig = new DynamicBrokerConfig(config, brokerSettings, metadata);
    metadata.onChange((change) => {
      if (change.type === 'topic-deleted') replicaManager.stopHostingTopic(change.topic);
      else if (change.type === 'broker-defaults-changed') {
        dynamicConfig.apply(change.defaults);
        for (const topic of metadata.topics()) replicaManager.hostTopic(topic);
      } else if (change.type === 'brokers-changed') replicaManager.refreshFollowers();
      else if ('topic' in change) replicaManager.hostTopic(change.topic);
    });

    for (const topic of metadata.topics()) replicaManager.hostTopic(topic);
    const adminManager = new AdminManager(metadata, config, log);
    const groupCoordinator = new GroupCoordinator(
      new ConsumerOffsetsStore(replicaManager, metadata),
      {
        numPartitions: metadata.topic(CONSUMER_OFFSETS_TOPIC)?.partitions.length ?? config.offsetsTopicNumPartitions,
        initialRebalanceDelayMs: config.groupInitialRebalanceDelayMs,
        minSessionTimeoutMs: config.groupMinSessionTimeoutMs,
        maxSessionTimeoutMs: config.groupMaxSessionTimeoutMs,
        offsetsRetentionMs: config.offsetsRetentionMs,
        offsetMetadataMaxBytes: 4096,
      },
      log.child({ component: 'group-coordinator' }),
    );
    const groupLocator = coordinatorLocator({
      topic: CONSUMER_OFFSETS_TOPIC,
      numPartitions: config.offsetsTopicNumPartitions,
      replicationFactor: config.offsetsTopicReplicationFactor,
      // __consumer_offsets is created on first use, as Kafka does, with compaction.
      configs: { 'cleanup.policy': 'compact', 'segment.bytes': '104857600' },
      brokerId: config.brokerId,
      metadata,
      adminManager,
      coordinator: groupCoordinator,
    });
    const producerIds = new ProducerIdManager(metadata);
    const markerWriter = new LocalMarkerWriter(replicaManager, metadata, producePurgatory, groupCoordinator);
    const markerChannel = new ClusterMarkerChannel(markerWriter, metadata, config.brokerId, interBroker.name);
    const transactionCoordinator = new TransactionCoordinator(
      {
        store: new InternalTopicStore(replicaManager, metadata, TRANSACTION_STATE_TOPIC),
        producerIds,
        markers: markerChannel,
        coordinatorEpoch: (partition) => replicaManager.partition(TRANSACTION_STATE_TOPIC, partition)?.leaderEpoch ?? 0,
        partitionExists: ({ topic, partition }) => metadata.topic(topic)?.partitions.some((p) => p.partition === partition) ?? false,
        log: log.child({ component: 'transaction-coordinator' }),
      },
      {
        numPartitions: metadata.topic(TRANSACTION_STATE_TOPIC)?.partitions.length ?? config.transactionStateLogNumPartitions,
        maxTimeoutMs: config.transactionMaxTimeoutMs,
        abortTimedOutIntervalMs: config.transactionAbortTimedOutIntervalMs,
      },
    );
    const transactionLocator = coordinatorLocator({
      topic: TRANSACTION_STATE_TOPIC,
      numPartitions: config.transactionStateLogNumPartitions,
      replicationFactor: config.transactionStateLogReplicationFactor,
      configs: { 'cleanup.policy': 'compact', 'segment.bytes': '104857600', 'min.insync.replicas': String(config.transactionStateLogMinIsr) },
      brokerId: config.brokerId,
      metadata,
      adminManager,
      coordinator: transactionCoordinator,
    });
    const controller = zkStore
      ? new KafkaController(zkStore.zk, zkStore, config.brokerId, {
          uncleanLeaderElection: config.uncleanLeaderElection,
          autoLeaderRebalance: config.autoLeaderRebalance,
          leaderImbalanceCheckIntervalMs: config.leaderImbalanceCheckIntervalMs,
        }, log.child({ component: 'controller' }))
      : null;
    const services: BrokerServices = {
      config,
      metadata,
      replicaManager,
      adminManager,
      producerIds,
      producePurgatory,
      groupCoordinator,
      groupCoordinatorFor: (groupId) => groupLocator.leaderFor(groupId),
      transactionCoordinator,
      transactionCoordinatorFor: (transactionalId) => transactionLocator.leaderFor(transactionalId),
      markerWriter,
      metrics,
      log,
      brokerSettings,
      dynamicConfig,
      controller,
      security: createSecurityServices(metadata, config.security, log),
    };
    const handlers = createHandlers(services);
    const socketServer = new SocketServer(
      createRequestProcessor(handlers, metrics, { ...services.security, reauthMs: config.security.reauthMs }, log),
      {
        maxFrameBytes: config.socketRequestMaxBytes,
        maxInFlightRequests: config.queuedMaxRequests,
        maxUnsentBytes: config.queuedMaxResponseBytes,
        idleTimeoutMs: config.connectionsMaxIdleMs,
        unauthenticatedMaxFrameBytes: config.security.saslMaxReceiveBytes,
        unauthenticatedTimeoutMs: config.security.unauthenticatedTimeoutMs,
      },
      log,
      new ConnectionLimiter(config.security),
    );
    const bound = [];
    for (const listener of listeners) bound.push({ ...listener, boundPort: await socketServer.listenOn(listener, tlsOptions) });
    // With port 0 the advertised ports are only known once listening.
    self.endpoints = advertisedEndpoints(config.security, bound, config.advertisedHost);
    self.host = self.endpoints[0]!.host;
    self.port = self.endpoints[0]!.port;
    const port = bound[0]!.boundPort;

    let broker: Broker | undefined;
    const admin = createAdminServer(
      metrics,
      () => ({
        status: broker?.status ?? 'starting',
        brokerId: config.brokerId,
        clusterId: metadata.clusterId,
        port,
        topics: metadata.topics().length,
        partitions: replicaManager.allPartitions().length,
        connections: socketServer.connectionCount,
      }),
      () => {
        metrics.connections.set(socketServer.connectionCount);
        for (const partition of replicaManager.allPartitions()) {
          const labels = { topic: partition.topic, partition: String(partition.partition) };
          metrics.logSize.set(labels, partition.log.size);
          metrics.logEndOffset.set(labels, partition.log.logEndOffset);
          metrics.logStartOffset.set(labels, partition.log.logStartOffset);
          metrics.lastStableOffset.set(labels, partition.log.lastStableOffset);
        }
        let leaders = 0;
        let underReplicated = 0;
        for (const partition of replicaManager.allPartitions()) {
          if (partition.isLeader) leaders++;
          if (partition.isUnderReplicated) underReplicated++;
        }
        metrics.leaderCount.set(leaders);
        metrics.partitionCount.set(replicaManager.allPartitions().length);
        metrics.underReplicatedPartitions.set(underReplicated);
        const active = controller ? controller.isActive : true;
        metrics.activeController.set(active ? 1 : 0);
        const live = new Set(metadata.brokers().map((b) => b.brokerId));
        metrics.offlinePartitions.set(active ? metadata.topics().reduce((n, t) => n + t.partitions.filter((p) => p.leader < 0 || !live.has(p.leader)).length, 0) : 0);
        metrics.transactions.reset();
        for (const txn of transactionCoordinator.list({ states: [], producerIds: [], minDurationMs: -1 }).txns) metrics.transactions.inc({ state: txn.state });
        metrics.consumerLag.reset();
        for (const groupId of groupCoordinator.groupIds()) {
          for (const { topic, partition, offset } of groupCoordinator.committedOffsets(groupId)) {
            const replica = replicaManager.partition(topic, partition);
            if (replica) metrics.consumerLag.set({ group: groupId, topic, partition: String(partition) }, Math.max(0, replica.highWatermark - offset));
          }
        }
      },
    );
    if (config.consoleEnable) {
      await admin.register(consolePlugin, {
        sources: {
          brokerId: config.brokerId,
          host: config.advertisedHost,
          port,
          metadata,
          replicaManager,
          groupCoordinator,
          metrics,
          connections: () => socketServer.connectionCount,
        },
        collectors: config.consoleCollectors,
        startedAt,
      });
    }
    await admin.listen({ port: config.adminPort, host: config.adminHost });
    const adminAddress = admin.server.address();
    const adminPort = typeof adminAddress === 'object' && adminAddress ? adminAddress.port : config.adminPort;

    if (zkStore) {
      await zkStore.register(adminPort);
      controller!.start();
    }
    // Coordinators follow the leadership of their internal topic's partitions, as in Kafka.
    const coordinators = new Map<string, { coordinator: typeof groupCoordinator | typeof transactionCoordinator; what: string }>([
      [CONSUMER_OFFSETS_TOPIC, { coordinator: groupCoordinator, what: 'consumer groups' }],
      [TRANSACTION_STATE_TOPIC, { coordinator: transactionCoordinator, what: 'transaction state' }],
    ]);
    const offsetsLeadership = (partition: Partition, change: string) => {
      const owner = coordinators.get(partition.topic);
      if (!owner) return;
      if (change === 'became-leader') {
        owner.coordinator.loadPartition(partition.partition).catch((error) => log.error({ err: error, partition: partition.partition }, `loading ${owner.what} failed`));
      } else if (owner.coordinator.ownsPartition(partition.partition)) owner.coordinator.unloadPartition(partition.partition);
    };
    replicaManager.startReplication(
      metadata,
      {
        replicaLagTimeMaxMs: config.replicaLagTimeMaxMs,
        replicaFetchWaitMaxMs: config.replicaFetchWaitMaxMs,
        replicaFetchMaxBytes: config.replicaFetchMaxBytes,
        replicaFetchResponseMaxBytes: config.replicaFetchResponseMaxBytes,
        throttleRate: () => dynamicConfig.followerThrottleRate(),
        interBrokerListener: interBroker.name,
      },
      {
        onProgress: (topic, partition) => {
          producePurgatory.checkAndComplete(`${topic}-${partition}`);
          fetchPurgatory.checkAndComplete(`${topic}-${partition}`);
        },
        onLeadershipChange: offsetsLeadership,
        onIsrChange: (kind) => (kind === 'shrink' ? metrics.isrShrinks.inc() : metrics.isrExpands.inc()),
      },
    );
    logManager.startBackgroundTasks();
    groupCoordinator.startOffsetExpiry();
    void groupLocator.loadOwnedPartitions().catch((error) => log.error({ err: error }, 'loading consumer groups failed'));
    // Consumer groups first: markers resumed by the transaction coordinator settle their offsets.
    transactionCoordinator.startTimeoutChecks();
    void transactionLocator.loadOwnedPartitions().catch((error) => log.error({ err: error }, 'loading transaction state failed'));
    broker = new Broker(config, port, adminPort, {
      lock,
      metadata,
      logManager,
      replicaManager,
      socketServer,
      admin,
      purgatories: [fetchPurgatory, producePurgatory],
      services,
      controller,
      markerChannel,
      interBrokerListener: interBroker.name,
    }, log);
    broker.status = 'ok';
    log.info({ brokerId: config.brokerId, listeners: bound.map((l) => `${l.name}://${l.host}:${l.boundPort}`), adminPort, dataDir: config.dataDir, clusterId: metadata.clusterId }, 'broker started');
    return broker;
  }

  /** Graceful stop: stop accepting, finish in-flight requests, flush logs, mark a clean shutdown. */
  async stop(): Promise<void> {
    if (this.status === 'stopping') return;
    this.status = 'stopping';
    const { socketServer, purgatories, logManager, metadata, admin, lock, controller, replicaManager } = this.parts;
    if (controller && this.config.controlledShutdown) await this.controlledShutdown();
    const shutdown = socketServer.shutdown(this.config.shutdownTimeoutMs);
    // Parked long-polls answer now with what they have, so the connections can drain.
    for (const purgatory of purgatories) purgatory.expireAll();
    await shutdown;
    controller?.stop();
    await replicaManager.stopReplication();
    await this.parts.services.transactionCoordinator.close();
    this.parts.markerChannel.close();
    await this.parts.services.groupCoordinator.close();
    logManager.close();
    await metadata.close();
    await admin.close();
    lock.release();
    this.log.info({ brokerId: this.config.brokerId }, 'broker stopped');
  }

  /**
   * Asks the controller to move this broker's leaders elsewhere before it stops, so clients
   * switch to the new leaders instead of waiting for the ZooKeeper session to expire.
   */
  private async controlledShutdown(): Promise<void> {
    const { controller, metadata } = this.parts;
    const brokerId = this.config.brokerId;
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        let remaining: unknown[];
        if (controller?.isActive) remaining = await controller.controlledShutdown(brokerId);
        else {
          const controllerBroker = metadata.brokers().find((broker) => broker.brokerId === metadata.controllerId);
          if (!controllerBroker) throw new Error('no controller is known');
          const endpoint = endpointFor(controllerBroker, this.parts.interBrokerListener);
          const client = new BrokerClient(endpoint.host, endpoint.port, `broker-${brokerId}-shutdown`, 10_000);
          try {
            const response = await client.send(ApiKey.ControlledShutdown, 3, { brokerId, brokerEpoch: -1n });
            if (response.errorCode !== 0) throw new Error(`controller answered error ${response.errorCode}`);
            remaining = response.remainingPartitions;
          } finally {
            client.close();
          }
        }
        if (remaining.length === 0) {
          this.log.info({ brokerId }, 'controlled shutdown: leadership moved off this broker');
          return;
        }
        this.log.warn({ brokerId, remaining: remaining.length, attempt }, 'controlled shutdown: some partitions have no other in-sync replica');
      } catch (error) {
        this.log.warn({ err: error, attempt }, 'controlled shutdown attempt failed');
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
