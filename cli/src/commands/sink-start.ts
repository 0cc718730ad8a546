import { configureKafkaClients } from '@tributary/common/kafka';
import { createLogger, type Logger } from '@tributary/common';
import { serveMetrics, startSinkWorker, type SinkConfig, type SinkWorker } from '@tributary/hdfs-sink';
import { UsageError } from '../command.ts';
import { onShutdownSignal } from '../signals.ts';
import { loadSinkConfig, SINK_FLAGS } from './sink-config.ts';
import { parseConfigFlags } from './flag-values.ts';

export interface RunningSink {
  worker: SinkWorker;
  /** Port of /metrics and /health. */
  metricsPort: number;
  close(): Promise<void>;
}

/** The sink worker and its metrics server, as `sink start` and `up` run them. */
export async function startSink(config: SinkConfig, log: Logger): Promise<RunningSink> {
  const worker = await startSinkWorker(config, { log });
  const metrics = await serveMetrics(worker.metrics.registry, config.metricsPort).catch(async (error: unknown) => {
    await worker.close();
    throw error;
  });
  log.info({ port: metrics.port }, 'metrics on http://127.0.0.1:%d/metrics', metrics.port);
  return {
    worker,
    metricsPort: metrics.port,
    async close() {
      await worker.close();
      await metrics.close();
    },
  };
}

export async function run(args: string[]): Promise<number> {
  const values = parseConfigFlags(args, Object.keys(SINK_FLAGS));
  const config = loadSinkConfig(values, Object.keys(SINK_FLAGS));
  configureKafkaClients(values.config);
  if (config.topics.length === 0) throw new UsageError('name the topics to land: --topics tracking.events,crawl.pages (or sink.topics in --config)');
  const log = createLogger('sink');
  const sink = await startSink(config, log);
  let stopping = false;
  const stopped = onShutdownSignal(async (signal) => {
    stopping = true;
    log.info({ signal }, 'stopping sink worker');
    await sink.close();
  });
  try {
    await sink.worker.done;
  } catch (error) {
    if (!stopping) throw error;
  }
  if (stopping) await stopped;
  return 0;
}
