import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderConfigurationReference } from '../../scripts/config-reference-render.ts';

test('docs/configuration.md is generated from the current schemas', () => {
  const committed = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
  assert.equal(committed, renderConfigurationReference(), 'run: node --import tsx scripts/config-reference.ts');
});
