import { parseArgs } from 'node:util';
import { AclOperations, AclPermissionTypes, ResourcePatternTypes, ResourceTypes } from '@tributary/common/kafka';
import { withSecuredAdmin } from '../secured-admin.ts';
import { UsageError } from '../command.ts';
import { securedClientOptions } from '../client-options.ts';
import { printRows } from '../output.ts';

type Values = Record<string, string | boolean | string[] | undefined>;

const label = <T extends Record<string, number>>(codes: T, code: number) => Object.entries(codes).find(([, value]) => value === code)?.[0] ?? String(code);

/** --topic T | --group G | --cluster | --transactional-id ID: the resource the ACL is about. */
function resource(values: Values, required: boolean): { resourceType: number; resourceName: string | null } {
  const given = [
    values.topic !== undefined && { resourceType: ResourceTypes.TOPIC, resourceName: values.topic as string },
    values.group !== undefined && { resourceType: ResourceTypes.GROUP, resourceName: values.group as string },
    values.cluster === true && { resourceType: ResourceTypes.CLUSTER, resourceName: 'kafka-cluster' },
    values['transactional-id'] !== undefined && { resourceType: ResourceTypes.TRANSACTIONAL_ID, resourceName: values['transactional-id'] as string },
  ].filter(Boolean) as Array<{ resourceType: number; resourceName: string }>;
  if (given.length > 1) throw new UsageError('give one of --topic, --group, --cluster or --transactional-id');
  if (given.length === 0) {
    if (required) throw new UsageError('give the resource: --topic T, --group G, --cluster or --transactional-id ID');
    return { resourceType: ResourceTypes.ANY, resourceName: null };
  }
  return given[0]!;
}

function choice<T extends Record<string, number>>(flag: string, codes: T, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const code = codes[value.toUpperCase().replace(/-/g, '_') as keyof T];
  if (code === undefined) throw new UsageError(`--${flag} ${value} is not one of ${Object.keys(codes).filter((key) => key !== 'UNKNOWN').join(', ').toLowerCase()}`);
  return code;
}

/** `tributary acls add|list|remove`: Kafka ACLs (kafka-acls) through CreateAcls / DescribeAcls / DeleteAcls. */
export async function run(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      ...securedClientOptions,
      principal: { type: 'string' },
      host: { type: 'string' },
      operation: { type: 'string', multiple: true },
      permission: { type: 'string' },
      topic: { type: 'string' },
      group: { type: 'string' },
      cluster: { type: 'boolean' },
      'transactional-id': { type: 'string' },
      'resource-pattern-type': { type: 'string' },
    },
    strict: true,
  });
  const operations = (values.operation ?? []).flatMap((op) => op.split(','));
  return withSecuredAdmin(values, async (admin, output) => {
    switch (action) {
      case 'add': {
        if (!values.principal) throw new UsageError('give --principal User:NAME (User:* for everyone)');
        if (operations.length === 0) throw new UsageError('give --operation (read, write, create, delete, alter, describe, describe-configs, alter-configs, idempotent-write, cluster-action, all)');
        const target = resource(values, true);
        const creations = operations.map((op) => ({
          resourceType: target.resourceType,
          resourceName: target.resourceName!,
          resourcePatternType: choice('resource-pattern-type', ResourcePatternTypes, values['resource-pattern-type'], ResourcePatternTypes.LITERAL),
          principal: values.principal!,
          host: values.host ?? '*',
          operation: choice('operation', AclOperations, op, AclOperations.ANY),
          permissionType: choice('permission', AclPermissionTypes, values.permission, AclPermissionTypes.ALLOW),
        }));
        await admin.createAcls({ creations } as never);
        return 0;
      }
      case 'list':
      case 'remove': {
        const target = resource(values, false);
        const filters = (operations.length > 0 ? operations : [undefined]).map((op) => ({
          resourceType: target.resourceType,
          resourceName: target.resourceName,
          resourcePatternType: choice('resource-pattern-type', ResourcePatternTypes, values['resource-pattern-type'], ResourcePatternTypes.ANY),
          principal: values.principal ?? null,
          host: values.host ?? null,
          operation: choice('operation', AclOperations, op, AclOperations.ANY),
          permissionType: choice('permission', AclPermissionTypes, values.permission, AclPermissionTypes.ANY),
        }));
        if (action === 'remove') {
          if (target.resourceName === null && !values.principal) throw new UsageError('remove needs a resource or --principal, so that one command cannot drop every ACL by accident');
          const removed = await admin.deleteAcls({ filters } as never);
          process.stderr.write(`removed ${removed.length} ACL(s)\n`);
          return 0;
        }
        const rows = [];
        for (const filter of filters) {
          for (const found of await admin.describeAcls({ filter } as never)) {
            for (const acl of found.acls) {
              rows.push({
                resourceType: label(ResourceTypes, found.resourceType),
                resourceName: found.resourceName,
                patternType: label(ResourcePatternTypes, found.resourcePatternType),
                principal: acl.principal,
                host: acl.host,
                operation: label(AclOperations, acl.operation),
                permission: label(AclPermissionTypes, acl.permissionType),
              });
            }
          }
        }
        printRows(rows, output, ['resourceType', 'resourceName', 'patternType', 'principal', 'host', 'operation', 'permission']);
        return 0;
      }
      default:
        throw new UsageError(`unknown action '${action}': use add, list or remove`);
    }
  });
}
