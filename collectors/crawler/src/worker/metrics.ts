import { createServer, type Server } from 'node:http';
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';

/** The worker's Prometheus counters, in a registry of its own so tests can run several workers. */
export class CrawlMetrics {
  readonly registry = new Registry();
  readonly pages = new Counter({ name: 'tributary_crawl_pages_total', help: 'Pages landed in crawl.pages.', labelNames: ['renderer'], registers: [this.registry] });
  readonly errors = new Counter({ name: 'tributary_crawl_errors_total', help: 'URLs reported to crawl.errors, by reason.', labelNames: ['reason'], registers: [this.registry] });
  readonly bytes = new Counter({ name: 'tributary_crawl_bytes_total', help: 'Response body bytes downloaded.', registers: [this.registry] });
  readonly retries = new Counter({ name: 'tributary_crawl_retries_total', help: 'Attempts that failed and will be retried.', registers: [this.registry] });
  readonly recoveries = new Counter({ name: 'tributary_crawl_recoveries_total', help: 'Jobs whose earlier attempt may have landed a record, by outcome.', labelNames: ['outcome'], registers: [this.registry] });
  private server: Server | null = null;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Serves GET /metrics; resolves with the bound port (0 picks a free one). */
  async listen(port: number, host = '0.0.0.0'): Promise<number> {
    this.server = createServer((request, response) => {
      if (request.url !== '/metrics') {
        response.writeHead(404).end();
        return;
      }
      this.registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
        (error: Error) => response.writeHead(500).end(error.message),
      );
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, resolve);
    });
    return (this.server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
