import type { FastifyInstance } from 'fastify';
import { registerConsoleApi } from './api.ts';
import { parseCollectorTargets } from './collectors.ts';
import { consolePage } from './page.ts';
import { ConsoleSampler } from './sampler.ts';
import type { ConsoleOptions } from './types.ts';

const SECURITY_HEADERS = {
  // Everything is inline; nothing may be loaded from elsewhere, and the page may not be framed.
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/**
 * The read-only web console on the admin HTTP server: the page at / and /console, its JSON API
 * under /api/console/. Only GET routes exist; nothing here changes the broker.
 */
export async function consolePlugin(app: FastifyInstance, options: ConsoleOptions): Promise<void> {
  const collectors = parseCollectorTargets(options.collectors);
  const sampler = new ConsoleSampler(options.sources, options.sampleIntervalMs ?? 1000, options.historySize ?? 300);
  sampler.start();
  app.addHook('onClose', async () => sampler.stop());
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.url === '/' || request.url.startsWith('/console') || request.url.startsWith('/api/console')) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
    }
    return payload;
  });
  const page = consolePage();
  for (const path of ['/', '/console', '/console/']) {
    app.get(path, async (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
  }
  registerConsoleApi(app, {
    sources: options.sources,
    sampler,
    collectors,
    collectorTimeoutMs: options.collectorTimeoutMs ?? 2000,
    startedAt: options.startedAt ?? Date.now(),
  });
}
