import { parseArgs } from 'node:util';
import { CdcConnector, cdcConfigFrom, loadCdcSection, SourceConfigError, startStatusServer } from '@tributary/cdc';
import { createLogger } from '@tributary/common';
import { fail } from '../command.ts';
import { onShutdownSignal } from '../signals.ts';

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
      ...Object.fromEntries(Object.keys(FLAG_TO_SETTING).map((flag) => [flag, { type: 'string' as const }])),
    },
    strict: true,
  });
  const flags: Record<string, unknown> = {};
  for (const [flag, setting] of Object.entries(FLAG_TO_SETTING)) {
    const value = (values as Record<string, string | undefined>)[flag];
    if (value !== undefined) flags[setting] = value;
  }
  const config = cdcConfigFrom(loadCdcSection({ file: values.config, flags }));
  const log = createLogger('cdc');
  const connector = new CdcConnector(config, log);
  const status = await startStatusServer(config.statusPort, '127.0.0.1', () => connector.currentStatus());
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
