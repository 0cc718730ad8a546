import { accessSync, constants } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { chromium, type Browser, type Route } from 'playwright-core';
import { isBlockedAddress } from '../url/ssrf-guard.ts';

export interface RenderedPage {
  finalUrl: string;
  html: string;
  renderMs: number;
}

export interface RenderInput {
  url: string;
  /** The document as the HTTP fetch got it; the browser starts from it instead of asking again. */
  status: number;
  contentType: string | null;
  body: Buffer;
  userAgent: string;
  timeoutMs: number;
  allowPrivateAddresses: boolean;
}

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** Bytes that cannot change the DOM: never downloaded by the crawler's browser. */
const SKIPPED_RESOURCES = new Set(['image', 'media', 'font', 'stylesheet']);

async function resolvesToBlocked(hostname: string): Promise<boolean> {
  const bare = hostname.replace(/^\[|\]$/g, '');
  if (isIP(bare)) return isBlockedAddress(bare);
  try {
    return (await lookup(bare, { all: true })).some((entry) => isBlockedAddress(entry.address));
  } catch {
    return true;
  }
}

/**
 * Renders pages in Debian's Chromium for crawls that need JavaScript. One browser per worker
 * process, launched on first need; one fresh context per page so cookies and storage never leak
 * between sites. The SSRF guard applies to every request the page's scripts make.
 */
export class BrowserRenderer {
  private browser: Promise<Browser> | null = null;

  constructor(private readonly executablePath = DEFAULT_CHROMIUM) {}

  private launch(): Promise<Browser> {
    if (!this.browser) {
      try {
        accessSync(this.executablePath, constants.X_OK);
      } catch {
        throw new Error(`${this.executablePath} not found: install the Debian package 'chromium' (apt-get install chromium) or pass --chromium PATH`);
      }
      this.browser = chromium.launch({
        executablePath: this.executablePath,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
      this.browser.catch(() => (this.browser = null));
    }
    return this.browser;
  }

  /** Launches the browser now, so the first render's time is not spent holding a host. */
  async warm(): Promise<void> {
    await this.launch();
  }

  async render(input: RenderInput): Promise<RenderedPage> {
    const started = Date.now();
    const browser = await this.launch();
    const context = await browser.newContext({ userAgent: input.userAgent, javaScriptEnabled: true });
    try {
      let servedDocument = false;
      await context.route('**/*', async (route: Route) => {
        const request = route.request();
        if (!servedDocument && request.isNavigationRequest() && request.url() === input.url) {
          servedDocument = true;
          await route.fulfill({ status: input.status, contentType: input.contentType ?? 'text/html', body: input.body });
          return;
        }
        if (SKIPPED_RESOURCES.has(request.resourceType())) return route.abort();
        let url: URL;
        try {
          url = new URL(request.url());
        } catch {
          return route.abort();
        }
        if (url.protocol === 'data:' || url.protocol === 'blob:') return route.continue();
        if (url.protocol !== 'http:' && url.protocol !== 'https:') return route.abort();
        if (!input.allowPrivateAddresses && (await resolvesToBlocked(url.hostname))) return route.abort('blockedbyclient');
        return route.continue();
      });
      const page = await context.newPage();
      await page.goto(input.url, { waitUntil: 'networkidle', timeout: input.timeoutMs });
      return { finalUrl: page.url(), html: await page.content(), renderMs: Date.now() - started };
    } finally {
      await context.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    const browser = this.browser;
    this.browser = null;
    if (browser) await (await browser.catch(() => null))?.close();
  }
}
