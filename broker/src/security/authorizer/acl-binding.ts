import type { AclBinding, AclBindingFilter } from '../../metadata/types.ts';

/** Kafka's wire codes (org.apache.kafka.common.resource / acl enums). */
export const ResourceType = { ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5 } as const;
export const PatternType = { ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;
export const AclOperation = {
  ANY: 1, ALL: 2, READ: 3, WRITE: 4, CREATE: 5, DELETE: 6, ALTER: 7, DESCRIBE: 8, CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10, ALTER_CONFIGS: 11, IDEMPOTENT_WRITE: 12,
} as const;
export const AclPermission = { ANY: 1, DENY: 2, ALLOW: 3 } as const;

export type Operation = keyof typeof AclOperation;
export type Resource = 'TOPIC' | 'GROUP' | 'CLUSTER' | 'TRANSACTIONAL_ID';

/** The cluster resource's only name, as Kafka spells it. */
export const CLUSTER_NAME = 'kafka-cluster';
export const WILDCARD = '*';

const nameOf = <T extends Record<string, number>>(codes: T, code: number): string =>
  Object.entries(codes).find(([, value]) => value === code)?.[0] ?? String(code);

export const resourceTypeName = (code: number) => nameOf(ResourceType, code);
export const patternTypeName = (code: number) => nameOf(PatternType, code);
export const operationName = (code: number) => nameOf(AclOperation, code);
export const permissionName = (code: number) => nameOf(AclPermission, code);

/** Why a binding cannot be stored, or null when it is valid (Kafka refuses ANY/MATCH/UNKNOWN values). */
export function invalidBinding(binding: AclBinding): string | null {
  if (!Object.values(ResourceType).includes(binding.resourceType as never) || binding.resourceType === ResourceType.ANY) return `resource type ${binding.resourceType} is not TOPIC, GROUP, CLUSTER or TRANSACTIONAL_ID`;
  if (binding.patternType !== PatternType.LITERAL && binding.patternType !== PatternType.PREFIXED) return `pattern type ${binding.patternType} is not LITERAL (3) or PREFIXED (4)`;
  if (binding.operation < AclOperation.ALL || binding.operation > AclOperation.IDEMPOTENT_WRITE) return `operation ${binding.operation} is not a concrete ACL operation`;
  if (binding.permissionType !== AclPermission.ALLOW && binding.permissionType !== AclPermission.DENY) return 'permission must be ALLOW (3) or DENY (2)';
  if (!/^[^:]+:.+$/.test(binding.principal)) return `principal '${binding.principal}' is not TYPE:NAME (e.g. User:alice)`;
  if (binding.resourceName === '') return 'resource name must not be empty';
  if (binding.resourceType === ResourceType.CLUSTER && binding.resourceName !== CLUSTER_NAME) return `the cluster resource is named '${CLUSTER_NAME}'`;
  return null;
}

function patternMatches(binding: AclBinding, filter: AclBindingFilter): boolean {
  if (filter.resourceType !== ResourceType.ANY && filter.resourceType !== binding.resourceType) return false;
  if (filter.patternType === PatternType.ANY) return filter.resourceName === null || filter.resourceName === binding.resourceName;
  if (filter.patternType === PatternType.MATCH) {
    if (filter.resourceName === null) return true;
    if (binding.patternType === PatternType.PREFIXED) return filter.resourceName.startsWith(binding.resourceName);
    return binding.resourceName === filter.resourceName || binding.resourceName === WILDCARD;
  }
  return filter.patternType === binding.patternType && (filter.resourceName === null || filter.resourceName === binding.resourceName);
}

/** Kafka's AclBindingFilter.matches. */
export function aclMatchesFilter(binding: AclBinding, filter: AclBindingFilter): boolean {
  return (
    patternMatches(binding, filter) &&
    (filter.principal === null || filter.principal === binding.principal) &&
    (filter.host === null || filter.host === binding.host) &&
    (filter.operation === AclOperation.ANY || filter.operation === binding.operation) &&
    (filter.permissionType === AclPermission.ANY || filter.permissionType === binding.permissionType)
  );
}

export const sameBinding = (a: AclBinding, b: AclBinding) =>
  a.resourceType === b.resourceType && a.resourceName === b.resourceName && a.patternType === b.patternType &&
  a.principal === b.principal && a.host === b.host && a.operation === b.operation && a.permissionType === b.permissionType;

/** A filter as DescribeAcls and DeleteAcls carry it (PatternTypeFilter exists from v1; LITERAL before). */
export interface WireAclFilter {
  resourceTypeFilter: number;
  resourceNameFilter: string | null;
  patternTypeFilter?: number;
  principalFilter: string | null;
  hostFilter: string | null;
  operation: number;
  permissionType: number;
}

export function filterFromWire(filter: WireAclFilter): AclBindingFilter {
  return {
    resourceType: filter.resourceTypeFilter,
    resourceName: filter.resourceNameFilter,
    patternType: filter.patternTypeFilter ?? PatternType.LITERAL,
    principal: filter.principalFilter,
    host: filter.hostFilter,
    operation: filter.operation,
    permissionType: filter.permissionType,
  };
}
