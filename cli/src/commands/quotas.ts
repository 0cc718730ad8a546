import { parseArgs } from 'node:util';
import { withSecuredAdmin } from '../secured-admin.ts';
import { UsageError } from '../command.ts';
import { securedClientOptions } from '../client-options.ts';
import { printRows } from '../output.ts';
import { integerFlag } from './flag-values.ts';

const KEYS = { 'producer-byte-rate': 'producer_byte_rate', 'consumer-byte-rate': 'consumer_byte_rate', 'request-percentage': 'request_percentage' } as const;

type Values = Record<string, string | boolean | string[] | undefined>;

/** --user U | --user-default and/or --client-id C | --client-id-default; null names the default entity. */
function entity(values: Values, required: boolean): Array<{ entityType: 'user' | 'client-id'; entityName: string | null }> {
  const parts: Array<{ entityType: 'user' | 'client-id'; entityName: string | null }> = [];
  for (const type of ['user', 'client-id'] as const) {
    if (values[type] !== undefined && values[`${type}-default`]) throw new UsageError(`give --${type} or --${type}-default, not both`);
    if (values[type] !== undefined) parts.push({ entityType: type, entityName: values[type] as string });
    else if (values[`${type}-default`]) parts.push({ entityType: type, entityName: null });
  }
  if (required && parts.length === 0) throw new UsageError('name the entity: --user U, --user-default, --client-id C or --client-id-default (a user and a client id together for a pair)');
  return parts;
}

/** `tributary quotas set|remove|list`: client quotas through AlterClientQuotas / DescribeClientQuotas. */
export async function run(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      ...securedClientOptions,
      user: { type: 'string' },
      'user-default': { type: 'boolean' },
      'client-id': { type: 'string' },
      'client-id-default': { type: 'boolean' },
      'producer-byte-rate': { type: 'string' },
      'consumer-byte-rate': { type: 'string' },
      'request-percentage': { type: 'string' },
      quota: { type: 'string', multiple: true },
    },
    strict: true,
  });
  return withSecuredAdmin(values, async (admin, output) => {
    switch (action) {
      case 'set': {
        const ops = Object.entries(KEYS).flatMap(([flag, key]) => {
          const value = integerFlag(flag, values[flag as keyof typeof KEYS], 1);
          return value === undefined ? [] : [{ key, value, remove: false as const }];
        });
        if (ops.length === 0) throw new UsageError('give at least one of --producer-byte-rate, --consumer-byte-rate, --request-percentage');
        await admin.alterClientQuotas({ entries: [{ entities: entity(values, true), ops }] });
        return 0;
      }
      case 'remove': {
        const keys = (values.quota ?? Object.values(KEYS)).map((key) => key.replace(/-/g, '_'));
        const unknown = keys.find((key) => !(Object.values(KEYS) as string[]).includes(key));
        if (unknown) throw new UsageError(`--quota ${unknown} is not producer_byte_rate, consumer_byte_rate or request_percentage`);
        await admin.alterClientQuotas({ entries: [{ entities: entity(values, true), ops: keys.map((key) => ({ key: key as (typeof KEYS)[keyof typeof KEYS], remove: true as const })) }] });
        return 0;
      }
      case 'list': {
        const components = entity(values, false).map((part) => (part.entityName === null ? { entityType: part.entityType, matchType: 1 as const } : { entityType: part.entityType, matchType: 0 as const, match: part.entityName }));
        const entries = await admin.describeClientQuotas({ components });
        const name = (type: string, entry: (typeof entries)[number]) => {
          const part = entry.entity.find((candidate) => candidate.entityType === type);
          return part ? (part.entityName ?? '<default>') : '';
        };
        const rows = entries.flatMap((entry) => entry.values.map((value) => ({ user: name('user', entry), clientId: name('client-id', entry), quota: value.key, value: value.value })));
        printRows(rows, output, ['user', 'clientId', 'quota', 'value']);
        return 0;
      }
      default:
        throw new UsageError(`unknown action '${action}': use set, remove or list`);
    }
  });
}
