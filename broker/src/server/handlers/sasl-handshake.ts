import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';

/**
 * SaslHandshake: picks the mechanism. v0 (raw SASL tokens after the handshake) is advertised
 * only because librdkafka checks that the range includes 0; clients pick v1 with SaslAuthenticate.
 */
export function saslHandshakeHandler(services: BrokerServices): ApiHandler {
  const mechanisms = services.config.security.saslMechanisms;
  return {
    apiKey: ApiKey.SaslHandshake,
    minVersion: 0,
    maxVersion: 1,
    handle(request: { mechanism: string }, context) {
      const session = context.connection.session;
      if (!session.needsSasl || context.apiVersion === 0) return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms };
      if (!mechanisms.includes(request.mechanism)) return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms };
      session.handshakeMechanism = request.mechanism;
      session.sasl = null;
      return { errorCode: ErrorCode.NONE, mechanisms };
    },
  };
}
