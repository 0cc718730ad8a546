import type { Logger } from '@tributary/common';
import { ApiKey, decodeRequest, encodeResponse, ProtocolError, readRequestHeader } from '../protocol/index.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { checkAuthenticated } from '../security/request-gate.ts';
import { rawSaslStep } from '../security/sasl/raw-sasl.ts';
import type { SecurityServices } from '../security/security-services.ts';
import type { ApiHandler, RequestContext } from './api-handler.ts';
import type { ConnectionInfo, RequestProcessor } from './connection.ts';
import type { BrokerMetrics } from './metrics.ts';

export class UnsupportedRequestError extends Error {}

/**
 * Turns a request frame into response chunks: header, version check, decode, handler, encode.
 * Anything that cannot be answered in the client's own version closes the connection (through
 * the thrown error), which is what Kafka does too.
 */
export function createRequestProcessor(
  handlers: Map<number, ApiHandler>,
  metrics: BrokerMetrics,
  security: SecurityServices & { reauthMs: number },
  log: Logger,
): RequestProcessor {
  const { quotas } = security;
  const apiVersionsFallback = (correlationId: number): Buffer[] =>
    encodeResponse(ApiKey.ApiVersions, 0, correlationId, {
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      apiKeys: advertisedVersions(handlers),
      throttleTimeMs: 0,
    });

  return (frame: Buffer, connection: ConnectionInfo) => {
    if (connection.session.rawSasl) return rawSaslStep(frame, connection.session, security.credentials, security.reauthMs);
    const receivedAtMs = performance.now();
    const { header, bodyOffset } = readRequestHeader(frame);
    const { requestApiKey: apiKey, requestApiVersion: apiVersion } = header;
    checkAuthenticated(apiKey, connection.session);
    const handler = handlers.get(apiKey);
    if (!handler || apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
      // Clients probe ApiVersions with their newest version; KIP-511 says answer in v0 with
      // UNSUPPORTED_VERSION and our ranges so they can retry with one we speak.
      if (apiKey === ApiKey.ApiVersions) return apiVersionsFallback(header.correlationId);
      metrics.unsupportedRequests.inc();
      throw new UnsupportedRequestError(
        handler
          ? `api key ${apiKey} version ${apiVersion} is outside the supported range ${handler.minVersion}-${handler.maxVersion}`
          : `api key ${apiKey} is not supported`,
      );
    }
    let body: unknown;
    try {
      body = decodeRequest(apiKey, apiVersion, frame, bodyOffset);
    } catch (error) {
      if (error instanceof ProtocolError) metrics.malformedRequests.inc();
      throw error;
    }
    const context: RequestContext = { header, apiVersion, connection, receivedAtMs };
    const finish = (response: unknown): Buffer[] | null => {
      const elapsedMs = performance.now() - receivedAtMs;
      metrics.observeRequest(apiKey, elapsedMs);
      const clientId = header.clientId ?? '';
      // request_percentage counts handler time, not time parked in a purgatory (a long-poll Fetch).
      let throttleMs = quotas.record('request_percentage', connection.session, clientId, handlerMs / 10);
      if (apiKey === ApiKey.Produce) throttleMs = Math.max(throttleMs, quotas.record('producer_byte_rate', connection.session, clientId, frame.length + 4));
      if (response === null) return throttle(throttleMs);
      let chunks = encodeResponse(apiKey, apiVersion, header.correlationId, response as object);
      let bytes = 0;
      for (const chunk of chunks) bytes += chunk.length;
      if (apiKey === ApiKey.Fetch) throttleMs = Math.max(throttleMs, quotas.record('consumer_byte_rate', connection.session, clientId, bytes));
      if (throttleMs > 0) {
        (response as { throttleTimeMs?: number }).throttleTimeMs = throttleMs;
        chunks = encodeResponse(apiKey, apiVersion, header.correlationId, response as object);
      }
      metrics.responseBytes.inc(bytes);
      return throttle(throttleMs, chunks);
    };
    const throttle = (throttleMs: number, chunks: Buffer[] | null = null) => {
      if (throttleMs > 0) connection.session.throttleUntilMs = Math.max(connection.session.throttleUntilMs, Date.now() + throttleMs);
      return chunks;
    };
    metrics.requestBytes.inc(frame.length + 4);
    const handlerStartMs = performance.now();
    const result = handler.handle(body, context);
    const handlerMs = performance.now() - handlerStartMs;
    if (result instanceof Promise) {
      return result.then(finish, (error: unknown) => {
        log.error({ err: error, apiKey, apiVersion }, 'request handler failed');
        throw error;
      });
    }
    return finish(result);
  };
}

export function advertisedVersions(handlers: Map<number, ApiHandler>) {
  return [...handlers.values()]
    .sort((a, b) => a.apiKey - b.apiKey)
    .map((handler) => ({ apiKey: handler.apiKey, minVersion: handler.minVersion, maxVersion: handler.maxVersion }));
}
