import { configureKafkaClients, createAdmin, withBrokerHint } from '@tributary/common/kafka';
import { outputFlag } from './commands/flag-values.ts';

type Admin = ReturnType<typeof createAdmin>;

/**
 * What every admin command that takes --command-config does around its work: client security from
 * the file, --output checked, one Admin client closed afterwards, and a failure to reach the broker
 * turned into a message that names the fix.
 */
export async function withSecuredAdmin<T>(
  values: { 'bootstrap-server': string; output?: string; 'command-config'?: string },
  use: (admin: Admin, output: string) => Promise<T>,
): Promise<T> {
  configureKafkaClients(values['command-config']);
  const output = outputFlag(values.output, ['table', 'json']);
  const admin = createAdmin({ bootstrapServers: values['bootstrap-server'], clientId: 'tributary-cli' });
  try {
    return await use(admin, output);
  } catch (error) {
    throw withBrokerHint(error, values['bootstrap-server']);
  } finally {
    await admin.close();
  }
}
