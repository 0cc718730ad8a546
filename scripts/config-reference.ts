// Writes docs/configuration.md from the configuration schemas, so the reference cannot drift
// from what the code accepts. A test checks that the committed file is current.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderConfigurationReference } from './config-reference-render.ts';

const target = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));
writeFileSync(target, renderConfigurationReference());
console.log(`wrote ${target}`);
