import { parseArgs } from 'node:util';
import { createLogger, loadSection } from '@tributary/common';
import { startCollector, trackingConfigFrom, trackingSchema } from '@tributary/tracking';
import { configureKafkaClients } from '@tributary/common/kafka';
import { onShutdownSignal } from '../signals.ts';
import { settingsFromFlags, stringOptions } from './flag-values.ts';

const FLAG_TO_SETTING: Record<string, string> = {
  port: 'port',
  host: 'host',
  'bootstrap-server': 'bootstrap.servers',
  'spool-dir': 'spool.dir',
  'schemas-file': 'schemas.file',
};

/** Resolves the tracking section: flag > TRIBUTARY_TRACKING_* > config file > default. */
export function loadTrackingConfig(values: Record<string, string | undefined>, configFile: string | undefined) {
  const flags = settingsFromFlags(values, FLAG_TO_SETTING);
  return trackingConfigFrom(loadSection('tracking', trackingSchema, { file: configFile, flags }));
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      ...stringOptions(Object.keys(FLAG_TO_SETTING)),
    },
    strict: true,
  });
  const config = loadTrackingConfig(values as Record<string, string | undefined>, values.config as string | undefined);
  configureKafkaClients(values.config);
  const log = createLogger('tracking');
  const collector = await startCollector(config, { log });
  await onShutdownSignal(async (signal) => {
    log.info({ signal }, 'stopping tracking collector');
    await collector.close();
  });
  return 0;
}
