import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Broker } from '@tributary/broker';
import { cdcConfigFrom } from '@tributary/cdc';
import { createLogger, type Logger } from '@tributary/common';
import { configureKafkaClients, createAdmin } from '@tributary/common/kafka';
import { crawlerSettingsFrom, startCrawlWorker } from '@tributary/crawler';
import { startCollector } from '@tributary/tracking';
import { concretePort, localHost } from '../ports.ts';
import { onShutdownSignal } from '../signals.ts';
import { loadBrokerSettings } from './broker-start.ts';
import { loadCdcSection, startCdc } from './cdc-start.ts';
import { loadCrawlerSection } from './crawl.ts';
import { loadSinkConfig } from './sink-config.ts';
import { startSink } from './sink-start.ts';
import { loadTrackingConfig } from './tracking-start.ts';

/** Where the crawl workers of `up` serve /metrics unless told otherwise (the port deploy/ uses). */
const CRAWLER_METRICS_PORT = 9646;

interface StartedPart {
  name: string;
  close(): Promise<void>;
}

/** Every part's settings, resolved and validated before anything starts, so a bad file fails at once. */
async function resolveParts(values: Record<string, string | undefined>) {
  const config = values.config;
  const broker = loadBrokerSettings({ config, 'data-dir': values['data-dir'] });
  broker.config.port = await concretePort(broker.config.port);
  const dataDir = resolve(broker.config.dataDir);
  const bootstrap = `${localHost(broker.config.host)}:${broker.config.port}`;
  const fixed = { 'bootstrap.servers': bootstrap };

  const tracking = loadTrackingConfig({ config }, { defaults: { 'spool.dir': join(dataDir, 'tracking-spool') }, fixed });
  tracking.port = await concretePort(tracking.port);

  // CDC and the crawler start only when their source is configured: no default source exists.
  const cdcValues = loadCdcSection({ config, mysql: values.mysql }, { defaults: { 'server.name': 'mysql' }, fixed });
  const cdc = cdcValues.mysql === null ? null : cdcConfigFrom(cdcValues);
  if (cdc) cdc.statusPort = await concretePort(cdc.statusPort);
  const crawlerValues = loadCrawlerSection({ config, redis: values.redis }, { defaults: { redis: null, 'metrics.port': CRAWLER_METRICS_PORT }, fixed });
  const crawler = crawlerValues.redis === null ? null : crawlerSettingsFrom(crawlerValues);
  if (crawler) crawler.metricsPort = await concretePort(crawler.metricsPort ?? CRAWLER_METRICS_PORT);

  const landedTopics = ['tracking.events', ...(crawler ? ['crawl.pages', 'crawl.items'] : [])];
  const sink = loadSinkConfig({ config }, [], {
    defaults: { topics: landedTopics, root: `file://${join(dataDir, 'landed')}` },
    fixed,
  });
  sink.metricsPort = await concretePort(sink.metricsPort);

  // The console shows every part this command starts, next to any the file names.
  const at = (port: number, path: string) => `http://127.0.0.1:${port}${path}`;
  const trackingUrl = `http://${localHost(tracking.host)}:${tracking.port}`;
  broker.config.consoleCollectors = [
    ...broker.config.consoleCollectors,
    `tracking=${trackingUrl}/health`,
    `tracking-events=${trackingUrl}/metrics`,
    `sink=${at(sink.metricsPort, '/metrics')}`,
    ...(cdc ? [`cdc=${at(cdc.statusPort, '/status')}`] : []),
    ...(crawler ? [`crawler=${at(crawler.metricsPort!, '/metrics')}`] : []),
  ];
  return { broker, dataDir, bootstrap, tracking, trackingUrl, cdc, crawler, sink };
}

/** The sink subscribes before anything is produced; the topics it waits for must exist. */
async function createMissingTopics(bootstrap: string, topics: string[]): Promise<void> {
  const admin = createAdmin({ bootstrapServers: bootstrap, clientId: 'tributary-up' });
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic));
    if (missing.length > 0) await admin.createTopics({ topics: missing, partitions: -1, replicas: -1 });
  } finally {
    await admin.close();
  }
}

/** A part that fails for good leaves the others running (the console shows it down); the log says why. */
function reportFailure(name: string, done: Promise<void>, log: Logger, stopping: () => boolean): void {
  done.catch((error: unknown) => {
    if (!stopping()) log.error({ err: error, part: name }, `${name} stopped with an error; restart tributary up once the cause is fixed`);
  });
}

async function stopAll(parts: StartedPart[], log: Logger): Promise<void> {
  for (const part of [...parts].reverse()) {
    await part.close().then(
      () => log.info({ part: part.name }, 'stopped'),
      (error: unknown) => log.error({ err: error, part: part.name }, 'stopping a part failed'),
    );
  }
}

type Parts = Awaited<ReturnType<typeof resolveParts>>;

/**
 * Starts the parts in order, recording each in `started` and its URLs in `lines`; returns early
 * when a stop was asked for meanwhile, so Ctrl-C during the start also stops cleanly.
 */
async function startParts(parts: Parts, started: StartedPart[], lines: string[], log: Logger, stopping: () => boolean): Promise<void> {
  const broker = await Broker.start(parts.broker.config, { log: log.child({ component: 'broker' }), settings: parts.broker.settings });
  started.push({ name: 'broker', close: () => broker.stop() });
  const admin = `http://${localHost(parts.broker.config.adminHost)}:${broker.adminPort}`;
  if (parts.broker.config.consoleEnable) lines.push(`  console          ${admin}/   (read-only)`);
  lines.push(`  broker metrics   ${admin}/metrics   health: ${admin}/health`);
  lines.push(`  Kafka protocol   ${parts.bootstrap}   (e.g. kcat -b ${parts.bootstrap} -L)`);
  if (stopping()) return;

  await createMissingTopics(parts.bootstrap, parts.sink.topics);
  const collector = await startCollector(parts.tracking, { log: log.child({ component: 'tracking' }) });
  started.push({ name: 'tracking', close: () => collector.close() });
  const tracking = parts.trackingUrl;
  lines.push(`  tracking demo    ${tracking}/demo   (tracker: ${tracking}/t.js, metrics: ${tracking}/metrics)`);
  if (stopping()) return;

  const sink = await startSink(parts.sink, log.child({ component: 'sink' }));
  started.push({ name: 'sink', close: () => sink.close() });
  reportFailure('sink', sink.worker.done, log, stopping);
  const landed = parts.sink.root.startsWith('file://') ? parts.sink.root.slice('file://'.length) : parts.sink.root;
  lines.push(`  landed Parquet   ${landed}   (${parts.sink.topics.join(', ')}; files commit every ${parts.sink.rotateIntervalMs / 1000} s)`);
  lines.push(`  sink metrics     http://127.0.0.1:${sink.metricsPort}/metrics`);
  if (stopping()) return;

  if (parts.cdc) {
    const cdc = await startCdc(parts.cdc, log.child({ component: 'cdc' }));
    started.push({ name: 'cdc', close: () => cdc.close() });
    reportFailure('cdc', cdc.connector.done, log, stopping);
    lines.push(`  cdc status       http://127.0.0.1:${cdc.statusPort}/status   (topics ${parts.cdc.serverName}.<db>.<table>)`);
    if (stopping()) return;
  }
  if (parts.crawler) {
    const crawler = await startCrawlWorker({ ...parts.crawler, log: log.child({ component: 'crawler' }) });
    started.push({ name: 'crawler', close: () => crawler.close() });
    lines.push(`  crawler metrics  http://127.0.0.1:${crawler.metricsPort}/metrics   (start a crawl: npx tributary crawl start --redis URL --seed URL)`);
  }
}

/**
 * The embedded all-in-one platform: one broker (data under --data-dir) with the console, the
 * tracking collector with its demo page, the sink landing Parquet under <data-dir>/landed, and
 * CDC / a crawl worker when a MySQL / Redis URL is configured. Every part reads its own section of
 * --config; this command only points the parts at each other.
 */
export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { 'data-dir': { type: 'string' }, config: { type: 'string' }, mysql: { type: 'string' }, redis: { type: 'string' } },
    strict: true,
  });
  configureKafkaClients(values.config);
  const parts = await resolveParts(values);
  const log = createLogger('tributary');
  const started: StartedPart[] = [];
  const lines: string[] = [];
  let stopping = false;
  let stopped: Promise<void> | null = null;
  const stopOnce = () => (stopped ??= stopAll(started, log));
  const startup = startParts(parts, started, lines, log, () => stopping);
  const signalled = onShutdownSignal(async (signal) => {
    log.info({ signal }, 'stopping every part');
    stopping = true;
    await startup.catch(() => undefined);
    await stopOnce();
  });
  try {
    await startup;
  } catch (error) {
    stopping = true;
    await stopOnce();
    throw error;
  }
  if (!stopping) {
    const query = `npx tributary query 'SELECT type, count(*) FROM "tracking.events" GROUP BY type' --root ${parts.sink.root}`;
    process.stdout.write(['Tributary is up:', ...lines, `  query            ${query}`, `  data             ${parts.dataDir}`, 'Press Ctrl-C to stop.', ''].join('\n'));
  }
  await signalled;
  return 0;
}
