import { chromium, type Browser } from 'playwright-core';
import { requireBinary } from './binaries.ts';

/**
 * Debian's Chromium driven by playwright-core (Playwright's own browser download cannot work
 * here). The flags keep it from reaching the network on its own; each launch has a fresh,
 * temporary profile that playwright removes on close.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = requireBinary('/usr/bin/chromium', 'chromium');
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
