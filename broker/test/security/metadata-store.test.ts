import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalMetadataStore } from '../../src/metadata/local-metadata-store.ts';
import type { AclBinding, MetadataChange } from '../../src/metadata/types.ts';
import { AclOperation, AclPermission, PatternType, ResourceType } from '../../src/security/authorizer/acl-binding.ts';

const self = { brokerId: 0, host: '127.0.0.1', port: 9092, rack: null };

const binding = (overrides: Partial<AclBinding>): AclBinding => ({
  resourceType: ResourceType.TOPIC,
  resourceName: 'orders',
  patternType: PatternType.LITERAL,
  principal: 'User:alice',
  host: '*',
  operation: AclOperation.WRITE,
  permissionType: AclPermission.ALLOW,
  ...overrides,
});

test('entity configs and ACLs persist, emit changes and delete by filter (the contract a ZooKeeper store must keep)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'security-store-'));
  const store = LocalMetadataStore.open(dir, self, null);
  const changes: MetadataChange[] = [];
  store.onChange((change) => changes.push(change));

  await store.alterEntityConfigs('users', 'alice', { 'SCRAM-SHA-512': 'salt=a,stored_key=b,server_key=c,iterations=4096', producer_byte_rate: '1024' });
  await store.alterEntityConfigs('users', 'alice/clients/etl', { consumer_byte_rate: '2048' });
  await store.alterEntityConfigs('clients', '<default>', { request_percentage: '50' });
  await store.createAcls([binding({}), binding({}), binding({ resourceName: 'logs.', patternType: PatternType.PREFIXED }), binding({ principal: 'User:bob', operation: AclOperation.READ })]);
  assert.deepEqual(changes.map((change) => change.type), ['entity-configs-changed', 'entity-configs-changed', 'entity-configs-changed', 'acls-changed']);
  assert.equal(store.acls().length, 3, 'an identical binding is kept once');

  const reopened = LocalMetadataStore.open(dir, self, null);
  assert.equal(reopened.entityConfigs('users', 'alice').producer_byte_rate, '1024');
  assert.deepEqual([...reopened.allEntityConfigs('users').keys()].sort(), ['alice', 'alice/clients/etl']);
  assert.deepEqual(reopened.entityConfigs('clients', 'nobody'), {});

  // A MATCH filter finds the literal and the prefixed binding that apply to logs.app; ANY finds everything of alice's.
  const [matching, alices] = await reopened.deleteAcls([
    { resourceType: ResourceType.TOPIC, resourceName: 'logs.app', patternType: PatternType.MATCH, principal: null, host: null, operation: AclOperation.ANY, permissionType: AclPermission.ANY },
    { resourceType: ResourceType.ANY, resourceName: null, patternType: PatternType.ANY, principal: 'User:alice', host: null, operation: AclOperation.ANY, permissionType: AclPermission.ANY },
  ]);
  assert.deepEqual(matching!.map((b) => b.resourceName), ['logs.']);
  assert.deepEqual(alices!.map((b) => b.resourceName).sort(), ['logs.', 'orders']);
  assert.deepEqual(reopened.acls().map((b) => b.principal), ['User:bob']);

  await reopened.alterEntityConfigs('users', 'alice', {});
  assert.deepEqual([...reopened.allEntityConfigs('users').keys()], ['alice/clients/etl'], 'an empty record removes the entity');
});
