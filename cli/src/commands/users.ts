import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { alterUserScramCredentialsV0, configureKafkaClients, describeUserScramCredentialsV0, withBrokerConnection } from '@tributary/common/kafka';
import { UsageError } from '../command.ts';
import { securedClientOptions } from '../client-options.ts';
import { printRows } from '../output.ts';
import { integerFlag, outputFlag } from './flag-values.ts';

const MECHANISMS = { 'SCRAM-SHA-256': { code: 1, hash: 'sha256', length: 32 }, 'SCRAM-SHA-512': { code: 2, hash: 'sha512', length: 64 } } as const;
type Mechanism = keyof typeof MECHANISMS;
const RESOURCE_NOT_FOUND = 91;

function mechanisms(flag: string | undefined): Mechanism[] {
  if (flag === undefined) return ['SCRAM-SHA-256', 'SCRAM-SHA-512'];
  const names = flag.split(',').map((name) => name.trim().toUpperCase());
  for (const name of names) if (!(name in MECHANISMS)) throw new UsageError(`--mechanism ${name} is not SCRAM-SHA-256 or SCRAM-SHA-512`);
  return names as Mechanism[];
}

async function readPassword(values: { password?: string; 'password-stdin'?: boolean }): Promise<string> {
  if (values.password !== undefined) return values.password;
  if (!values['password-stdin']) throw new UsageError('give --password-stdin (preferred: keeps the password out of the process list) or --password');
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  const password = text.replace(/\r?\n$/, '');
  if (password === '') throw new UsageError('the password read from stdin is empty');
  return password;
}

function throwOnErrors(results: Array<{ user: string; errorCode: number; errorMessage?: string | null }>): void {
  const failed = results.find((result) => result.errorCode !== 0);
  if (failed) throw new Error(`user ${failed.user}: ${failed.errorMessage ?? `error ${failed.errorCode}`}`);
}

/**
 * `tributary users create|delete|list`: SCRAM credentials through AlterUserScramCredentials.
 * The password is salted and hashed here; only the salted password crosses the wire.
 */
export async function run(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      ...securedClientOptions,
      user: { type: 'string' },
      password: { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
      mechanism: { type: 'string' },
      iterations: { type: 'string' },
    },
    strict: true,
  });
  configureKafkaClients(values['command-config']);
  const output = outputFlag(values.output, ['table', 'json']);
  const bootstrap = values['bootstrap-server'];
  const requireUser = () => {
    if (!values.user) throw new UsageError('give --user NAME');
    return values.user;
  };
  switch (action) {
    case 'create': {
      const user = requireUser();
      const password = await readPassword(values);
      const iterations = integerFlag('iterations', values.iterations, 4096, 16384) ?? 4096;
      const upsertions = mechanisms(values.mechanism).map((mechanism) => {
        const { code, hash, length } = MECHANISMS[mechanism];
        const salt = randomBytes(32);
        return { name: user, mechanism: code, iterations, salt, saltedPassword: pbkdf2Sync(Buffer.from(password.normalize('NFKC')), salt, iterations, length, hash) };
      });
      const response = await withBrokerConnection(bootstrap, 'tributary-cli', (connection) => alterUserScramCredentialsV0.api.async(connection, [], upsertions));
      throwOnErrors(response.results);
      process.stderr.write(`user ${user} has ${mechanisms(values.mechanism).join(' and ')} credentials\n`);
      return 0;
    }
    case 'delete': {
      const user = requireUser();
      const wanted = values.mechanism === undefined ? null : mechanisms(values.mechanism);
      await withBrokerConnection(bootstrap, 'tributary-cli', async (connection) => {
        const described = await describeUserScramCredentialsV0.api.async(connection, [{ name: user }]);
        const existing = described.results[0]?.credentialInfos.map((info) => info.mechanism) ?? [];
        const codes = wanted ? wanted.map((mechanism) => MECHANISMS[mechanism].code) : existing;
        if (codes.length === 0) throw new Error(`user ${user} has no SCRAM credentials: see 'tributary users list'`);
        const response = await alterUserScramCredentialsV0.api.async(connection, codes.map((mechanism) => ({ name: user, mechanism })), []);
        throwOnErrors(response.results);
      });
      return 0;
    }
    case 'list': {
      const response = await withBrokerConnection(bootstrap, 'tributary-cli', (connection) => describeUserScramCredentialsV0.api.async(connection, []));
      if (response.errorCode !== 0) throw new Error(response.errorMessage ?? `DescribeUserScramCredentials failed with error ${response.errorCode}`);
      const names = Object.fromEntries(Object.entries(MECHANISMS).map(([name, { code }]) => [code, name]));
      const rows = response.results
        .filter((result) => result.errorCode !== RESOURCE_NOT_FOUND)
        .flatMap((result) => result.credentialInfos.map((info) => ({ user: result.user, mechanism: names[info.mechanism] ?? String(info.mechanism), iterations: info.iterations })));
      printRows(rows, output, ['user', 'mechanism', 'iterations']);
      return 0;
    }
    default:
      throw new UsageError(`unknown action '${action}': use create, delete or list`);
  }
}
