import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { SaslAuthenticationError, startExchange } from '../../security/sasl/sasl-mechanisms.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';

/** SaslAuthenticate: one step of the exchange the handshake chose; also used to re-authenticate (KIP-368). */
export function saslAuthenticateHandler(services: BrokerServices): ApiHandler {
  const { credentials } = services.security;
  const reauthMs = services.config.security.reauthMs;
  return {
    apiKey: ApiKey.SaslAuthenticate,
    minVersion: 0,
    maxVersion: 2,
    handle(request: { authBytes: Buffer }, context) {
      const session = context.connection.session;
      const answer = (errorCode: number, errorMessage: string | null, authBytes: Buffer = Buffer.alloc(0), sessionLifetimeMs = 0n) =>
        ({ errorCode, errorMessage, authBytes, sessionLifetimeMs });
      if (!session.handshakeMechanism) return answer(ErrorCode.ILLEGAL_SASL_STATE, 'SaslAuthenticate before SaslHandshake: send SaslHandshake v1 first');
      const mechanism = session.handshakeMechanism;
      session.sasl ??= startExchange(mechanism, credentials);
      try {
        const step = session.sasl.step(request.authBytes);
        if (!step.done) return answer(ErrorCode.NONE, null, step.response);
        if (session.authenticated && session.principal !== step.principal) {
          session.resetSasl();
          return answer(ErrorCode.SASL_AUTHENTICATION_FAILED, `re-authentication must keep the principal ${session.principal}`);
        }
        session.authenticatedAs(step.principal, reauthMs);
        services.log.info({ principal: step.principal, mechanism, remoteAddress: context.connection.remoteAddress, listener: session.listener.name }, 'SASL authentication succeeded');
        return answer(ErrorCode.NONE, null, step.response, BigInt(reauthMs));
      } catch (error) {
        if (!(error instanceof SaslAuthenticationError)) throw error;
        session.resetSasl();
        services.log.warn({ remoteAddress: context.connection.remoteAddress, listener: session.listener.name, reason: error.message }, 'SASL authentication failed');
        return answer(ErrorCode.SASL_AUTHENTICATION_FAILED, error.message);
      }
    },
  };
}
