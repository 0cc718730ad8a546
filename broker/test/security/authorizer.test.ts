import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadSection } from '@tributary/common';
import { brokerConfigFrom, brokerSchema } from '../../src/index.ts';
import { LocalMetadataStore } from '../../src/metadata/local-metadata-store.ts';
import type { AclBinding } from '../../src/metadata/types.ts';
import { AclOperation, AclPermission, PatternType, ResourceType } from '../../src/security/authorizer/acl-binding.ts';
import { Authorizer } from '../../src/security/authorizer/authorizer.ts';
import { SecuritySession } from '../../src/security/session.ts';

const listener = { name: 'SASL_PLAINTEXT', protocol: 'SASL_PLAINTEXT' as const, host: '0.0.0.0', port: 0 };

function setup(flags: Record<string, unknown>) {
  const store = LocalMetadataStore.open(mkdtempSync(join(tmpdir(), 'authorizer-')), { brokerId: 0, host: 'h', port: 1, rack: null }, null);
  const config = brokerConfigFrom(loadSection('broker', brokerSchema, { flags: { 'authorizer.class.name': 'acl', ...flags }, env: {} })).security;
  const authorizer = new Authorizer(store, config, pino({ level: 'silent' }));
  const as = (principal: string, host = '10.0.0.1') => {
    const session = new SecuritySession(listener, host, null);
    session.authenticatedAs(principal, 0);
    return session;
  };
  const acl = (overrides: Partial<AclBinding>): AclBinding => ({
    resourceType: ResourceType.TOPIC, resourceName: 'orders', patternType: PatternType.LITERAL, principal: 'User:alice', host: '*',
    operation: AclOperation.READ, permissionType: AclPermission.ALLOW, ...overrides,
  });
  return { store, authorizer, as, acl };
}

test("Kafka's rules: super users, implied DESCRIBE, wildcards, hosts, deny over allow, no ACL means no access", async () => {
  const { store, authorizer, as, acl } = setup({ 'super.users': 'User:root' });
  assert.equal(authorizer.authorize(as('User:alice'), 'READ', 'TOPIC', 'orders'), false, 'nothing is allowed without ACLs');
  assert.equal(authorizer.authorize(as('User:root'), 'ALTER', 'CLUSTER', 'kafka-cluster'), true, 'super users may do anything');

  await store.createAcls([acl({})]);
  assert.equal(authorizer.authorize(as('User:alice'), 'READ', 'TOPIC', 'orders'), true);
  assert.equal(authorizer.authorize(as('User:alice'), 'DESCRIBE', 'TOPIC', 'orders'), true, 'READ implies DESCRIBE');
  assert.equal(authorizer.authorize(as('User:alice'), 'WRITE', 'TOPIC', 'orders'), false);
  assert.equal(authorizer.authorize(as('User:bob'), 'READ', 'TOPIC', 'orders'), false);

  await store.createAcls([acl({ principal: 'User:*', resourceName: '*', operation: AclOperation.DESCRIBE })]);
  assert.equal(authorizer.authorize(as('User:bob'), 'DESCRIBE', 'TOPIC', 'anything'), true, 'User:* on the * topic');

  await store.createAcls([acl({ principal: 'User:carol', host: '10.0.0.9', operation: AclOperation.ALL })]);
  assert.equal(authorizer.authorize(as('User:carol', '10.0.0.9'), 'WRITE', 'TOPIC', 'orders'), true, 'ALL covers WRITE from the named host');
  assert.equal(authorizer.authorize(as('User:carol', '10.0.0.8'), 'WRITE', 'TOPIC', 'orders'), false, 'but only from that host');

  await store.createAcls([acl({ resourceName: 'ord', patternType: PatternType.PREFIXED, principal: 'User:alice', operation: AclOperation.READ, permissionType: AclPermission.DENY })]);
  assert.equal(authorizer.authorize(as('User:alice'), 'READ', 'TOPIC', 'orders'), false, 'a prefixed DENY wins over a literal ALLOW');
  assert.equal(authorizer.authorizeAnyOfType(as('User:carol', '10.0.0.9'), 'WRITE', 'TOPIC'), true);
  assert.equal(authorizer.authorizeAnyOfType(as('User:bob'), 'WRITE', 'TOPIC'), false);
});

test('allow.everyone.if.no.acl.found opens only resources that no ACL mentions', async () => {
  const { store, authorizer, as, acl } = setup({ 'allow.everyone.if.no.acl.found': true });
  await store.createAcls([acl({})]);
  assert.equal(authorizer.authorize(as('User:bob'), 'WRITE', 'TOPIC', 'unmentioned'), true);
  assert.equal(authorizer.authorize(as('User:bob'), 'READ', 'TOPIC', 'orders'), false);
});

test('with no authorizer configured everything is allowed', () => {
  const { as } = setup({});
  const { authorizer } = setup({ 'authorizer.class.name': null });
  assert.equal(authorizer.authorize(as('User:anyone'), 'ALTER', 'CLUSTER', 'kafka-cluster'), true);
});
