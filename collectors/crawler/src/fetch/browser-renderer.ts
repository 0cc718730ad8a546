import type { Browser } from 'playwright-core';

export interface RenderedPage {
  finalUrl: string;
  status: number;
  html: string;
}

/**
 * Renders pages in Chromium for crawls that need JavaScript. One browser per worker process,
 * one fresh context per page so cookies and storage never leak between sites.
 */
export class BrowserRenderer {
  constructor(
    private readonly browser: Browser,
    private readonly userAgent: string,
    private readonly timeoutMs: number,
  ) {}

  async render(url: string): Promise<RenderedPage> {
    const context = await this.browser.newContext({ userAgent: this.userAgent, javaScriptEnabled: true });
    try {
      const page = await context.newPage();
      const response = await page.goto(url, { waitUntil: 'networkidle', timeout: this.timeoutMs });
      return { finalUrl: page.url(), status: response?.status() ?? 0, html: await page.content() };
    } finally {
      await context.close();
    }
  }
}
