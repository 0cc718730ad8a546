import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCtpScenario } from './support/ctp-scenario.ts';

const worker = fileURLToPath(new URL('./support/ctp-kafkajs-worker.ts', import.meta.url));
const MESSAGES = Number(process.env.CTP_MESSAGES ?? 100_000);

test(`kafkajs consume-transform-produce copies ${MESSAGES} records exactly once across kill -9 restarts`, { timeout: 180_000 }, async (t) => {
  const { uncommittedCopies } = await runCtpScenario({
    name: 'ctp-kafkajs',
    messages: MESSAGES,
    kills: 3,
    worker: (args) => ({ command: process.execPath, args: ['--import', 'tsx', worker, ...args] }),
  });
  t.diagnostic(`read_uncommitted sees ${uncommittedCopies} records: ${uncommittedCopies - MESSAGES} copies were aborted by the kills`);
});
