import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';

/**
 * SaslHandshake: picks the mechanism. After v1 the tokens come in SaslAuthenticate requests;
 * after v0 (kafka-python 2.0) they come as bare frames (security/sasl/raw-sasl.ts).
 */
export function saslHandshakeHandler(services: BrokerServices): ApiHandler {
  const mechanisms = services.config.security.saslMechanisms;
  return {
    apiKey: ApiKey.SaslHandshake,
    minVersion: 0,
    maxVersion: 1,
    handle(request: { mechanism: string }, context) {
      const session = context.connection.session;
      if (!session.needsSasl) return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms };
      if (!mechanisms.includes(request.mechanism)) return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms };
      session.handshakeMechanism = request.mechanism;
      session.sasl = null;
      session.rawSasl = context.apiVersion === 0;
      return { errorCode: ErrorCode.NONE, mechanisms };
    },
  };
}
