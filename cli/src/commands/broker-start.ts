import { parseArgs } from 'node:util';
import { Broker, brokerConfigFrom, brokerSchema } from '@tributary/broker';
import { createLogger, loadSection } from '@tributary/common';
import { onShutdownSignal } from '../signals.ts';
import { settingsFromFlags, stringOptions } from './flag-values.ts';

const FLAG_TO_SETTING: Record<string, string> = {
  port: 'port',
  'admin-port': 'admin.port',
  'data-dir': 'data.dir',
  'broker-id': 'broker.id',
  zookeeper: 'zookeeper.connect',
  host: 'host',
  'advertised-host': 'advertised.host',
};

/** Resolves the broker section from flags, environment, file and defaults, as the CLI contract says. */
export function loadBrokerSettings(values: Record<string, string | undefined>, configFile: string | undefined) {
  const flags = settingsFromFlags(values, FLAG_TO_SETTING);
  const section = loadSection('broker', brokerSchema, { file: configFile, flags });
  const settings = new Map(
    Object.entries(section).map(([key, value]) => [
      key,
      {
        value: value === null ? '' : Array.isArray(value) ? value.join(',') : value === Infinity ? '9223372036854775807' : String(value),
        isDefault: value === brokerSchema[key as keyof typeof brokerSchema].default,
        doc: brokerSchema[key as keyof typeof brokerSchema].doc,
      },
    ]),
  );
  return { config: brokerConfigFrom(section), settings };
}

/** `tributary broker start`: runs until SIGTERM or SIGINT, then stops gracefully. */
export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      ...stringOptions(Object.keys(FLAG_TO_SETTING)),
    },
    strict: true,
  });
  const { config, settings } = loadBrokerSettings(values as Record<string, string | undefined>, values.config as string | undefined);
  const log = createLogger('broker');
  const broker = await Broker.start(config, { log, settings });
  await onShutdownSignal(async (signal) => {
    log.info({ signal }, 'stopping broker');
    await broker.stop();
  });
  return 0;
}
