import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { CLUSTER_NAME } from '../../security/authorizer/acl-binding.ts';
import { quotaEntity, quotaValues, type QuotaEntity } from '../../security/quota/quota-entity.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';

interface Component {
  entityType: string;
  /** 0: exactly `match`, 1: the default entity, 2: any entity of the type. */
  matchType: number;
  match: string | null;
}

function matches(entity: QuotaEntity, components: Component[], strict: boolean): boolean {
  for (const component of components) {
    const part = entity.find((candidate) => candidate.entityType === component.entityType);
    if (!part) return false;
    if (component.matchType === 0 && part.entityName !== component.match) return false;
    if (component.matchType === 1 && part.entityName !== null) return false;
  }
  return !strict || entity.length === components.length;
}

/** DescribeClientQuotas: needs DESCRIBE_CONFIGS on the cluster. */
export function describeClientQuotasHandler(services: BrokerServices): ApiHandler {
  const { metadata, security } = services;
  return {
    apiKey: ApiKey.DescribeClientQuotas,
    minVersion: 0,
    maxVersion: 1,
    handle(request: { components: Component[]; strict: boolean }, context) {
      if (!security.authorizer.authorize(context.connection.session, 'DESCRIBE_CONFIGS', 'CLUSTER', CLUSTER_NAME)) {
        return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'describing quotas needs DESCRIBE_CONFIGS on the cluster', entries: null };
      }
      const entries = [];
      for (const entityType of ['users', 'clients'] as const) {
        for (const [name, configs] of metadata.allEntityConfigs(entityType)) {
          const values = quotaValues(configs);
          const entity = quotaEntity(entityType, name);
          if (values.length > 0 && matches(entity, request.components, request.strict)) entries.push({ entity, values });
        }
      }
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, entries };
    },
  };
}
