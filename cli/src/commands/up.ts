import { parseArgs } from 'node:util';
import { Broker } from '@tributary/broker';
import { createLogger } from '@tributary/common';
import { onShutdownSignal } from '../signals.ts';
import { loadBrokerSettings } from './broker-start.ts';

/**
 * The embedded all-in-one platform on defaults. Today that is the broker; the collectors, the
 * sink and the console join this command as they land.
 */
export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { 'data-dir': { type: 'string' }, config: { type: 'string' } },
    strict: true,
  });
  const { config, settings } = loadBrokerSettings({ 'data-dir': values['data-dir'] as string | undefined }, values.config as string | undefined);
  const log = createLogger('tributary');
  const broker = await Broker.start(config, { log: log.child({ component: 'broker' }), settings });
  process.stdout.write(
    [
      'Tributary is up:',
      `  Kafka protocol   ${config.advertisedHost}:${broker.port}   (e.g. kcat -b ${config.advertisedHost}:${broker.port} -L)`,
      `  health           http://127.0.0.1:${broker.adminPort}/health`,
      `  metrics          http://127.0.0.1:${broker.adminPort}/metrics`,
      `  data             ${config.dataDir}`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  await onShutdownSignal(async () => {
    await broker.stop();
  });
  return 0;
}
