import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Intake } from '../intake.ts';
import type { Metrics } from '../metrics.ts';
import { eventsFromPixel, type PixelQuery } from '../pixel-params.ts';
import { requestFacts } from '../request-facts.ts';

/** The classic 43-byte transparent 1x1 GIF. */
export const TRANSPARENT_GIF = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');

export interface PixelRouteOptions {
  intake: Intake;
  metrics: Metrics;
  maxBatchEvents: number;
}

const GIF_HEADERS = { 'content-type': 'image/gif', 'cache-control': 'no-cache, no-store, must-revalidate, private', pragma: 'no-cache', expires: '0' };

function sendGif(reply: FastifyReply): FastifyReply {
  return reply.code(200).headers(GIF_HEADERS).send(TRANSPARENT_GIF);
}

/**
 * GET /i: the pixel. Whatever happens (garbage parameters, rate limit, a full disk) the page gets
 * the GIF, because a broken image is visible to the page's visitors; what went wrong goes to
 * tracking.bad and the log instead.
 */
export const pixelRoute: FastifyPluginAsync<PixelRouteOptions> = async (app, { intake, metrics, maxBatchEvents }) => {
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    metrics.requests.inc({ route: 'pixel', status: error.statusCode ?? 500 });
    if (error.statusCode !== 429) request.log.warn({ err: error }, 'pixel request failed');
    return sendGif(reply);
  });

  app.get('/i', async (request, reply) => {
    const facts = requestFacts(request);
    const parsed = eventsFromPixel(request.query as PixelQuery, facts.receivedAt, randomUUID);
    if (!parsed.ok) await intake.reject(parsed.reason, request.url, facts, 'pixel');
    else if (parsed.events.length > maxBatchEvents) await intake.reject(`pixel: more than ${maxBatchEvents} events`, request.url, facts, 'pixel');
    else await intake.acceptEvents(parsed.events, facts, 'pixel');
    metrics.requests.inc({ route: 'pixel', status: 200 });
    return sendGif(reply);
  });
};
