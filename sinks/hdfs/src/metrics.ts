import { createServer, type Server } from 'node:http';
import { Counter, Registry } from 'prom-client';

/** The sink's Prometheus metrics, one registry per worker so several can share a process. */
export function createSinkMetrics() {
  const registry = new Registry();
  return {
    registry,
    landed: new Counter({ name: 'tributary_sink_records_landed_total', help: 'Records written into files that were committed or are open, by topic.', labelNames: ['topic'] as const, registers: [registry] }),
    files: new Counter({ name: 'tributary_sink_files_committed_total', help: 'Parquet files renamed into place, by topic.', labelNames: ['topic'] as const, registers: [registry] }),
    deadLetters: new Counter({ name: 'tributary_sink_dead_letters_total', help: 'Records sent to <topic>.sink-dlq, by topic.', labelNames: ['topic'] as const, registers: [registry] }),
  };
}

export type SinkMetrics = ReturnType<typeof createSinkMetrics>;

/** GET /metrics (and /health) on a port of its own; port 0 picks a free one. */
export async function serveMetrics(registry: Registry, port: number, host = '0.0.0.0'): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    if (request.url === '/metrics') {
      registry.metrics().then((text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text), (error: Error) => response.writeHead(500).end(error.message));
    } else if (request.url === '/health') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, () => resolve()));
  return {
    port: (server.address() as { port: number }).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
