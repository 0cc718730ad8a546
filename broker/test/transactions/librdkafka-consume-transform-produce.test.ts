import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEBIAN_PYTHON, requirePythonModule } from '@tributary/testkit';
import { runCtpScenario } from './support/ctp-scenario.ts';

const worker = fileURLToPath(new URL('./support/ctp_confluent_worker.py', import.meta.url));
const MESSAGES = Number(process.env.CTP_MESSAGES ?? 100_000);

test(`python3-confluent-kafka consume-transform-produce copies ${MESSAGES} records exactly once across kill -9 restarts`, { timeout: 180_000 }, async (t) => {
  requirePythonModule('confluent_kafka', 'python3-confluent-kafka');
  const { uncommittedCopies } = await runCtpScenario({
    name: 'ctp-librdkafka',
    messages: MESSAGES,
    kills: 3,
    worker: (args) => ({ command: DEBIAN_PYTHON, args: ['-u', worker, ...args] }),
  });
  t.diagnostic(`read_uncommitted sees ${uncommittedCopies} records: ${uncommittedCopies - MESSAGES} copies were aborted by the kills`);
});
