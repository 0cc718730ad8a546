import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConnectorStatus } from './connector.ts';

/** Prometheus text exposition of the connector's status. */
export function renderMetrics(status: ConnectorStatus): string {
  const labels = `server="${status.server}"`;
  const lines = [
    '# HELP tributary_cdc_rows_total Row changes produced (snapshot and binlog).',
    '# TYPE tributary_cdc_rows_total counter',
    `tributary_cdc_rows_total{${labels}} ${status.rowsTotal}`,
    '# HELP tributary_cdc_rows_per_second Row changes produced per second over the last 10 s.',
    '# TYPE tributary_cdc_rows_per_second gauge',
    `tributary_cdc_rows_per_second{${labels}} ${status.rowsPerSecond}`,
    '# HELP tributary_cdc_lag_seconds Age of the binlog event being produced (0 when caught up).',
    '# TYPE tributary_cdc_lag_seconds gauge',
    `tributary_cdc_lag_seconds{${labels}} ${status.lagSeconds ?? 0}`,
    '# HELP tributary_cdc_reconnects_total Times the binlog stream was re-established.',
    '# TYPE tributary_cdc_reconnects_total counter',
    `tributary_cdc_reconnects_total{${labels}} ${status.reconnects}`,
    '# HELP tributary_cdc_streaming 1 while streaming the binlog.',
    '# TYPE tributary_cdc_streaming gauge',
    `tributary_cdc_streaming{${labels}} ${status.phase === 'streaming' ? 1 : 0}`,
  ];
  if (status.snapshot) {
    lines.push(
      '# HELP tributary_cdc_snapshot_rows Rows read by the snapshot so far.',
      '# TYPE tributary_cdc_snapshot_rows gauge',
      `tributary_cdc_snapshot_rows{${labels}} ${status.snapshot.rowsDone}`,
    );
  }
  return lines.join('\n') + '\n';
}

/** GET /status (JSON) and GET /metrics (Prometheus) for `tributary cdc status` and scrapers. */
export async function startStatusServer(port: number, host: string, status: () => ConnectorStatus): Promise<{ port: number; server: Server }> {
  const server = createServer((request, response) => {
    if (request.url === '/status') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(status()));
    } else if (request.url === '/metrics') {
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      response.end(renderMetrics(status()));
    } else if (request.url === '/health') {
      const phase = status().phase;
      response.writeHead(phase === 'streaming' || phase === 'snapshot' ? 200 : 503);
      response.end(phase);
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { port: (server.address() as AddressInfo).port, server };
}
