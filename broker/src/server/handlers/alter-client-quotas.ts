import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { CLUSTER_NAME } from '../../security/authorizer/acl-binding.ts';
import { isQuotaKey, storeEntity, type QuotaEntity } from '../../security/quota/quota-entity.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';

interface Entry {
  entity: QuotaEntity;
  ops: Array<{ key: string; value: number; remove: boolean }>;
}

/** AlterClientQuotas: needs ALTER_CONFIGS on the cluster; each entry stands alone. */
export function alterClientQuotasHandler(services: BrokerServices): ApiHandler {
  const { metadata, security } = services;
  return {
    apiKey: ApiKey.AlterClientQuotas,
    minVersion: 0,
    maxVersion: 1,
    async handle(request: { entries: Entry[]; validateOnly: boolean }, context) {
      const allowed = security.authorizer.authorize(context.connection.session, 'ALTER_CONFIGS', 'CLUSTER', CLUSTER_NAME);
      const entries: Array<{ errorCode: number; errorMessage: string | null; entity: QuotaEntity }> = [];
      for (const { entity, ops } of request.entries) {
        const answer = (errorCode: number, errorMessage: string | null) => entries.push({ errorCode, errorMessage, entity });
        if (!allowed) { answer(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'altering quotas needs ALTER_CONFIGS on the cluster'); continue; }
        let target;
        try {
          target = storeEntity(entity);
        } catch (error) {
          answer(ErrorCode.INVALID_REQUEST, (error as Error).message);
          continue;
        }
        const bad = ops.find((op) => !isQuotaKey(op.key) || (!op.remove && !(op.value > 0)));
        if (bad) { answer(ErrorCode.INVALID_REQUEST, `quota ${bad.key}=${bad.value} is not a positive producer_byte_rate, consumer_byte_rate or request_percentage`); continue; }
        if (!request.validateOnly) {
          const configs = metadata.entityConfigs(target.entityType, target.name);
          for (const op of ops) {
            if (op.remove) delete configs[op.key];
            else configs[op.key] = String(op.value);
          }
          await metadata.alterEntityConfigs(target.entityType, target.name, configs);
        }
        answer(ErrorCode.NONE, null);
      }
      return { throttleTimeMs: 0, entries };
    },
  };
}
