import type { Logger } from '@tributary/common';
import { aclMatchesFilter } from '../security/authorizer/acl-binding.ts';
import { refreshingWatcher, type Watcher, type ZkClient } from '../zookeeper/zk-client.ts';
import { decodeConfig, encodeConfig } from '../zookeeper/zk-data.ts';
import type { AclBinding, AclBindingFilter, EntityType, MetadataChange } from './types.ts';

/** All ACL bindings in one znode, rewritten with a version check (ACL sets are small). */
const ACLS_PATH = '/kafka-acl-bindings';
const decodeAcls = (data: Buffer) => JSON.parse(data.toString()).acls as AclBinding[];
const entityRoot = (type: EntityType) => `/config/${type}`;
/** Entity names may hold '/' (`<user>/clients/<client>`), so each is one URL-encoded child. */
const entityPath = (type: EntityType, name: string) => `${entityRoot(type)}/${encodeURIComponent(name)}`;

/**
 * Users, client ids and ACLs in ZooKeeper for the cluster: SCRAM credentials and quotas as
 * Kafka's /config/users and /config/clients entity configs, ACLs as one versioned list. Every
 * broker caches them and refreshes on watches, so a credential or ACL change applies everywhere.
 */
export class ZkSecurityStore {
  private readonly entities = new Map<EntityType, Map<string, Record<string, string>>>([
    ['users', new Map()],
    ['clients', new Map()],
  ]);
  /**
   * Entity znodes with a data watch set. Kept apart from `entities` because a broker's own write
   * caches the entity before its children watch fires: keyed on the cache, the writer never
   * watched the node and missed later changes made through other brokers.
   */
  private readonly watched = new Map<EntityType, Set<string>>([
    ['users', new Set()],
    ['clients', new Set()],
  ]);
  private bindings: AclBinding[] = [];
  private closed = false;

  constructor(
    private readonly zk: ZkClient,
    private readonly emit: (change: MetadataChange) => void,
    private readonly log: Logger,
  ) {}

  async load(): Promise<void> {
    for (const type of this.entities.keys()) {
      await this.zk.mkdirp(entityRoot(type));
      await this.watchEntities(type);
    }
    await this.watchAcls();
  }

  close(): void {
    this.closed = true;
  }

  entityConfigs(type: EntityType, name: string): Record<string, string> {
    return { ...(this.entities.get(type)!.get(name) ?? {}) };
  }

  allEntityConfigs(type: EntityType): Map<string, Record<string, string>> {
    return new Map([...this.entities.get(type)!].map(([name, configs]) => [name, { ...configs }]));
  }

  async alterEntityConfigs(type: EntityType, name: string, configs: Record<string, string>): Promise<void> {
    const path = entityPath(type, name);
    if (Object.keys(configs).length === 0) await this.zk.remove(path);
    else if (await this.zk.exists(path)) await this.zk.set(path, encodeConfig(configs), -1);
    else await this.zk.create(path, encodeConfig(configs));
    this.applyEntity(type, name, Object.keys(configs).length === 0 ? null : configs);
  }

  acls(): AclBinding[] {
    return [...this.bindings];
  }

  async createAcls(bindings: AclBinding[]): Promise<void> {
    await this.updateAcls((current) => {
      const key = (b: AclBinding) => JSON.stringify([b.resourceType, b.resourceName, b.patternType, b.principal, b.host, b.operation, b.permissionType]);
      const known = new Set(current.map(key));
      return [...current, ...bindings.filter((binding) => !known.has(key(binding)))];
    });
  }

  async deleteAcls(filters: AclBindingFilter[]): Promise<AclBinding[][]> {
    let removed: AclBinding[][] = [];
    await this.updateAcls((current) => {
      removed = filters.map((filter) => current.filter((binding) => aclMatchesFilter(binding, filter)));
      return current.filter((binding) => !filters.some((filter) => aclMatchesFilter(binding, filter)));
    });
    return removed;
  }

  private async updateAcls(modify: (current: AclBinding[]) => AclBinding[]): Promise<void> {
    const written = await this.zk.update(
      ACLS_PATH,
      (node) => Buffer.from(JSON.stringify({ version: 1, acls: modify(node ? decodeAcls(node.data) : []) })),
      { attempts: 20, error: () => new Error('ACLs kept changing while being updated; retry') },
    );
    this.applyAcls(decodeAcls(written!.data));
  }

  private rewatch(what: string, refresh: () => Promise<void>): Watcher {
    return refreshingWatcher(this.log, () => this.closed, 'refreshing security metadata from ZooKeeper failed', what, refresh);
  }

  private async watchEntities(type: EntityType): Promise<void> {
    const children = await this.zk.children(entityRoot(type), this.rewatch(`${type}`, () => this.watchEntities(type)));
    const names = new Set(children.map((child) => decodeURIComponent(child)));
    for (const name of [...this.entities.get(type)!.keys()]) if (!names.has(name)) this.applyEntity(type, name, null);
    for (const name of names) if (!this.watched.get(type)!.has(name)) await this.watchEntity(type, name);
  }

  private async watchEntity(type: EntityType, name: string): Promise<void> {
    const watched = this.watched.get(type)!;
    // Marked before the read so a concurrent children refresh does not add a second watch.
    watched.add(name);
    let node;
    try {
      node = await this.zk.get(entityPath(type, name), this.rewatch(`${type} ${name}`, () => this.watchEntity(type, name)));
    } catch (error) {
      watched.delete(name);
      throw error;
    }
    // A missing node leaves no watch behind; its re-creation shows up as a new child.
    if (!node) watched.delete(name);
    this.applyEntity(type, name, node ? decodeConfig(node.data) : null);
  }

  private applyEntity(type: EntityType, name: string, configs: Record<string, string> | null): void {
    const map = this.entities.get(type)!;
    const before = JSON.stringify(map.get(name) ?? null);
    if (configs) map.set(name, configs);
    else map.delete(name);
    if (before !== JSON.stringify(configs)) this.emit({ type: 'entity-configs-changed', entityType: type, name });
  }

  private async watchAcls(): Promise<void> {
    const node = await this.zk.getWatched(ACLS_PATH, this.rewatch('acls', () => this.watchAcls()));
    if (node) this.applyAcls(decodeAcls(node.data));
  }

  private applyAcls(bindings: AclBinding[]): void {
    if (JSON.stringify(bindings) === JSON.stringify(this.bindings)) return;
    this.bindings = bindings;
    this.emit({ type: 'acls-changed' });
  }
}
