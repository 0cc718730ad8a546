import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Broker } from '@tributary/broker';
import { createLogger, loadSection } from '@tributary/common';
import { configureKafkaClients, createAdmin } from '@tributary/common/kafka';
import { sinkConfigFrom, sinkSchema, startSinkWorker } from '@tributary/hdfs-sink';
import { startCollector, trackingConfigFrom, trackingSchema } from '@tributary/tracking';
import { onShutdownSignal } from '../signals.ts';
import { loadBrokerSettings } from './broker-start.ts';

/** Topics the embedded platform lands by default: what the collectors it starts produce. */
const LANDED_TOPICS = ['tracking.events'];

/**
 * The embedded all-in-one platform on defaults: one broker (data under --data-dir), the tracking
 * collector with its demo page, and the sink landing tracking events as Parquet under
 * <data-dir>/landed. Every part reads its own section of --config, so any default can be changed
 * there; this command only points the parts at each other.
 */
export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { 'data-dir': { type: 'string' }, config: { type: 'string' } },
    strict: true,
  });
  const configFile = values.config as string | undefined;
  configureKafkaClients(configFile);
  const { config, settings } = loadBrokerSettings({ 'data-dir': values['data-dir'] as string | undefined }, configFile);
  const dataDir = resolve(config.dataDir);
  const log = createLogger('tributary');
  const broker = await Broker.start(config, { log: log.child({ component: 'broker' }), settings });
  const bootstrap = `127.0.0.1:${broker.port}`;
  const stops: Array<() => Promise<void>> = [() => broker.stop()];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => log.error({ err: error }, 'stopping a part failed'));
  };
  try {
    const tracking = trackingConfigFrom(
      loadSection('tracking', trackingSchema, { file: configFile, flags: { 'bootstrap.servers': bootstrap, 'spool.dir': join(dataDir, 'tracking-spool') } }),
    );
    const collector = await startCollector(tracking, { log: log.child({ component: 'tracking' }) });
    stops.push(() => collector.close());

    const sink = sinkConfigFrom(loadSection('sink', sinkSchema, { file: configFile, flags: { 'bootstrap.servers': bootstrap } }));
    if (sink.topics.length === 0) sink.topics = LANDED_TOPICS;
    if (sink.root === sinkSchema.root.default) sink.root = `file://${join(dataDir, 'landed')}`;
    // The sink subscribes before anything is produced; topics it waits for must exist.
    const admin = createAdmin({ bootstrapServers: bootstrap, clientId: 'tributary-up' });
    const existing = new Set(await admin.listTopics());
    const missing = sink.topics.filter((topic) => !existing.has(topic));
    if (missing.length > 0) await admin.createTopics({ topics: missing, partitions: -1, replicas: -1 });
    await admin.close();
    const worker = await startSinkWorker(sink, { log: log.child({ component: 'sink' }) });
    stops.push(() => worker.close());

    process.stdout.write(
      [
        'Tributary is up:',
        `  Kafka protocol     ${config.advertisedHost}:${broker.port}   (e.g. kcat -b ${config.advertisedHost}:${broker.port} -L)`,
        `  broker health      http://127.0.0.1:${broker.adminPort}/health   metrics: /metrics`,
        `  tracking demo      ${collector.url}/demo   (tracker: ${collector.url}/t.js, health: ${collector.url}/health)`,
        `  landed Parquet     ${sink.root}   (${sink.topics.join(', ')}; files commit every ${sink.rotateIntervalMs / 1000} s)`,
        `  query              npx tributary query 'SELECT type, count(*) FROM "tracking.events" GROUP BY type' --root ${sink.root}`,
        `  data               ${dataDir}`,
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
  } catch (error) {
    await stopAll();
    throw error;
  }
  await onShutdownSignal(stopAll);
  return 0;
}
