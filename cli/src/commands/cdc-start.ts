import { CdcConnector, cdcConfigFrom, cdcSchema, SourceConfigError, startStatusServer, type CdcConfig } from '@tributary/cdc';
import { configureKafkaClients } from '@tributary/common/kafka';
import { createLogger, type Logger } from '@tributary/common';
import { UsageError } from '../command.ts';
import { onShutdownSignal } from '../signals.ts';
import { parseConfigFlags } from './flag-values.ts';
import { loadCommandSection, type SectionOverrides } from './section.ts';

const FLAG_TO_SETTING: Record<string, string> = {
  mysql: 'mysql',
  'server-name': 'server.name',
  'server-id': 'server.id',
  'bootstrap-server': 'bootstrap.servers',
  'snapshot-mode': 'snapshot.mode',
  'status-port': 'status.port',
};

/** The cdc section values (before validation): flag > TRIBUTARY_CDC_* > config file > default. */
export function loadCdcSection(values: Record<string, unknown>, overrides: SectionOverrides = {}) {
  return loadCommandSection('cdc', cdcSchema, values, FLAG_TO_SETTING, overrides);
}

export interface RunningCdc {
  connector: CdcConnector;
  /** Port of /status, /health and /metrics. */
  statusPort: number;
  close(): Promise<void>;
}

/** The connector and its status server, as `cdc start` and `up` run them; a source that cannot be captured is a usage error. */
export async function startCdc(config: CdcConfig, log: Logger): Promise<RunningCdc> {
  const connector = new CdcConnector(config, log);
  const status = await startStatusServer(config.statusPort, '0.0.0.0', () => connector.currentStatus());
  log.info({ statusPort: status.port, server: config.serverName }, 'status on http://127.0.0.1:%d/status', status.port);
  try {
    await connector.start();
  } catch (error) {
    status.server.close();
    if (error instanceof SourceConfigError) throw new UsageError(error.message);
    throw error;
  }
  log.info({ server: config.serverName }, 'streaming');
  return {
    connector,
    statusPort: status.port,
    async close() {
      await connector.stop();
      await new Promise<void>((resolve) => status.server.close(() => resolve()));
    },
  };
}

export async function run(args: string[]): Promise<number> {
  const values = parseConfigFlags(args, Object.keys(FLAG_TO_SETTING));
  const config = cdcConfigFrom(loadCdcSection(values));
  configureKafkaClients(values.config as string | undefined);
  const log = createLogger('cdc');
  const cdc = await startCdc(config, log);
  await onShutdownSignal(async (signal) => {
    log.info({ signal }, 'stopping cdc connector');
    await cdc.close();
  });
  return 0;
}
