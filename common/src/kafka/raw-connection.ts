import { Connection } from '@platformatic/kafka';
import { parseBootstrap } from './client.ts';
import { withBrokerHint } from './errors.ts';
import { platformaticSecurityOptions } from './security.ts';

/**
 * One authenticated connection to the first bootstrap broker that answers, for admin APIs the
 * Admin client lacks or handles too strictly; closed when `use` settles.
 */
export async function withBrokerConnection<T>(bootstrap: string, clientId: string, use: (connection: Connection) => Promise<T>): Promise<T> {
  let lastError: unknown = new Error('no bootstrap server given');
  for (const address of parseBootstrap(bootstrap)) {
    const at = address.lastIndexOf(':');
    const connection = new Connection(clientId, platformaticSecurityOptions());
    try {
      await connection.connect(address.slice(0, at).replace(/^\[|\]$/g, ''), Number(address.slice(at + 1)));
    } catch (error) {
      lastError = error;
      await connection.close().catch(() => undefined);
      continue;
    }
    try {
      return await use(connection);
    } catch (error) {
      throw withBrokerHint(error, bootstrap);
    } finally {
      await connection.close();
    }
  }
  throw withBrokerHint(lastError, bootstrap);
}
