import type { FastifyPluginAsync } from 'fastify';
import type { TrackerBundle } from '../tracker-bundle.ts';

/** GET /t.js: the tracker, cacheable for an hour and revalidated by ETag. */
export const trackerScriptRoute: FastifyPluginAsync<{ bundle: TrackerBundle }> = async (app, { bundle }) => {
  app.get('/t.js', { config: { rateLimit: false } }, async (request, reply) => {
    reply
      .header('content-type', 'application/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .header('etag', bundle.etag)
      .header('vary', 'accept-encoding');
    if (request.headers['if-none-match'] === bundle.etag) return reply.code(304).send();
    if (/\bgzip\b/.test(request.headers['accept-encoding'] ?? '')) return reply.header('content-encoding', 'gzip').send(bundle.gzip);
    return reply.send(bundle.code);
  });
};
