import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Forwarder } from '../forwarder.ts';
import type { Metrics } from '../metrics.ts';
import type { Spool } from '../spool.ts';

export interface HealthReport {
  status: 'ok' | 'degraded';
  broker: 'reachable' | 'unreachable';
  spool: { events: number; bytes: number };
}

export function healthReport(forwarder: Forwarder, spool: Spool): HealthReport {
  const reachable = forwarder.mode === 'direct';
  return { status: reachable ? 'ok' : 'degraded', broker: reachable ? 'reachable' : 'unreachable', spool: spool.backlog };
}

/**
 * /health answers 200 while the collector accepts events, also while it spools: a load balancer
 * must keep sending traffic, the backlog is there for operators. /metrics is Prometheus text.
 */
const digest = (text: string) => createHash('sha256').update(text).digest();

/** Compares digests so neither the length nor the content of the token leaks through timing. */
function adminGuard(token: string | null) {
  if (token === null) return undefined;
  const expected = digest(`Bearer ${token}`);
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (!timingSafeEqual(digest(request.headers.authorization ?? ''), expected)) {
      await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'this endpoint needs Authorization: Bearer <tracking.admin.token>' });
    }
  };
}

export const healthRoutes: FastifyPluginAsync<{ forwarder: Forwarder; spool: Spool; metrics: Metrics; adminToken: string | null }> = async (app, { forwarder, spool, metrics, adminToken }) => {
  app.get('/health', { config: { rateLimit: false } }, async () => healthReport(forwarder, spool));
  app.get('/metrics', { config: { rateLimit: false }, onRequest: adminGuard(adminToken) }, async (_request, reply) => {
    metrics.spoolBacklog.set(spool.backlog.events);
    metrics.brokerReachable.set(forwarder.mode === 'direct' ? 1 : 0);
    return reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });
};
