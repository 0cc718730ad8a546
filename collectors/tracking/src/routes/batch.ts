import { createGunzip } from 'node:zlib';
import type { FastifyError, FastifyPluginAsync } from 'fastify';
import type { Intake } from '../intake.ts';
import type { Metrics } from '../metrics.ts';
import { requestFacts } from '../request-facts.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body as received (after gzip), kept for bad rows. */
    rawText: string;
  }
}

export interface BatchRouteOptions {
  intake: Intake;
  metrics: Metrics;
  maxBatchEvents: number;
  maxBodyBytes: number;
}

class BadBatch extends Error {
  readonly statusCode = 400;
}

function reasonFor(error: FastifyError, maxBodyBytes: number): string {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return `body larger than ${maxBodyBytes} bytes`;
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return `unsupported content type: send application/json or text/plain`;
  if (error.validation) return `batch: ${error.message}`;
  if (typeof error.code === 'string' && error.code.startsWith('Z_')) return `body is not valid gzip (${error.message})`;
  return error.message;
}

/**
 * POST /v1/batch: a JSON array of events, plain or gzip, as application/json or text/plain (what
 * sendBeacon and fetch can send cross-origin without a preflight). Valid events are accepted even
 * when some of their neighbours are not; the answer is then 400 naming each rejected index.
 */
export const batchRoute: FastifyPluginAsync<BatchRouteOptions> = async (app, options) => {
  const { intake, metrics, maxBatchEvents, maxBodyBytes } = options;
  app.decorateRequest('rawText', '');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'string', bodyLimit: maxBodyBytes }, (request, body, done) => {
    const text = body as string;
    request.rawText = text;
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(new BadBatch(`broken JSON: ${(error as Error).message}`), undefined);
    }
  });

  app.addHook('preParsing', async (request, _reply, payload) => {
    const encoding = request.headers['content-encoding'];
    if (encoding === undefined || encoding === 'identity') return payload;
    if (encoding !== 'gzip') throw Object.assign(new Error(`unsupported content encoding '${encoding}': send gzip or identity`), { statusCode: 415 });
    // Fastify compares Content-Length with receivedEncodedLength; bodyLimit applies to what gunzip yields.
    const gunzip = Object.assign(createGunzip(), { receivedEncodedLength: 0 });
    payload.on('data', (chunk: Buffer) => {
      gunzip.receivedEncodedLength += chunk.length;
    });
    payload.on('error', (error) => gunzip.destroy(error));
    return payload.pipe(gunzip);
  });

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    metrics.requests.inc({ route: 'batch', status });
    if (status === 429) return reply.code(429).send({ error: error.message });
    if (status >= 500) {
      request.log.error({ err: error }, 'batch not accepted');
      return reply.code(503).send({ error: 'collector cannot store events right now; retry later' });
    }
    const reason = reasonFor(error, maxBodyBytes);
    try {
      await intake.reject(reason, request.rawText, requestFacts(request), 'batch');
    } catch (storeError) {
      request.log.error({ err: storeError }, 'bad row not stored');
    }
    return reply.code(status === 413 || status === 415 ? status : 400).send({ error: reason });
  });

  app.post(
    '/v1/batch',
    { schema: { body: { type: 'array', minItems: 1, maxItems: maxBatchEvents } } },
    async (request, reply) => {
      const result = await intake.acceptEvents(request.body as unknown[], requestFacts(request), 'batch');
      const status = result.rejected.length > 0 ? 400 : 200;
      metrics.requests.inc({ route: 'batch', status });
      return reply.code(status).send(result);
    },
  );
};
