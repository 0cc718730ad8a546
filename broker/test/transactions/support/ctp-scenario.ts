import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { kcat, ManagedProcess, readTopics, startBroker, waitFor } from '@tributary/testkit';

const { Kafka, logLevel } = kafkajs;

export interface CtpScenario {
  name: string;
  messages: number;
  kills: number;
  /** Command and arguments of one worker run, given bootstrap, input, output, group and transactional id. */
  worker(args: string[]): { command: string; args: string[] };
}

const PARTITIONS = 3;
const PRODUCE_BATCH = 5000;

/**
 * Fills an input topic, runs a transactional consume-transform-produce worker, kills it with
 * SIGKILL at random points (inside open transactions) and restarts it, then checks that the output read with
 * read_committed holds every input exactly once.
 */
export async function runCtpScenario(scenario: CtpScenario): Promise<{ uncommittedCopies: number }> {
  const broker = await startBroker({ config: { 'group.initial.rebalance.delay.ms': 0, 'group.min.session.timeout.ms': 1000 } });
  const input = `${scenario.name}-in`;
  const output = `${scenario.name}-out`;
  const kafka = new Kafka({ clientId: `${scenario.name}-setup`, brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  let worker: ManagedProcess | null = null;
  let reader: Awaited<ReturnType<typeof readTopics>> | null = null;
  const logDir = mkdtempSync(join(tmpdir(), `${scenario.name}-`));
  try {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [input, output].map((topic) => ({ topic, numPartitions: PARTITIONS })), waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let start = 0; start < scenario.messages; start += PRODUCE_BATCH) {
      const messages = [];
      for (let i = start; i < Math.min(scenario.messages, start + PRODUCE_BATCH); i++) messages.push({ key: `k${i}`, value: `v${i}` });
      await producer.send({ topic: input, acks: -1, messages });
    }
    await producer.disconnect();

    // kafkajs's consumers read with read_committed by default.
    reader = await readTopics(broker.bootstrap, [output], PARTITIONS);
    const start = (run: number) => {
      const { command, args } = scenario.worker([broker.bootstrap, input, output, `${scenario.name}-group`, `${scenario.name}-txn`]);
      worker = new ManagedProcess(command, args, join(logDir, `${scenario.name}-worker-${run}.log`));
    };
    const seen = () => reader!.of(output).length;
    const batchesSent = () => readFileSync(worker!.logPath, 'utf8').split('"sent"').length - 1;
    for (let run = 0; run < scenario.kills; run++) {
      start(run);
      // A random point: just after the worker wrote its k-th batch, in a transaction it has not committed yet.
      const k = 1 + Math.floor(Math.random() * 6);
      await waitFor(() => batchesSent() >= k || seen() >= scenario.messages || !worker!.alive, { what: `worker run ${run} to send ${k} batches`, timeoutMs: 60_000, intervalMs: 2 });
      assert.ok(worker!.alive, `worker run ${run} exited on its own; see ${worker!.logPath}`);
      await worker!.kill9();
    }
    start(scenario.kills);
    await waitFor(() => seen() >= scenario.messages || !worker!.alive, { what: `${scenario.name} output to hold ${scenario.messages} records (has ${seen()})`, timeoutMs: 90_000 });
    assert.ok(worker!.alive, `the last worker run exited on its own; see ${worker!.logPath}`);
    await worker!.stop(2000);
    // An independent read_committed reader (librdkafka) that stops at the end of each partition,
    // control records included, counts what the output finally holds.
    const readAs = async (isolation: string) => {
      const read = await kcat(['-C', '-b', broker.bootstrap, '-t', output, '-o', 'beginning', '-e', '-q', '-f', '%s\n', '-X', `isolation.level=${isolation}`], { timeoutMs: 60_000 });
      assert.equal(read.code, 0, read.stderr);
      return read.stdout.split('\n').filter((line) => line.length > 0);
    };
    const values = await readAs('read_committed');
    const distinct = new Set(values);
    for (let i = 0; i < scenario.messages; i++) if (!distinct.has(`v${i}`)) assert.fail(`v${i} is missing from the output`);
    assert.equal(values.length, scenario.messages, `no input record is in the output twice (${values.length - distinct.size} duplicates)`);
    // Worker logs stay behind only when something failed.
    rmSync(logDir, { recursive: true, force: true });
    // What the kills left behind: copies in aborted transactions, visible only to read_uncommitted.
    return { uncommittedCopies: (await readAs('read_uncommitted')).length };
  } finally {
    await (worker as ManagedProcess | null)?.stop(2000);
    await reader?.stop();
    await broker.stop();
  }
}
