import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { AclBinding } from '../../metadata/types.ts';
import { aclMatchesFilter, CLUSTER_NAME, filterFromWire, type WireAclFilter } from '../../security/authorizer/acl-binding.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';

/** Groups bindings per resource pattern, as DescribeAcls answers. */
export function groupByResource(bindings: AclBinding[]) {
  const resources = new Map<string, { resourceType: number; resourceName: string; patternType: number; acls: Array<{ principal: string; host: string; operation: number; permissionType: number }> }>();
  for (const binding of bindings) {
    const key = `${binding.resourceType}\0${binding.patternType}\0${binding.resourceName}`;
    const resource = resources.get(key) ?? { resourceType: binding.resourceType, resourceName: binding.resourceName, patternType: binding.patternType, acls: [] };
    resource.acls.push({ principal: binding.principal, host: binding.host, operation: binding.operation, permissionType: binding.permissionType });
    resources.set(key, resource);
  }
  return [...resources.values()];
}

/** DescribeAcls: needs DESCRIBE on the cluster. */
export function describeAclsHandler(services: BrokerServices): ApiHandler {
  const { metadata, security } = services;
  return {
    apiKey: ApiKey.DescribeAcls,
    minVersion: 0,
    maxVersion: 3,
    handle(request: WireAclFilter, context) {
      if (!security.authorizer.authorize(context.connection.session, 'DESCRIBE', 'CLUSTER', CLUSTER_NAME)) {
        return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'describing ACLs needs DESCRIBE on the cluster', resources: [] };
      }
      const filter = filterFromWire(request);
      const matching = metadata.acls().filter((binding) => aclMatchesFilter(binding, filter));
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, resources: groupByResource(matching) };
    },
  };
}
