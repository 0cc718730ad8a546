import { createLogger } from '@tributary/common';
import { startCollector, trackingConfigFrom, trackingSchema } from '@tributary/tracking';
import { configureKafkaClients } from '@tributary/common/kafka';
import { onShutdownSignal } from '../signals.ts';
import { parseConfigFlags } from './flag-values.ts';
import { loadCommandSection, type SectionOverrides } from './section.ts';

const FLAG_TO_SETTING: Record<string, string> = {
  port: 'port',
  host: 'host',
  'bootstrap-server': 'bootstrap.servers',
  'spool-dir': 'spool.dir',
  'schemas-file': 'schemas.file',
};

/** Resolves the tracking section: flag > TRIBUTARY_TRACKING_* > config file > default. */
export function loadTrackingConfig(values: Record<string, unknown>, overrides: SectionOverrides = {}) {
  return trackingConfigFrom(loadCommandSection('tracking', trackingSchema, values, FLAG_TO_SETTING, overrides));
}

export async function run(args: string[]): Promise<number> {
  const values = parseConfigFlags(args, Object.keys(FLAG_TO_SETTING));
  const config = loadTrackingConfig(values);
  configureKafkaClients(values.config as string | undefined);
  const log = createLogger('tracking');
  const collector = await startCollector(config, { log });
  await onShutdownSignal(async (signal) => {
    log.info({ signal }, 'stopping tracking collector');
    await collector.close();
  });
  return 0;
}
