import { ApiKey } from '../protocol/index.ts';
import type { SecuritySession } from './session.ts';

const SASL_APIS = new Set<number>([ApiKey.ApiVersions, ApiKey.SaslHandshake, ApiKey.SaslAuthenticate]);

export class UnauthenticatedRequestError extends Error {}

/**
 * Before SASL completes only ApiVersions and the SASL APIs are served, and a session past
 * connections.max.reauth.ms must re-authenticate first; Kafka closes the connection otherwise.
 */
export function checkAuthenticated(apiKey: number, session: SecuritySession, nowMs = Date.now()): void {
  if (!session.needsSasl || SASL_APIS.has(apiKey)) return;
  if (!session.authenticated) {
    throw new UnauthenticatedRequestError(`api key ${apiKey} sent on listener ${session.listener.name} before SASL authentication completed`);
  }
  if (nowMs > session.expiresAtMs) {
    throw new UnauthenticatedRequestError(`SASL session of ${session.principal} expired (connections.max.reauth.ms) without re-authentication`);
  }
}
