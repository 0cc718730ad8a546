import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, envVarName, loadSection, type SectionSchema } from '@tributary/common';

const schema: SectionSchema = {
  port: { type: 'int', default: 9092, min: 0, max: 65535, doc: 'port' },
  'log.retention.ms': { type: 'int', default: 1000, min: -1, doc: 'retention' },
  'auto.create.topics.enable': { type: 'boolean', default: true, doc: 'auto create' },
  mode: { type: 'string', default: 'a', choices: ['a', 'b'], doc: 'mode' },
};

function file(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'tributary-config-')), 'config.yaml');
  writeFileSync(path, content);
  return path;
}

test('precedence is flag > environment > file > default', () => {
  const path = file('broker:\n  port: 1111\n  log.retention.ms: 5\n  mode: b\n');
  const env = { TRIBUTARY_BROKER_PORT: '2222', TRIBUTARY_BROKER_LOG_RETENTION_MS: '7' };
  const values = loadSection('broker', schema, { file: path, env, flags: { port: '3333' } });
  assert.equal(values.port, 3333);
  assert.equal(values['log.retention.ms'], 7);
  assert.equal(values.mode, 'b');
  assert.equal(values['auto.create.topics.enable'], true);
});

test('environment variable names follow TRIBUTARY_<SECTION>_<KEY>', () => {
  assert.equal(envVarName('broker', 'log.retention.ms'), 'TRIBUTARY_BROKER_LOG_RETENTION_MS');
});

test('unknown keys and bad values are errors that name the key', () => {
  assert.throws(() => loadSection('broker', schema, { file: file('broker:\n  prot: 1\n'), env: {} }), (error: Error) => error instanceof ConfigError && /broker\.prot/.test(error.message));
  assert.throws(() => loadSection('broker', schema, { env: { TRIBUTARY_BROKER_PORT: 'abc' } }), /broker\.port .*must be a number/);
  assert.throws(() => loadSection('broker', schema, { env: { TRIBUTARY_BROKER_PORT: '70000' } }), /at most 65535/);
  assert.throws(() => loadSection('broker', schema, { env: { TRIBUTARY_BROKER_MODE: 'c' } }), /one of a, b/);
  assert.throws(() => loadSection('broker', schema, { file: file('broker: [1]\n'), env: {} }), /must be a mapping/);
  assert.throws(() => loadSection('broker', schema, { file: file('broker:\n  port: [\n'), env: {} }), /not valid YAML/);
});

test('Long.MAX_VALUE means never', () => {
  const values = loadSection('broker', schema, { env: { TRIBUTARY_BROKER_LOG_RETENTION_MS: '9223372036854775807' } });
  assert.equal(values['log.retention.ms'], Infinity);
});
