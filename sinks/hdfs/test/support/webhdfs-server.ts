import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdirSync, promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * A WebHDFS server that follows the documented REST protocol closely enough to test a client:
 * namenodes answer CREATE/APPEND/OPEN with a 307 to a datanode, which takes or serves the bytes;
 * MKDIRS, RENAME, LISTSTATUS, GETFILESTATUS and DELETE answer from the namenode. Files live in a
 * local directory. Several namenodes share one namespace; all but the active one answer with
 * StandbyException, as an HA pair does.
 */
export class WebHdfsTestServer {
  private readonly namenodes: Server[] = [];
  private datanode: Server | null = null;
  private datanodePort = 0;
  readonly namenodePorts: number[] = [];
  activeIndex = 0;
  readonly requests: string[] = [];

  constructor(private readonly storage: string) {
    mkdirSync(storage, { recursive: true });
  }

  async start(namenodeCount = 2): Promise<void> {
    this.datanode = createServer((req, res) => void this.handleDatanode(req, res));
    this.datanodePort = await listen(this.datanode);
    for (let i = 0; i < namenodeCount; i++) {
      const server = createServer((req, res) => void this.handleNamenode(i, req, res));
      this.namenodes.push(server);
      this.namenodePorts.push(await listen(server));
    }
  }

  /** A failover: another namenode becomes active, the old one standby. */
  failover(to: number): void {
    this.activeIndex = to;
  }

  async stopNamenode(index: number): Promise<void> {
    await new Promise<void>((resolve) => this.namenodes[index]!.close(() => resolve()));
    this.namenodes[index]!.closeAllConnections();
  }

  async stop(): Promise<void> {
    for (const server of [...this.namenodes, this.datanode!]) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  private real(path: string): string {
    return join(this.storage, decodeURIComponent(path));
  }

  private async handleNamenode(index: number, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url!, 'http://namenode');
    const op = (url.searchParams.get('op') ?? '').toUpperCase();
    this.requests.push(`nn${index} ${req.method} ${op} ${url.pathname}`);
    req.resume();
    if (index !== this.activeIndex) {
      return remoteException(res, 403, 'StandbyException', 'org.apache.hadoop.ipc.StandbyException', 'Operation category READ is not supported in state standby');
    }
    if (!url.pathname.startsWith('/webhdfs/v1/')) return remoteException(res, 400, 'IllegalArgumentException', 'java.lang.IllegalArgumentException', 'path must start with /webhdfs/v1');
    if (!url.searchParams.get('user.name')) return remoteException(res, 401, 'SecurityException', 'java.lang.SecurityException', 'user.name is required with simple auth');
    const path = url.pathname.slice('/webhdfs/v1'.length);
    const file = this.real(path);
    const redirect = () => {
      res.writeHead(307, { location: `http://127.0.0.1:${this.datanodePort}/webhdfs/v1${path}?${url.searchParams}` });
      res.end();
    };
    try {
      switch (`${req.method} ${op}`) {
        case 'PUT CREATE':
          if (url.searchParams.get('overwrite') === 'false' && (await exists(file))) {
            return remoteException(res, 403, 'FileAlreadyExistsException', 'org.apache.hadoop.fs.FileAlreadyExistsException', `${path} already exists`);
          }
          return redirect();
        case 'POST APPEND':
          if (!(await exists(file))) return remoteException(res, 404, 'FileNotFoundException', 'java.io.FileNotFoundException', `File does not exist: ${path}`);
          return redirect();
        case 'GET OPEN':
          if (!(await exists(file))) return remoteException(res, 404, 'FileNotFoundException', 'java.io.FileNotFoundException', `File does not exist: ${path}`);
          return redirect();
        case 'PUT MKDIRS':
          await fs.mkdir(file, { recursive: true });
          return json(res, 200, { boolean: true });
        case 'PUT RENAME': {
          const destination = url.searchParams.get('destination');
          if (!destination) return remoteException(res, 400, 'IllegalArgumentException', 'java.lang.IllegalArgumentException', 'destination is required');
          const target = this.real(destination);
          if (!(await exists(file)) || (await exists(target))) return json(res, 200, { boolean: false });
          await fs.mkdir(dirname(target), { recursive: true });
          await fs.rename(file, target);
          return json(res, 200, { boolean: true });
        }
        case 'GET LISTSTATUS': {
          if (!(await exists(file))) return remoteException(res, 404, 'FileNotFoundException', 'java.io.FileNotFoundException', `File ${path} does not exist.`);
          const names = (await fs.readdir(file)).sort();
          const statuses = [];
          for (const name of names) statuses.push(await fileStatus(join(file, name), name));
          return json(res, 200, { FileStatuses: { FileStatus: statuses } });
        }
        case 'GET GETFILESTATUS':
          if (!(await exists(file))) return remoteException(res, 404, 'FileNotFoundException', 'java.io.FileNotFoundException', `File does not exist: ${path}`);
          return json(res, 200, { FileStatus: await fileStatus(file, '') });
        case 'DELETE DELETE': {
          if (!(await exists(file))) return json(res, 200, { boolean: false });
          const stat = await fs.stat(file);
          if (stat.isDirectory() && (await fs.readdir(file)).length > 0 && url.searchParams.get('recursive') !== 'true') {
            return remoteException(res, 403, 'PathIsNotEmptyDirectoryException', 'org.apache.hadoop.fs.PathIsNotEmptyDirectoryException', `${path} is non empty`);
          }
          await fs.rm(file, { recursive: true, force: true });
          return json(res, 200, { boolean: true });
        }
        default:
          return remoteException(res, 400, 'IllegalArgumentException', 'java.lang.IllegalArgumentException', `Invalid value for webhdfs parameter "op": ${op}`);
      }
    } catch (error) {
      return remoteException(res, 500, 'IOException', 'java.io.IOException', (error as Error).message);
    }
  }

  private async handleDatanode(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url!, 'http://datanode');
    const op = (url.searchParams.get('op') ?? '').toUpperCase();
    this.requests.push(`dn ${req.method} ${op} ${url.pathname}`);
    const file = this.real(url.pathname.slice('/webhdfs/v1'.length));
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (op === 'CREATE') {
      await fs.mkdir(dirname(file), { recursive: true });
      await fs.writeFile(file, body);
      res.writeHead(201, { location: `hdfs://127.0.0.1${url.pathname.slice('/webhdfs/v1'.length)}` });
      return void res.end();
    }
    if (op === 'APPEND') {
      await fs.appendFile(file, body);
      res.writeHead(200);
      return void res.end();
    }
    if (op === 'OPEN') {
      const content = await fs.readFile(file);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': content.length });
      return void res.end(content);
    }
    remoteException(res, 400, 'IllegalArgumentException', 'java.lang.IllegalArgumentException', `datanode cannot do ${op}`);
  }
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

async function exists(path: string): Promise<boolean> {
  return fs.stat(path).then(() => true, () => false);
}

async function fileStatus(path: string, suffix: string) {
  const stat = await fs.stat(path);
  return {
    pathSuffix: suffix,
    type: stat.isDirectory() ? 'DIRECTORY' : 'FILE',
    length: stat.isDirectory() ? 0 : stat.size,
    modificationTime: Math.floor(stat.mtimeMs),
    accessTime: Math.floor(stat.atimeMs),
    blockSize: 134217728,
    replication: stat.isDirectory() ? 0 : 3,
    owner: 'tributary',
    group: 'supergroup',
    permission: stat.isDirectory() ? '755' : '644',
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function remoteException(res: ServerResponse, status: number, exception: string, javaClassName: string, message: string): void {
  json(res, status, { RemoteException: { exception, javaClassName, message } });
}
