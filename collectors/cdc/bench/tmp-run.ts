import { run } from './cdc.ts';
import { renderText } from '../../../scripts/bench.ts';
const result = await run({ values: { rows: process.argv[2] ?? '50000', 'lag-samples': '30' }, progress: (m) => console.error('[bench]', m) });
console.log(renderText(result));
process.exit(0);
