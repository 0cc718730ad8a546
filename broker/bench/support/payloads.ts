// Payloads for the load generators: random base64 text, so no compression or deduplication can
// help any system, and no newline, so kcat can read one record per line.
import { createWriteStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';

export function payload(size: number): Buffer {
  return Buffer.from(randomBytes(size).toString('base64').slice(0, size), 'latin1');
}

/** Writes `count` distinct records of `size` bytes, one per line. */
export async function writeRecordFile(path: string, count: number, size: number): Promise<void> {
  const out = createWriteStream(path);
  const perChunk = Math.max(1, Math.floor((4 << 20) / (size + 1)));
  for (let written = 0; written < count; written += perChunk) {
    const n = Math.min(perChunk, count - written);
    const text = randomBytes(Math.ceil(((size + 1) * n * 3) / 4) + 3).toString('base64');
    const chunk = Buffer.allocUnsafe((size + 1) * n);
    for (let i = 0; i < n; i++) {
      chunk.write(text.slice(i * (size + 1), i * (size + 1) + size), i * (size + 1), 'latin1');
      chunk[i * (size + 1) + size] = 0x0a;
    }
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
