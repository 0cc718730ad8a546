// Runs one connector in its own process so that a test can kill -9 it. argv[2]: settings as JSON.
import { createLogger } from '@tributary/common';
import { CdcConnector, cdcConfigFrom, loadCdcSection } from '../../src/index.ts';

const connector = new CdcConnector(cdcConfigFrom(loadCdcSection({ flags: JSON.parse(process.argv[2]!) })), createLogger('cdc', { level: 'warn' }));
await connector.start();
process.stdout.write('streaming\n');
process.on('SIGTERM', () => void connector.stop().then(() => process.exit(0)));
