import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { CLUSTER_NAME } from '../../security/authorizer/acl-binding.ts';
import { SCRAM_MECHANISMS } from '../../security/sasl/scram-credential.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';

/** DescribeUserScramCredentials: mechanisms and iterations per user, never salts or keys. */
export function describeUserScramCredentialsHandler(services: BrokerServices): ApiHandler {
  const { credentials, authorizer } = services.security;
  return {
    apiKey: ApiKey.DescribeUserScramCredentials,
    minVersion: 0,
    maxVersion: 0,
    handle(request: { users: Array<{ name: string }> | null }, context) {
      if (!authorizer.authorize(context.connection.session, 'DESCRIBE', 'CLUSTER', CLUSTER_NAME)) {
        return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'describing SCRAM credentials needs DESCRIBE on the cluster', results: [] };
      }
      const all = credentials.all();
      const names = request.users === null || request.users.length === 0 ? [...all.keys()].sort() : request.users.map((user) => user.name);
      const results = names.map((user) => {
        const found = all.get(user);
        if (!found) return { user, errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: `user ${user} has no SCRAM credentials`, credentialInfos: [] };
        return { user, errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos: found.map(({ mechanism, iterations }) => ({ mechanism: SCRAM_MECHANISMS[mechanism].code, iterations })) };
      });
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results };
    },
  };
}
