import zookeeper from 'node-zookeeper-client';
import type { Client, Event, Stat } from 'node-zookeeper-client';
import type { Logger } from '@tributary/common';

const { createClient, CreateMode, Exception } = zookeeper;

export interface ZNode {
  data: Buffer;
  version: number;
}

/** A ZooKeeper error carrying its code, so callers can branch on NODE_EXISTS / BAD_VERSION / NO_NODE. */
export class ZkError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

export const ZkCode = {
  NO_NODE: Exception.NO_NODE,
  NODE_EXISTS: Exception.NODE_EXISTS,
  BAD_VERSION: Exception.BAD_VERSION,
  NOT_EMPTY: Exception.NOT_EMPTY,
} as const;

function wrap(error: unknown, op: string, path: string): ZkError | Error {
  const code = (error as { getCode?: () => number }).getCode?.();
  if (typeof code === 'number') return new ZkError(code, `zookeeper ${op} ${path}: ${(error as Error).message ?? String(error)}`);
  return error as Error;
}

export type Watcher = (event: { type: 'created' | 'deleted' | 'data' | 'children'; path: string }) => void;

function adapt(watcher: Watcher | undefined): ((event: Event) => void) | undefined {
  if (!watcher) return undefined;
  return (event) => {
    const types: Record<number, 'created' | 'deleted' | 'data' | 'children'> = { 1: 'created', 2: 'deleted', 3: 'data', 4: 'children' };
    const type = types[event.getType()];
    if (type) watcher({ type, path: event.getPath() });
  };
}

/**
 * Promises over node-zookeeper-client, with absent nodes as null instead of errors: the metadata
 * code reads "maybe there" nodes far more often than it treats their absence as a failure.
 */
export class ZkClient {
  private expiredListeners: Array<() => void> = [];

  private constructor(private readonly client: Client) {
    client.on('expired', () => {
      for (const listener of this.expiredListeners) listener();
    });
  }

  /** Connects (connect string HOST:PORT[,HOST:PORT][/chroot]); fails after timeoutMs naming the address. */
  static async connect(connectString: string, sessionTimeoutMs: number, timeoutMs: number): Promise<ZkClient> {
    const client = createClient(connectString, { sessionTimeout: sessionTimeoutMs, spinDelay: 200, retries: 1 });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        client.close();
        reject(new Error(`cannot reach ZooKeeper at ${connectString} within ${timeoutMs} ms: start ZooKeeper or fix zookeeper.connect`));
      }, timeoutMs);
      client.once('connected', () => {
        clearTimeout(timer);
        resolve();
      });
      client.connect();
    });
    const zk = new ZkClient(client);
    const chroot = connectString.includes('/') ? connectString.slice(connectString.indexOf('/')) : '';
    if (chroot && chroot !== '/') await zk.ensureChroot(connectString, chroot, sessionTimeoutMs, timeoutMs);
    return zk;
  }

  /** The chroot must exist before paths under it work; Kafka creates it on first start too. */
  private async ensureChroot(connectString: string, chroot: string, sessionTimeoutMs: number, timeoutMs: number): Promise<void> {
    if (await this.exists('/')) return;
    const root = await ZkClient.connect(connectString.slice(0, connectString.indexOf('/')), sessionTimeoutMs, timeoutMs);
    try {
      await root.mkdirp(chroot);
    } finally {
      root.close();
    }
  }

  get sessionTimeoutMs(): number {
    return this.client.getSessionTimeout();
  }

  onSessionExpired(listener: () => void): void {
    this.expiredListeners.push(listener);
  }

  get(path: string, watcher?: Watcher): Promise<ZNode | null> {
    return new Promise((resolve, reject) => {
      const callback = (error: unknown, data: Buffer, stat: Stat) => {
        if (error) {
          if ((error as { getCode?: () => number }).getCode?.() === Exception.NO_NODE) resolve(null);
          else reject(wrap(error, 'get', path));
          return;
        }
        resolve({ data: data ?? Buffer.alloc(0), version: stat.version });
      };
      const adapted = adapt(watcher);
      if (adapted) this.client.getData(path, adapted, callback);
      else this.client.getData(path, callback);
    });
  }

  /** Children of a node; when the node is missing, [] (and an exists-watch so its creation is seen). */
  async children(path: string, watcher?: Watcher): Promise<string[]> {
    const result = await new Promise<string[] | null>((resolve, reject) => {
      const callback = (error: unknown, children: string[]) => {
        if (error) {
          if ((error as { getCode?: () => number }).getCode?.() === Exception.NO_NODE) resolve(null);
          else reject(wrap(error, 'children', path));
          return;
        }
        resolve(children);
      };
      const adapted = adapt(watcher);
      if (adapted) this.client.getChildren(path, adapted, callback);
      else this.client.getChildren(path, callback);
    });
    if (result === null) {
      if (watcher && (await this.exists(path, watcher))) return this.children(path, watcher);
      return [];
    }
    return result;
  }

  exists(path: string, watcher?: Watcher): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const callback = (error: unknown, stat: Stat) => (error ? reject(wrap(error, 'exists', path)) : resolve(Boolean(stat)));
      const adapted = adapt(watcher);
      if (adapted) this.client.exists(path, adapted, callback);
      else this.client.exists(path, callback);
    });
  }

  create(path: string, data: Buffer, mode: 'persistent' | 'ephemeral' = 'persistent'): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.create(path, data, mode === 'ephemeral' ? CreateMode.EPHEMERAL : CreateMode.PERSISTENT, (error) =>
        error ? reject(wrap(error, 'create', path)) : resolve(),
      );
    });
  }

  /** Creates the node and any missing parents; an existing node is fine. */
  mkdirp(path: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.mkdirp(path, (error) => (error ? reject(wrap(error, 'mkdirp', path)) : resolve()));
    });
  }

  /** Writes data if the node is still at `version` (-1: any); returns the new version. */
  set(path: string, data: Buffer, version: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.client.setData(path, data, version, (error, stat) => (error ? reject(wrap(error, 'set', path)) : resolve(stat.version)));
    });
  }

  remove(path: string, version = -1): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.remove(path, version, (error) => {
        if (error && (error as { getCode?: () => number }).getCode?.() !== Exception.NO_NODE) reject(wrap(error, 'remove', path));
        else resolve();
      });
    });
  }

  async removeRecursive(path: string): Promise<void> {
    for (const child of await this.children(path)) await this.removeRecursive(`${path}/${child}`);
    await this.remove(path);
  }

  /**
   * Read-modify-write of one node, conditional on its version (created when absent), retried when
   * another writer got there first. `next` sees the node as stored now and returns the new data,
   * or null to leave it; with `limit`, `limit.error()` is thrown after `limit.attempts` lost races.
   */
  async update(path: string, next: (current: ZNode | null) => Buffer | null, limit?: { attempts: number; error: () => Error }): Promise<ZNode | null> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.get(path);
      const data = next(current);
      if (!data) return null;
      try {
        if (current) return { data, version: await this.set(path, data, current.version) };
        await this.create(path, data);
        return { data, version: 0 };
      } catch (error) {
        if (!isZkError(error, ZkCode.BAD_VERSION) && !isZkError(error, ZkCode.NODE_EXISTS)) throw error;
        if (limit && attempt >= limit.attempts) throw limit.error();
      }
    }
  }

  /**
   * A node with a watch on it. When it is absent: null, with an exists-watch instead, so that its
   * creation fires the watcher too (a data watch cannot be set on a missing node).
   */
  async getWatched(path: string, watcher: Watcher): Promise<ZNode | null> {
    for (;;) {
      const node = await this.get(path, watcher);
      if (node) return node;
      if (!(await this.exists(path, watcher))) return null;
    }
  }

  /** setData guarded by another node's version in one multi-op: the controller-epoch fence. */
  setIfVersion(guardPath: string, guardVersion: number, path: string, data: Buffer, version: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.transaction().check(guardPath, guardVersion).setData(path, data, version).commit((error) => (error ? reject(wrap(error, 'multi', path)) : resolve()));
    });
  }

  close(): void {
    this.client.close();
  }
}

export function isZkError(error: unknown, code: number): boolean {
  return error instanceof ZkError && error.code === code;
}

/**
 * A watcher that re-runs `refresh` (which reads the node again and sets the next watch), logging
 * instead of crashing when ZooKeeper is away, and doing nothing once its owner has closed.
 */
export function refreshingWatcher(log: Logger, isClosed: () => boolean, message: string, what: string, refresh: () => Promise<void>): Watcher {
  return () => {
    if (isClosed()) return;
    refresh().catch((error) => {
      if (!isClosed()) log.error({ err: error, what }, message);
    });
  };
}
