import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { freePort, ManagedProcess, readTopics, startBroker, waitFor, type BrokerInstance } from '@tributary/testkit';
import type { EnrichedEvent } from '../src/index.ts';
import { trackEvent } from './support/events.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** `tributary tracking start` with the default ack (spool), in a process of its own so it can be killed. */
async function startCollectorProcess(dir: string, bootstrap: string, name: string) {
  const port = await freePort();
  const child = new ManagedProcess(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'cli/src/main.ts'), 'tracking', 'start', '--host', '127.0.0.1', '--port', String(port), '--bootstrap-server', bootstrap, '--spool-dir', join(dir, 'spool')],
    join(dir, `${name}.log`),
    { cwd: repoRoot },
  );
  const url = `http://127.0.0.1:${port}`;
  await child.untilReady(waitFor(async () => (await fetch(`${url}/health`)).status === 200, { what: `collector ${name}`, timeoutMs: 60_000 }), `collector ${name}`);
  return { child, url };
}

describe('collector with ack spool killed with SIGKILL under load, during a broker outage', () => {
  let broker: BrokerInstance;
  const children: ManagedProcess[] = [];

  before(async () => {
    broker = await startBroker({ config: { 'group.initial.rebalance.delay.ms': 0 } });
  });

  after(async () => {
    for (const child of children) await child.kill9();
    await broker?.stop();
  });

  it('loses no answered event: a new collector on the same spool forwards what the killed one had not', { timeout: 240_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracking-kill9-'));
    const first = await startCollectorProcess(dir, broker.bootstrap, 'first');
    children.push(first.child);

    const answered = new Set<string>();
    let killed = false;
    const sender = async (lane: number) => {
      for (let n = 0; !killed; n++) {
        const events = Array.from({ length: 10 }, () => trackEvent({ anonymousId: `visitor-${lane}-${n % 3}` }));
        try {
          const response = await fetch(`${first.url}/v1/batch`, { method: 'POST', body: JSON.stringify(events), headers: { 'content-type': 'text/plain' } });
          if (response.status === 200) for (const e of events) answered.add(e.eventId as string);
        } catch {
          return; // the collector is gone: this request was never answered
        }
      }
    };
    const lanes = Array.from({ length: 8 }, (_, lane) => sender(lane));
    await waitFor(() => answered.size >= 500, { what: '500 answered events', timeoutMs: 60_000 });
    // Answers go on while the broker is away; the killed collector leaves them in its spool.
    await broker.stop();
    const answeredAtOutage = answered.size;
    await waitFor(() => answered.size >= answeredAtOutage + 500, { what: '500 events answered during the outage', timeoutMs: 60_000 });
    await first.child.kill9();
    killed = true;
    await Promise.all(lanes);
    const answeredBeforeKill = [...answered];

    const second = await startCollectorProcess(dir, broker.bootstrap, 'second');
    children.push(second.child);
    const health = async () => (await (await fetch(`${second.url}/health`)).json()) as { spool: { events: number } };
    assert.ok((await health()).spool.events >= 500, 'the answered events are in the spool the new collector opened');
    await broker.restart();
    const reader = await readTopics(broker.bootstrap, ['tracking.events']);
    try {
      await waitFor(async () => (await health()).spool.events === 0, { what: 'the spool to be forwarded', timeoutMs: 60_000 });
      const landed = await waitFor(() => {
        const ids = new Set(reader.parsed<EnrichedEvent>('tracking.events').map((e) => e.eventId));
        return answeredBeforeKill.every((id) => ids.has(id)) ? ids : null;
      }, { what: 'every answered event in tracking.events', timeoutMs: 60_000 });
      assert.ok(landed.size >= answeredBeforeKill.length);
    } finally {
      await reader.stop();
    }
  });
});
