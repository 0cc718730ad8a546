import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { createLogger, type Logger } from '@tributary/common';
import { describeKafkaSecurity } from '@tributary/common/kafka';
import type { TrackingConfig } from './config.ts';
import { DedupeWindow } from './dedupe-window.ts';
import { EventValidator, loadCustomEventSchemas } from './event-validator.ts';
import { Forwarder } from './forwarder.ts';
import { Intake } from './intake.ts';
import { kafkaSink, type RecordSink } from './kafka-output.ts';
import { createMetrics } from './metrics.ts';
import { batchRoute } from './routes/batch.ts';
import { demoRoute } from './routes/demo.ts';
import { healthReport, healthRoutes, type HealthReport } from './routes/health.ts';
import { pixelRoute } from './routes/pixel.ts';
import { trackerScriptRoute } from './routes/tracker-script.ts';
import { Spool } from './spool.ts';
import { buildTrackerBundle } from './tracker-bundle.ts';

export interface Collector {
  /** http://host:port the collector listens on. */
  url: string;
  port: number;
  app: FastifyInstance;
  health(): HealthReport;
  /** Stops accepting requests, then produces or spools everything already accepted. */
  close(): Promise<void>;
}

export interface CollectorDependencies {
  log?: Logger;
  /** Replaces the Kafka producer (e.g. to count sends in a benchmark); defaults to kafkaSink. */
  connect?: () => RecordSink;
}

export async function startCollector(config: TrackingConfig, deps: CollectorDependencies = {}): Promise<Collector> {
  const log = deps.log ?? createLogger('tracking');
  const validator = new EventValidator(loadCustomEventSchemas(config.schemasFile));
  const metrics = createMetrics();
  const spool = await Spool.open(config.spoolDir);
  const forwarder = new Forwarder({
    connect: deps.connect ?? (() => kafkaSink(config.bootstrapServers, 'tributary-tracking')),
    spool,
    ack: config.ack,
    lingerMs: config.lingerMs,
    replayIntervalMs: config.replayIntervalMs,
    log,
  });
  const intake = new Intake({
    validator,
    dedupe: new DedupeWindow(config.dedupeWindowMs, config.dedupeMaxIds),
    forwarder,
    metrics,
    eventsTopic: config.eventsTopic,
    badTopic: config.badTopic,
    anonymizeIp: config.anonymizeIp,
  });
  const bundle = await buildTrackerBundle();

  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    disableRequestLogging: true,
    // Requests are not logged, so a child logger per request (with its request id) was pure cost.
    childLoggerFactory: (logger) => logger,
    trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : false,
    bodyLimit: config.maxBodyBytes,
  });
  await app.register(cors, {
    origin: config.corsOrigins.includes('*') ? '*' : config.corsOrigins,
    methods: ['GET', 'POST'],
    maxAge: 86400,
  });
  if (config.rateLimitMax > 0) {
    await app.register(rateLimit, { global: true, max: config.rateLimitMax, timeWindow: config.rateLimitWindowMs, keyGenerator: (request) => request.ip });
  }
  await app.register(batchRoute, { intake, metrics, maxBatchEvents: config.maxBatchEvents, maxBodyBytes: config.maxBodyBytes });
  await app.register(pixelRoute, { intake, metrics, maxBatchEvents: config.maxBatchEvents });
  await app.register(trackerScriptRoute, { bundle });
  await app.register(healthRoutes, { forwarder, spool, metrics, adminToken: config.adminToken });
  await app.register(demoRoute);

  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await forwarder.close();
    await spool.close();
    throw error;
  }
  const port = (app.server.address() as { port: number }).port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  log.info({ port, bootstrapServers: config.bootstrapServers, kafka: describeKafkaSecurity(), adminTokenSet: config.adminToken !== null, ack: config.ack, spoolDir: config.spoolDir, backlog: spool.backlog.events, trackerBytesGzip: bundle.gzip.length }, 'tracking collector started');
  return {
    url: `http://${host}:${port}`,
    port,
    app,
    health: () => healthReport(forwarder, spool),
    async close() {
      await app.close();
      await forwarder.close();
      await spool.close();
      log.info({ backlog: spool.backlog.events }, 'tracking collector stopped');
    },
  };
}
