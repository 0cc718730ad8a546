import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { CLUSTER_NAME, filterFromWire, type WireAclFilter } from '../../security/authorizer/acl-binding.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';

/** DeleteAcls: needs ALTER on the cluster; returns what each filter removed. */
export function deleteAclsHandler(services: BrokerServices): ApiHandler {
  const { metadata, security } = services;
  return {
    apiKey: ApiKey.DeleteAcls,
    minVersion: 0,
    maxVersion: 3,
    async handle(request: { filters: WireAclFilter[] }, context) {
      if (!security.authorizer.authorize(context.connection.session, 'ALTER', 'CLUSTER', CLUSTER_NAME)) {
        return {
          throttleTimeMs: 0,
          filterResults: request.filters.map(() => ({ errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'deleting ACLs needs ALTER on the cluster', matchingAcls: [] })),
        };
      }
      const removed = await metadata.deleteAcls(request.filters.map(filterFromWire));
      return {
        throttleTimeMs: 0,
        filterResults: removed.map((bindings) => ({
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          matchingAcls: bindings.map((binding) => ({ errorCode: ErrorCode.NONE, errorMessage: null, ...binding })),
        })),
      };
    },
  };
}
