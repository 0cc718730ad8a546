import { Broker, brokerConfigFrom, brokerSchema } from '@tributary/broker';
import { createLogger } from '@tributary/common';
import { onShutdownSignal } from '../signals.ts';
import { parseConfigFlags } from './flag-values.ts';
import { loadCommandSection, type SectionOverrides } from './section.ts';

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
export function loadBrokerSettings(values: Record<string, unknown>, overrides: SectionOverrides = {}) {
  const section = loadCommandSection('broker', brokerSchema, values, FLAG_TO_SETTING, overrides);
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
  const values = parseConfigFlags(args, Object.keys(FLAG_TO_SETTING));
  const { config, settings } = loadBrokerSettings(values);
  const log = createLogger('broker');
  const broker = await Broker.start(config, { log, settings });
  await onShutdownSignal(async (signal) => {
    log.info({ signal }, 'stopping broker');
    await broker.stop();
  });
  return 0;
}
