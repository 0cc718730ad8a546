// Runs one connector in its own process so that a test can kill -9 it. argv[2]: settings as JSON.
// It serves /status on status.port (when not 0) so a test can time the kill by the stored position.
import { createLogger } from '@tributary/common';
import { CdcConnector, cdcConfigFrom, loadCdcSection, startStatusServer } from '../../src/index.ts';

const config = cdcConfigFrom(loadCdcSection({ flags: JSON.parse(process.argv[2]!) }));
const connector = new CdcConnector(config, createLogger('cdc', { level: 'warn' }));
await connector.start();
if (config.statusPort !== 0) await startStatusServer(config.statusPort, '127.0.0.1', () => connector.currentStatus());
process.stdout.write('streaming\n');
process.on('SIGTERM', () => void connector.stop().then(() => process.exit(0)));
