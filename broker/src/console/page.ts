import { readFileSync } from 'node:fs';

let cached: string | null = null;

/** The console's single page: inline CSS and script, nothing fetched from anywhere else. */
export function consolePage(): string {
  cached ??= readFileSync(new URL('./console.html', import.meta.url), 'utf8');
  return cached;
}
