import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SinkFileSystem } from './file-system.ts';
import { LocalFileSystem } from './local-fs.ts';
import { parseWebHdfsUrl, WebHdfsFileSystem } from './webhdfs-client.ts';

/** file:///DIR (or file://./relative) -> the local file system; webhdfs://... -> HDFS. */
export function openFileSystem(root: string): SinkFileSystem {
  if (root.startsWith('webhdfs://')) return new WebHdfsFileSystem(parseWebHdfsUrl(root));
  if (root.startsWith('file://')) {
    const rest = root.slice('file://'.length);
    return new LocalFileSystem(rest.startsWith('/') ? fileURLToPath(`file://${rest}`) : resolve(rest));
  }
  throw new Error(`'${root}' is not a sink root: use file:///DIR or webhdfs://HOST:PORT[,HOST:PORT]/DIR`);
}
