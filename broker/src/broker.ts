import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from '@tributary/common';
import { LogManager } from './log/log-manager.ts';
import { logConfigFromKafkaProps, type LogConfig } from './log/log-config.ts';
import { LocalMetadataStore } from './metadata/local-metadata-store.ts';
import type { MetadataStore } from './metadata/types.ts';
import { effectiveTopicConfig } from './metadata/topic-configs.ts';
import { apiMessageVersions } from './protocol/index.ts';
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
import { Purgatory } from './server/purgatory.ts';
import { createRequestProcessor } from './server/request-processor.ts';
import { SocketServer } from './server/socket-server.ts';
import type { FastifyInstance } from 'fastify';
import { consolePlugin } from './console/index.ts';
import type { BrokerEndpoint } from './metadata/types.ts';
import { ConnectionLimiter } from './security/listeners/connection-limiter.ts';
import { advertisedEndpoints, parseListeners, usesTls } from './security/listeners/listeners.ts';
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
    },
    private readonly log: Logger,
  ) {}

  get services(): BrokerServices {
    return this.parts.services;
  }

  static async start(config: BrokerConfig, options: BrokerOptions): Promise<Broker> {
    if (config.zookeeperConnect) {
      throw new Error('zookeeper.connect is set, but ZooKeeper-based clusters are not available in this version yet: unset it to run a single-node broker on the local metadata store');
    }
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
    const self: BrokerEndpoint = { brokerId: config.brokerId, host: config.advertisedHost, port: config.port, rack: null };
    const metadata = LocalMetadataStore.open(join(config.dataDir, 'metadata'), self, config.clusterId);
    const fetchPurgatory = new Purgatory();
    const producePurgatory = new Purgatory();
    const replicaManager = new ReplicaManager(logManager, config.brokerId, config.topicDefaults, baseLogConfig, fetchPurgatory, log);
    replicaManager.onAppend((topic, partition) => producePurgatory.checkAndComplete(`${topic}-${partition}`));

    const known = new Set(metadata.topics().flatMap((topic) => topic.partitions.map((p) => `${topic.name}-${p.partition}`)));
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
      } else if ('topic' in change) replicaManager.hostTopic(change.topic);
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
    const loadOwnedOffsetPartitions = async () => {
      const topic = metadata.topic(CONSUMER_OFFSETS_TOPIC);
      for (const partition of topic?.partitions ?? []) {
        if (partition.leader === config.brokerId && !groupCoordinator.ownsPartition(partition.partition)) {
          await groupCoordinator.loadPartition(partition.partition);
        }
      }
    };
    let offsetsTopicReady: Promise<void> | null = null;
    const groupCoordinatorFor = async (groupId: string): Promise<number> => {
      // __consumer_offsets is created on first use, as Kafka does, with compaction.
      offsetsTopicReady ??= adminManager
        .ensureInternalTopic(CONSUMER_OFFSETS_TOPIC, config.offsetsTopicNumPartitions, config.offsetsTopicReplicationFactor, { 'cleanup.policy': 'compact', 'segment.bytes': '104857600' })
        .then(loadOwnedOffsetPartitions);
      await offsetsTopicReady;
      const topic = metadata.topic(CONSUMER_OFFSETS_TOPIC)!;
      return topic.partitions[groupCoordinator.partitionFor(groupId)]!.leader;
    };
    const services: BrokerServices = {
      config,
      metadata,
      replicaManager,
      adminManager,
      producerIds: new ProducerIdManager(metadata),
      producePurgatory,
      groupCoordinator,
      groupCoordinatorFor,
      metrics,
      log,
      brokerSettings,
      dynamicConfig,
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
        }
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

    logManager.startBackgroundTasks();
    groupCoordinator.startOffsetExpiry();
    void loadOwnedOffsetPartitions().catch((error) => log.error({ err: error }, 'loading consumer groups failed'));
    broker = new Broker(config, port, adminPort, {
      lock,
      metadata,
      logManager,
      replicaManager,
      socketServer,
      admin,
      purgatories: [fetchPurgatory, producePurgatory],
      services,
    }, log);
    broker.status = 'ok';
    log.info({ brokerId: config.brokerId, listeners: bound.map((l) => `${l.name}://${l.host}:${l.boundPort}`), adminPort, dataDir: config.dataDir, clusterId: metadata.clusterId }, 'broker started');
    return broker;
  }

  /** Graceful stop: stop accepting, finish in-flight requests, flush logs, mark a clean shutdown. */
  async stop(): Promise<void> {
    if (this.status === 'stopping') return;
    this.status = 'stopping';
    const { socketServer, purgatories, logManager, metadata, admin, lock } = this.parts;
    const shutdown = socketServer.shutdown(this.config.shutdownTimeoutMs);
    // Parked long-polls answer now with what they have, so the connections can drain.
    for (const purgatory of purgatories) purgatory.expireAll();
    await shutdown;
    await this.parts.services.groupCoordinator.close();
    logManager.close();
    await metadata.close();
    await admin.close();
    lock.release();
    this.log.info({ brokerId: this.config.brokerId }, 'broker stopped');
  }
}
