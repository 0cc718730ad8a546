import { request } from 'undici';
import type { FileStatus, SinkFileSystem } from './file-system.ts';

/**
 * HDFS through the WebHDFS REST API, written on undici rather than the `webhdfs` npm package:
 * that package sits on the deprecated `request` library and has no namenode failover, which an
 * HA HDFS needs. Creates and appends follow the documented two steps: the namenode answers 307
 * with a datanode location, and the data goes there.
 */
export class WebHdfsError extends Error {
  constructor(readonly status: number, readonly exception: string, message: string) {
    super(message);
    this.name = 'WebHdfsError';
  }
}

export interface WebHdfsOptions {
  /** Namenodes as http://host:port, tried in order; the one that answered last is tried first. */
  namenodes: string[];
  user: string;
  /** The directory all sink paths are relative to. */
  root: string;
  timeoutMs?: number;
}

interface WebHdfsFileStatus {
  pathSuffix: string;
  type: 'FILE' | 'DIRECTORY' | 'SYMLINK';
  length: number;
  modificationTime: number;
}

export class WebHdfsFileSystem implements SinkFileSystem {
  private active = 0;

  constructor(private readonly options: WebHdfsOptions) {
    if (options.namenodes.length === 0) throw new Error('WebHDFS needs at least one namenode, e.g. webhdfs://namenode:9870/data');
  }

  get description(): string {
    return `webhdfs://${this.options.namenodes.map((n) => new URL(n).host).join(',')}${this.options.root}`;
  }

  localPath(): null {
    return null;
  }

  private url(namenode: string, path: string, op: string, params: Record<string, string> = {}): string {
    const full = `${this.options.root}/${path}`.replace(/\/+/g, '/');
    const query = new URLSearchParams({ op, 'user.name': this.options.user, ...params });
    return `${namenode}/webhdfs/v1${encodeURI(full)}?${query}`;
  }

  /**
   * Sends one namenode operation, failing over to the next namenode on connection errors and on
   * StandbyException (the answer of a standby namenode in an HA pair).
   */
  private async call(method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, op: string, params: Record<string, string> = {}, body?: Buffer): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
    const count = this.options.namenodes.length;
    let lastError: unknown;
    for (let attempt = 0; attempt < count; attempt++) {
      const index = (this.active + attempt) % count;
      const namenode = this.options.namenodes[index]!;
      try {
        const response = await request(this.url(namenode, path, op, params), {
          method,
          body: body && !['CREATE', 'APPEND'].includes(op) ? body : undefined,
          headersTimeout: this.options.timeoutMs ?? 30_000,
          bodyTimeout: this.options.timeoutMs ?? 30_000,
        });
        const content = Buffer.from(await response.body.arrayBuffer());
        if (response.statusCode === 403 && /StandbyException/.test(content.toString())) {
          lastError = new WebHdfsError(403, 'StandbyException', `namenode ${namenode} is standby`);
          continue;
        }
        this.active = index;
        return { status: response.statusCode, headers: response.headers, body: content };
      } catch (error) {
        lastError = error;
      }
    }
    throw new Error(`no namenode answered (${this.options.namenodes.join(', ')}): ${(lastError as Error)?.message ?? lastError}`);
  }

  private fail(op: string, path: string, status: number, body: Buffer): never {
    let exception = 'HttpError';
    let message = body.toString().slice(0, 500);
    try {
      const remote = (JSON.parse(body.toString()) as { RemoteException?: { exception: string; message: string } }).RemoteException;
      if (remote) {
        exception = remote.exception;
        message = remote.message;
      }
    } catch {
      // not JSON: keep the raw text
    }
    throw new WebHdfsError(status, exception, `WebHDFS ${op} ${path} failed (${status} ${exception}): ${message}`);
  }

  private async booleanOp(method: 'PUT' | 'DELETE', path: string, op: string, params: Record<string, string> = {}): Promise<boolean> {
    const response = await this.call(method, path, op, params);
    if (response.status !== 200) this.fail(op, path, response.status, response.body);
    return (JSON.parse(response.body.toString()) as { boolean: boolean }).boolean;
  }

  /** The two-step write: the namenode names a datanode (307), the bytes go to it. */
  private async twoStep(method: 'PUT' | 'POST', path: string, op: 'CREATE' | 'APPEND', params: Record<string, string>, content: Buffer): Promise<void> {
    const first = await this.call(method, path, op, params);
    if (first.status !== 307) this.fail(op, path, first.status, first.body);
    const location = first.headers.location;
    if (typeof location !== 'string') throw new WebHdfsError(first.status, 'NoLocation', `WebHDFS ${op} ${path}: redirect without a datanode location`);
    const second = await request(location, { method, body: content, headers: { 'content-type': 'application/octet-stream' } });
    const answer = Buffer.from(await second.body.arrayBuffer());
    const expected = op === 'CREATE' ? 201 : 200;
    if (second.statusCode !== expected) this.fail(op, path, second.statusCode, answer);
  }

  async mkdirs(path: string): Promise<void> {
    if (!(await this.booleanOp('PUT', path, 'MKDIRS'))) throw new WebHdfsError(200, 'MkdirsFailed', `WebHDFS MKDIRS ${path} returned false`);
  }

  async create(path: string, content: Buffer, overwrite = true): Promise<void> {
    await this.twoStep('PUT', path, 'CREATE', { overwrite: String(overwrite) }, content);
  }

  async append(path: string, content: Buffer): Promise<void> {
    await this.twoStep('POST', path, 'APPEND', {}, content);
  }

  async rename(from: string, to: string): Promise<boolean> {
    const destination = `${this.options.root}/${to}`.replace(/\/+/g, '/');
    return this.booleanOp('PUT', from, 'RENAME', { destination });
  }

  async list(path: string): Promise<FileStatus[]> {
    const response = await this.call('GET', path, 'LISTSTATUS');
    if (response.status === 404) return [];
    if (response.status !== 200) this.fail('LISTSTATUS', path, response.status, response.body);
    const statuses = (JSON.parse(response.body.toString()) as { FileStatuses: { FileStatus: WebHdfsFileStatus[] } }).FileStatuses.FileStatus;
    return statuses.map((status) => toStatus(`${path}/${status.pathSuffix}`.replace(/\/+/g, '/'), status.pathSuffix, status));
  }

  async status(path: string): Promise<FileStatus | null> {
    const response = await this.call('GET', path, 'GETFILESTATUS');
    if (response.status === 404) return null;
    if (response.status !== 200) this.fail('GETFILESTATUS', path, response.status, response.body);
    const status = (JSON.parse(response.body.toString()) as { FileStatus: WebHdfsFileStatus }).FileStatus;
    return toStatus(path, path.slice(path.lastIndexOf('/') + 1), status);
  }

  async read(path: string): Promise<Buffer> {
    const first = await this.call('GET', path, 'OPEN');
    if (first.status === 200) return first.body;
    if (first.status !== 307) this.fail('OPEN', path, first.status, first.body);
    const second = await request(first.headers.location as string, { method: 'GET' });
    const content = Buffer.from(await second.body.arrayBuffer());
    if (second.statusCode !== 200) this.fail('OPEN', path, second.statusCode, content);
    return content;
  }

  async delete(path: string, recursive = false): Promise<boolean> {
    return this.booleanOp('DELETE', path, 'DELETE', { recursive: String(recursive) });
  }

  async close(): Promise<void> {}
}

function toStatus(path: string, name: string, status: WebHdfsFileStatus): FileStatus {
  return { path, name, type: status.type === 'DIRECTORY' ? 'DIRECTORY' : 'FILE', length: status.length, modificationTime: status.modificationTime };
}

/** webhdfs://nn1:9870,nn2:9870/path?user=hdfs -> options. */
export function parseWebHdfsUrl(url: string): WebHdfsOptions {
  const match = /^webhdfs:\/\/([^/?]+)(\/[^?]*)?(?:\?(.*))?$/.exec(url);
  if (!match) throw new Error(`'${url}' is not a WebHDFS URL: use webhdfs://HOST:PORT[,HOST:PORT]/DIR[?user=NAME]`);
  const params = new URLSearchParams(match[3] ?? '');
  return {
    namenodes: match[1]!.split(',').map((host) => `http://${host}`),
    root: match[2] && match[2] !== '' ? match[2] : '/',
    user: params.get('user') ?? process.env.HADOOP_USER_NAME ?? 'tributary',
  };
}
