import Fastify, { type FastifyInstance } from 'fastify';
import type { BrokerMetrics } from './metrics.ts';

export interface HealthReport {
  status: 'ok' | 'starting' | 'stopping';
  brokerId: number;
  clusterId: string;
  [key: string]: unknown;
}

/**
 * The broker's admin HTTP server: /health for readiness checks and /metrics for Prometheus.
 * Plugins (the console) register on the returned instance before it listens.
 */
export function createAdminServer(metrics: BrokerMetrics, health: () => HealthReport, beforeScrape: () => void): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/health', async (_request, reply) => {
    const report = health();
    return reply.code(report.status === 'ok' ? 200 : 503).send(report);
  });
  app.get('/metrics', async (_request, reply) => {
    beforeScrape();
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });
  return app;
}
