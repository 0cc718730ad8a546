import type { EntityType } from '../../metadata/types.ts';
import { DEFAULT_ENTITY, QUOTA_KEYS, type QuotaKey } from './quota-manager.ts';

/** A quota entity as the admin API names it: user and/or client-id, null for the default. */
export type QuotaEntity = Array<{ entityType: string; entityName: string | null }>;

const named = (name: string | null) => name ?? DEFAULT_ENTITY;
const unnamed = (name: string) => (name === DEFAULT_ENTITY ? null : name);

/** Where an entity's quotas live in the store (Kafka's /config/users/<u>/clients/<c> layout). */
export function storeEntity(entity: QuotaEntity): { entityType: EntityType; name: string } {
  const user = entity.find((component) => component.entityType === 'user');
  const client = entity.find((component) => component.entityType === 'client-id');
  const other = entity.find((component) => component.entityType !== 'user' && component.entityType !== 'client-id');
  if (other) throw new Error(`quota entity type '${other.entityType}' is not supported: use user and/or client-id`);
  if (entity.length === 0 || entity.length > 2 || (entity.length === 2 && (!user || !client))) throw new Error('a quota entity is a user, a client-id or one of each');
  if (user && client) return { entityType: 'users', name: `${named(user.entityName)}/clients/${named(client.entityName)}` };
  if (user) return { entityType: 'users', name: named(user.entityName) };
  return { entityType: 'clients', name: named(client!.entityName) };
}

export function quotaEntity(entityType: EntityType, name: string): QuotaEntity {
  if (entityType === 'clients') return [{ entityType: 'client-id', entityName: unnamed(name) }];
  const [user, client] = name.split('/clients/') as [string, string | undefined];
  const entity: QuotaEntity = [{ entityType: 'user', entityName: unnamed(user) }];
  if (client !== undefined) entity.push({ entityType: 'client-id', entityName: unnamed(client) });
  return entity;
}

export const isQuotaKey = (key: string): key is QuotaKey => (QUOTA_KEYS as readonly string[]).includes(key);

/** Only the quota values of an entity's configs (SCRAM credentials share the user entity). */
export function quotaValues(configs: Record<string, string>): Array<{ key: QuotaKey; value: number }> {
  return Object.entries(configs).flatMap(([key, value]) => (isQuotaKey(key) ? [{ key, value: Number(value) }] : []));
}
