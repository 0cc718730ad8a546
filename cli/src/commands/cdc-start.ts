import { parseArgs } from 'node:util';
import { CdcConnector, cdcConfigFrom, loadCdcSection, SourceConfigError, startStatusServer } from '@tributary/cdc';
import { createLogger } from '@tributary/common';
import { configureKafkaClients } from '@tributary/common/kafka';
import { fail } from '../command.ts';
import { onShutdownSignal } from '../signals.ts';
import { settingsFromFlags, stringOptions } from './flag-values.ts';

const FLAG_TO_SETTING: Record<string, string> = {
  mysql: 'mysql',
  'server-name': 'server.name',
  'server-id': 'server.id',
  'bootstrap-server': 'bootstrap.servers',
  'snapshot-mode': 'snapshot.mode',
  'status-port': 'status.port',
};

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      ...stringOptions(Object.keys(FLAG_TO_SETTING)),
    },
    strict: true,
  });
  const flags = settingsFromFlags(values, FLAG_TO_SETTING);
  const config = cdcConfigFrom(loadCdcSection({ file: values.config, flags }));
  configureKafkaClients(values.config);
  const log = createLogger('cdc');
  const connector = new CdcConnector(config, log);
  const status = await startStatusServer(config.statusPort, '0.0.0.0', () => connector.currentStatus());
  log.info({ statusPort: status.port, server: config.serverName }, 'status on http://127.0.0.1:%d/status', status.port);
  try {
    await connector.start();
  } catch (error) {
    status.server.close();
    if (error instanceof SourceConfigError) {
      fail(error.message);
      return 2;
    }
    throw error;
  }
  log.info({ server: config.serverName }, 'streaming');
  await onShutdownSignal(async (signal) => {
    log.info({ signal }, 'stopping cdc connector');
    await connector.stop();
    status.server.close();
  });
  return 0;
}
