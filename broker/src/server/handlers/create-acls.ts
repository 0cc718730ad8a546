import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { AclBinding } from '../../metadata/types.ts';
import { CLUSTER_NAME, invalidBinding, PatternType } from '../../security/authorizer/acl-binding.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';

interface AclCreation {
  resourceType: number;
  resourceName: string;
  resourcePatternType?: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

/** CreateAcls: needs ALTER on the cluster; each creation succeeds or fails on its own. */
export function createAclsHandler(services: BrokerServices): ApiHandler {
  const { metadata, security } = services;
  return {
    apiKey: ApiKey.CreateAcls,
    minVersion: 0,
    maxVersion: 3,
    async handle(request: { creations: AclCreation[] }, context) {
      const allowed = security.authorizer.authorize(context.connection.session, 'ALTER', 'CLUSTER', CLUSTER_NAME);
      const valid: AclBinding[] = [];
      const results = request.creations.map((creation) => {
        if (!allowed) return { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'creating ACLs needs ALTER on the cluster' };
        const binding: AclBinding = {
          resourceType: creation.resourceType,
          resourceName: creation.resourceName,
          patternType: creation.resourcePatternType ?? PatternType.LITERAL,
          principal: creation.principal,
          host: creation.host,
          operation: creation.operation,
          permissionType: creation.permissionType,
        };
        const problem = invalidBinding(binding);
        if (problem) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem };
        valid.push(binding);
        return { errorCode: ErrorCode.NONE, errorMessage: null };
      });
      if (valid.length > 0) await metadata.createAcls(valid);
      return { throttleTimeMs: 0, results };
    },
  };
}
