import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { freePort } from '@tributary/testkit';

export type Handler = (request: IncomingMessage, response: ServerResponse, path: string) => void | Promise<void>;

/**
 * A local web site for crawls. It keeps every path asked for and the most requests it ever had
 * in flight at once, so tests can check robots rules and per-host politeness from the server side.
 */
export async function startSite(handler: Handler) {
  const port = await freePort();
  const requested: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://site').pathname;
    requested.push(path);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let counted = true;
    // 'close' comes after the response is sent or the connection dropped, whichever is first.
    response.once('close', () => {
      if (counted) inFlight--;
      counted = false;
    });
    Promise.resolve(handler(request, response, path)).catch((error: Error) => {
      if (!response.headersSent) response.writeHead(500);
      response.end(String(error.message));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    requested,
    get maxInFlight() {
      return maxInFlight;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function html(response: ServerResponse, body: string, status = 200): void {
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  response.end(`<!doctype html><html>${body}</html>`);
}

export function links(paths: string[]): string {
  return paths.map((path) => `<a href="${path}">${path}</a>`).join(' ');
}
