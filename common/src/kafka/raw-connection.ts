import { Connection } from '@platformatic/kafka';
import { parseBootstrap } from './client.ts';
import { withBrokerHint } from './errors.ts';
import { platformaticSecurityOptions } from './security.ts';

/**
 * One authenticated connection to the first bootstrap broker, for admin APIs the Admin client
 * lacks (the SCRAM credential APIs); closed when `use` settles.
 */
export async function withBrokerConnection<T>(bootstrap: string, clientId: string, use: (connection: Connection) => Promise<T>): Promise<T> {
  const [first] = parseBootstrap(bootstrap);
  const at = first!.lastIndexOf(':');
  const connection = new Connection(clientId, platformaticSecurityOptions());
  try {
    await connection.connect(first!.slice(0, at).replace(/^\[|\]$/g, ''), Number(first!.slice(at + 1)));
    return await use(connection);
  } catch (error) {
    throw withBrokerHint(error, bootstrap);
  } finally {
    await connection.close();
  }
}
