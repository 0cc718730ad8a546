import { parseArgs } from 'node:util';
import { createLogger } from '@tributary/common';
import { configureKafkaClients } from '@tributary/common/kafka';
import { serveMetrics, startSinkWorker } from '@tributary/hdfs-sink';
import { UsageError } from '../command.ts';
import { onShutdownSignal } from '../signals.ts';
import { loadSinkConfig, SINK_FLAGS } from './sink-config.ts';
import { stringOptions } from './flag-values.ts';

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' }, ...stringOptions(Object.keys(SINK_FLAGS)) }, strict: true });
  const config = loadSinkConfig(values, Object.keys(SINK_FLAGS));
  configureKafkaClients(values.config);
  if (config.topics.length === 0) throw new UsageError('name the topics to land: --topics tracking.events,crawl.pages (or sink.topics in --config)');
  const log = createLogger('sink');
  const worker = await startSinkWorker(config, { log });
  const metrics = await serveMetrics(worker.metrics.registry, config.metricsPort);
  log.info({ port: metrics.port }, 'metrics on http://127.0.0.1:%d/metrics', metrics.port);
  let stopping = false;
  const stopped = onShutdownSignal(async (signal) => {
    stopping = true;
    log.info({ signal }, 'stopping sink worker');
    await worker.close();
    await metrics.close();
  });
  try {
    await worker.done;
  } catch (error) {
    if (!stopping) throw error;
  }
  if (stopping) await stopped;
  return 0;
}
