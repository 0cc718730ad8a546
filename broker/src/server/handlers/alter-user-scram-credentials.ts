import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { CLUSTER_NAME } from '../../security/authorizer/acl-binding.ts';
import { credentialFromSalted, MAX_ITERATIONS, mechanismByCode, MIN_ITERATIONS } from '../../security/sasl/scram-credential.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';

interface AlterRequest {
  deletions: Array<{ name: string; mechanism: number }>;
  upsertions: Array<{ name: string; mechanism: number; iterations: number; salt: Buffer; saltedPassword: Buffer }>;
}

/**
 * AlterUserScramCredentials: the client sends the salted password (never the password); the
 * broker keeps only StoredKey and ServerKey. One result per user, as Kafka answers.
 */
export function alterUserScramCredentialsHandler(services: BrokerServices): ApiHandler {
  const { credentials, authorizer } = services.security;
  return {
    apiKey: ApiKey.AlterUserScramCredentials,
    minVersion: 0,
    maxVersion: 0,
    async handle(request: AlterRequest, context) {
      const users = [...new Set([...request.deletions, ...request.upsertions].map((change) => change.name))];
      if (!authorizer.authorize(context.connection.session, 'ALTER', 'CLUSTER', CLUSTER_NAME)) {
        return { throttleTimeMs: 0, results: users.map((user) => ({ user, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'altering SCRAM credentials needs ALTER on the cluster' })) };
      }
      const results = [];
      for (const user of users) {
        const fail = (errorCode: number, errorMessage: string) => results.push({ user, errorCode, errorMessage });
        const deletions = request.deletions.filter((d) => d.name === user);
        const upsertions = request.upsertions.filter((u) => u.name === user);
        const mechanisms = [...deletions, ...upsertions].map((change) => change.mechanism);
        if (new Set(mechanisms).size !== mechanisms.length) { fail(ErrorCode.DUPLICATE_RESOURCE, `user ${user} appears twice for one mechanism`); continue; }
        if (user === '') { fail(ErrorCode.UNACCEPTABLE_CREDENTIAL, 'user name must not be empty'); continue; }
        const unknown = mechanisms.find((code) => !mechanismByCode(code));
        if (unknown !== undefined) { fail(ErrorCode.UNSUPPORTED_SASL_MECHANISM, `mechanism ${unknown} is not 1 (SCRAM-SHA-256) or 2 (SCRAM-SHA-512)`); continue; }
        const badIterations = upsertions.find((u) => u.iterations < MIN_ITERATIONS || u.iterations > MAX_ITERATIONS);
        if (badIterations) { fail(ErrorCode.UNACCEPTABLE_CREDENTIAL, `iterations must be ${MIN_ITERATIONS}-${MAX_ITERATIONS}, got ${badIterations.iterations}`); continue; }
        const missing = [];
        for (const deletion of deletions) if (!(await credentials.delete(user, mechanismByCode(deletion.mechanism)!))) missing.push(deletion.mechanism);
        for (const upsertion of upsertions) {
          const mechanism = mechanismByCode(upsertion.mechanism)!;
          await credentials.set(user, mechanism, credentialFromSalted(mechanism, upsertion.saltedPassword, upsertion.salt, upsertion.iterations));
        }
        if (missing.length > 0) fail(ErrorCode.RESOURCE_NOT_FOUND, `user ${user} has no credential for mechanism ${missing.join(', ')}`);
        else results.push({ user, errorCode: ErrorCode.NONE, errorMessage: null });
      }
      services.log.info({ principal: context.connection.session.principal, users }, 'SCRAM credentials altered');
      return { throttleTimeMs: 0, results };
    },
  };
}
