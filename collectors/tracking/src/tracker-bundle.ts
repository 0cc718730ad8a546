import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export interface TrackerBundle {
  code: Buffer;
  gzip: Buffer;
  etag: string;
}

const entry = fileURLToPath(new URL('./tracker/index.ts', import.meta.url));

/**
 * Bundles the browser tracker from its TypeScript source into one minified script. Built when the
 * collector starts, so what is served always matches the source and no bundle is committed.
 */
export async function buildTrackerBundle(): Promise<TrackerBundle> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2017'],
    write: false,
    legalComments: 'none',
  });
  const code = Buffer.from(result.outputFiles[0]!.contents);
  return { code, gzip: gzipSync(code, { level: 9 }), etag: `"${createHash('sha256').update(code).digest('base64url').slice(0, 22)}"` };
}
