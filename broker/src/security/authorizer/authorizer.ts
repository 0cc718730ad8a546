import type { Logger } from '@tributary/common';
import type { AclBinding, MetadataStore } from '../../metadata/types.ts';
import { ErrorCode, KafkaError, type ErrorCodeName } from '../../protocol/errors.ts';
import type { SecurityConfig } from '../security-config.ts';
import type { SecuritySession } from '../session.ts';
import { AclOperation, AclPermission, PatternType, ResourceType, WILDCARD, type Operation, type Resource } from './acl-binding.ts';

/** Operations that imply DESCRIBE (or DESCRIBE_CONFIGS), as in Kafka's AclAuthorizer. */
const IMPLIES: Partial<Record<Operation, Operation[]>> = {
  DESCRIBE: ['READ', 'WRITE', 'DELETE', 'ALTER'],
  DESCRIBE_CONFIGS: ['ALTER_CONFIGS'],
};

/** The error Kafka answers when an operation on a resource type is denied. */
const DENIED: Record<Resource, ErrorCodeName> = {
  TOPIC: 'TOPIC_AUTHORIZATION_FAILED',
  GROUP: 'GROUP_AUTHORIZATION_FAILED',
  CLUSTER: 'CLUSTER_AUTHORIZATION_FAILED',
  TRANSACTIONAL_ID: 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
};

export const deniedCode = (resource: Resource) => ErrorCode[DENIED[resource]];

/**
 * Kafka's ACL authorizer: super users may do anything; a matching DENY wins over any ALLOW;
 * a resource no ACL mentions is allowed only with allow.everyone.if.no.acl.found. Off (allow
 * everything) unless authorizer.class.name is set.
 */
export class Authorizer {
  private cache: AclBinding[] | null = null;

  constructor(
    private readonly metadata: MetadataStore,
    private readonly config: SecurityConfig,
    private readonly log: Logger,
  ) {
    metadata.onChange((change) => {
      if (change.type === 'acls-changed') this.cache = null;
    });
  }

  get enabled(): boolean {
    return this.config.authorizerEnabled;
  }

  private bindings(): AclBinding[] {
    return (this.cache ??= this.metadata.acls());
  }

  /** Whether the connection's principal may do `operation` on the resource; denials are logged unless a fallback check follows (logDenial false). */
  authorize(session: SecuritySession, operation: Operation, resource: Resource, name: string, logDenial = true): boolean {
    if (!this.enabled || this.config.superUsers.includes(session.principal)) return true;
    const allowed = this.decide(session, operation, resource, name);
    if (!allowed && logDenial) {
      this.log.warn({ principal: session.principal, host: session.clientHost, operation, resourceType: resource, resourceName: name }, 'authorization denied');
    }
    return allowed;
  }

  /** Throws the resource type's *_AUTHORIZATION_FAILED KafkaError unless authorized. */
  require(session: SecuritySession, operation: Operation, resource: Resource, name: string): void {
    if (!this.authorize(session, operation, resource, name)) {
      throw new KafkaError(DENIED[resource], `${session.principal} is not authorized to ${operation} ${resource.toLowerCase()} ${name}`);
    }
  }

  /** Kafka's authorizeByResourceType: some ALLOW for the operation on any resource of the type, without a blanket DENY. */
  authorizeAnyOfType(session: SecuritySession, operation: Operation, resource: Resource): boolean {
    if (!this.enabled || this.config.superUsers.includes(session.principal)) return true;
    const type = ResourceType[resource];
    const mine = this.bindings().filter((b) => b.resourceType === type && this.appliesTo(b, session, operation));
    const blanketDeny = mine.some((b) => b.permissionType === AclPermission.DENY && b.resourceName === WILDCARD && b.patternType === PatternType.LITERAL);
    return !blanketDeny && mine.some((b) => b.permissionType === AclPermission.ALLOW);
  }

  private appliesTo(binding: AclBinding, session: SecuritySession, operation: Operation): boolean {
    const principalMatches = binding.principal === session.principal || binding.principal === 'User:*';
    const hostMatches = binding.host === WILDCARD || binding.host === session.clientHost;
    const operationMatches = binding.operation === AclOperation.ALL || binding.operation === AclOperation[operation];
    return principalMatches && hostMatches && operationMatches;
  }

  private decide(session: SecuritySession, operation: Operation, resource: Resource, name: string): boolean {
    const type = ResourceType[resource];
    const onResource = this.bindings().filter((binding) => {
      if (binding.resourceType !== type) return false;
      if (binding.patternType === PatternType.PREFIXED) return name.startsWith(binding.resourceName);
      return binding.resourceName === name || binding.resourceName === WILDCARD;
    });
    if (onResource.length === 0) return this.config.allowIfNoAcl;
    const denied = onResource.some((b) => b.permissionType === AclPermission.DENY && this.appliesTo(b, session, operation));
    if (denied) return false;
    const allowOps = [operation, ...(IMPLIES[operation] ?? [])];
    return onResource.some((b) => b.permissionType === AclPermission.ALLOW && allowOps.some((op) => this.appliesTo(b, session, op)));
  }
}
