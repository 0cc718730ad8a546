import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalMetadataStore } from '../../src/metadata/local-metadata-store.ts';
import { CredentialStore } from '../../src/security/sasl/credential-store.ts';
import { SaslAuthenticationError, startExchange } from '../../src/security/sasl/sasl-mechanisms.ts';
import { credentialFromSalted, saltedPassword } from '../../src/security/sasl/scram-credential.ts';

async function storeWith(user: string, password: string, salt: Buffer) {
  const store = LocalMetadataStore.open(mkdtempSync(join(tmpdir(), 'scram-')), { brokerId: 0, host: 'h', port: 1, rack: null }, null);
  const credentials = new CredentialStore(store);
  await credentials.set(user, 'SCRAM-SHA-256', credentialFromSalted('SCRAM-SHA-256', saltedPassword('SCRAM-SHA-256', password, salt, 4096), salt, 4096));
  return credentials;
}

test('the SCRAM-SHA-256 exchange of RFC 7677 section 3, byte for byte', async () => {
  const credentials = await storeWith('user', 'pencil', Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'));
  const exchange = startExchange('SCRAM-SHA-256', credentials, () => '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0');
  const first = exchange.step(Buffer.from('n,,n=user,r=rOprNGfwEbeRWgbNEkqO'));
  assert.equal(first.response.toString(), 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096');
  const final = exchange.step(Buffer.from('c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ='));
  assert.equal(final.response.toString(), 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
  assert.ok(final.done && final.principal === 'User:user');
});

test('a wrong proof, an unknown user and a malformed message are refused', async () => {
  const credentials = await storeWith('user', 'pencil', Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'));
  const exchange = startExchange('SCRAM-SHA-256', credentials, () => 'server');
  exchange.step(Buffer.from('n,,n=user,r=client'));
  assert.throws(() => exchange.step(Buffer.from(`c=biws,r=clientserver,p=${Buffer.alloc(32).toString('base64')}`)), SaslAuthenticationError);
  assert.throws(() => startExchange('SCRAM-SHA-256', credentials).step(Buffer.from('n,,n=mallory,r=x')), SaslAuthenticationError);
  assert.throws(() => startExchange('SCRAM-SHA-256', credentials).step(Buffer.from('p=tls-unique,,n=user,r=x')), /channel binding/);
  assert.throws(() => startExchange('PLAIN', credentials).step(Buffer.from('\0user\0pen')), SaslAuthenticationError);
  assert.equal(startExchange('PLAIN', credentials).step(Buffer.from('\0user\0pencil')).done, true);
});
