import type { FastifyPluginAsync } from 'fastify';
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
export const healthRoutes: FastifyPluginAsync<{ forwarder: Forwarder; spool: Spool; metrics: Metrics }> = async (app, { forwarder, spool, metrics }) => {
  app.get('/health', { config: { rateLimit: false } }, async () => healthReport(forwarder, spool));
  app.get('/metrics', { config: { rateLimit: false } }, async (_request, reply) => {
    metrics.spoolBacklog.set(spool.backlog.events);
    metrics.brokerReachable.set(forwarder.mode === 'direct' ? 1 : 0);
    return reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });
};
