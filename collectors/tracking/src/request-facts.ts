import type { FastifyRequest } from 'fastify';
import type { RequestFacts } from './enrich.ts';

/** request.ip already honours X-Forwarded-For from trusted proxies only (Fastify's trustProxy). */
export function requestFacts(request: FastifyRequest): RequestFacts {
  return { ip: request.ip, userAgent: request.headers['user-agent'] ?? '', receivedAt: Date.now() };
}
