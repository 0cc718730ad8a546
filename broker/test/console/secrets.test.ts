import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { freePort, startBroker, type BrokerInstance } from '@tributary/testkit';
import { parseCollectorTargets } from '../../src/console/collectors.ts';
import { parsePrometheusCounters } from '../../src/console/prometheus-text.ts';
import { REDACTED, redactJson, redactText, stripUrlCredentials } from '../../src/console/redact.ts';

const SECRETS = ['s3cret-pw', 'hunter2', 'pw-in-url', 'tok-999', 'nested-secret', 'key-abc', 'text-pass'];

describe('console secrets', () => {
  it('strips credentials from URLs and secret-looking keys from JSON', () => {
    assert.equal(stripUrlCredentials('see http://ops:s3cret-pw@host:8080/x and mysql://root:hunter2@db/shop'), 'see http://host:8080/x and mysql://db/shop');
    const redacted = redactJson({
      status: 'ok',
      database: { host: 'db', password: 'hunter2', url: 'mysql://root:pw-in-url@db:3306/shop' },
      apiToken: 'tok-999',
      sinks: [{ name: 'hdfs', client_secret: 'nested-secret', 'api.key': 'key-abc' }],
      tokens: 3,
      passwordless: true,
    });
    assert.deepEqual(redacted, {
      status: 'ok',
      database: { host: 'db', password: REDACTED, url: 'mysql://db:3306/shop' },
      apiToken: REDACTED,
      sinks: [{ name: 'hdfs', client_secret: REDACTED, 'api.key': REDACTED }],
      tokens: REDACTED,
      passwordless: true,
    });
    assert.equal(redactText('user=app password=text-pass token: "tok-999" ok'), `user=app password=${REDACTED} token: "${REDACTED}" ok`);
  });

  it('keeps URL credentials for the request only, never in what is shown', () => {
    const [target] = parseCollectorTargets(['cdc=http://ops:s3cret-pw@127.0.0.1:8083/status']);
    assert.equal(target!.name, 'cdc');
    assert.equal(target!.displayUrl, 'http://127.0.0.1:8083/status');
    assert.equal(target!.fetchUrl, 'http://127.0.0.1:8083/status');
    assert.equal(target!.authorization, `Basic ${Buffer.from('ops:s3cret-pw').toString('base64')}`);
    assert.throws(() => parseCollectorTargets(['http://ops:s3cret-pw@127.0.0.1:8083/status']), (error: Error) => !error.message.includes('s3cret-pw'));
    assert.throws(() => parseCollectorTargets(['x=ftp://h/']), /NAME=http/);
  });

  it('sums Prometheus counters over their labels, leaving runtime metrics out', () => {
    const counters = parsePrometheusCounters([
      '# HELP sink_records_total Records written',
      '# TYPE sink_records_total counter',
      'sink_records_total{topic="a"} 10',
      'sink_records_total{topic="b"} 5',
      '# TYPE sink_lag gauge',
      'sink_lag 3',
      '# TYPE process_cpu_seconds_total counter',
      'process_cpu_seconds_total 1.5',
    ].join('\n'));
    assert.deepEqual(counters, [{ name: 'sink_records_total', help: 'Records written', value: 15, series: 2 }]);
  });

  describe('against a broker', () => {
    let broker: BrokerInstance;
    let server: Server;
    let port: number;
    let closedPort: number;

    before(async () => {
      server = createServer((request, response) => {
        if (request.url === '/status') {
          if (request.headers.authorization !== `Basic ${Buffer.from('ops:s3cret-pw').toString('base64')}`) {
            response.writeHead(401).end('who are you');
            return;
          }
          response.setHeader('content-type', 'application/json');
          response.end(JSON.stringify({
            phase: 'streaming',
            database: { host: 'db', user: 'cdc', password: 'hunter2' },
            sinkUrl: 'http://loader:pw-in-url@hdfs:9870/webhdfs',
            auth: { token: 'tok-999' },
          }));
        } else if (request.url === '/metrics') {
          response.setHeader('content-type', 'text/plain; version=0.0.4; charset=utf-8');
          response.end('# HELP sink_records_total Records written\n# TYPE sink_records_total counter\nsink_records_total{topic="a"} 7\n');
        } else {
          response.setHeader('content-type', 'text/plain');
          response.end('listening; password=text-pass\n');
        }
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
      closedPort = await freePort();
      broker = await startBroker({
        config: {
          'console.collectors': [
            `cdc=http://ops:s3cret-pw@127.0.0.1:${port}/status`,
            `sink=http://127.0.0.1:${port}/metrics`,
            `plain=http://127.0.0.1:${port}/text`,
            `down=http://u:s3cret-pw@127.0.0.1:${closedPort}/health`,
          ].join(','),
        },
      });
    });

    after(async () => {
      await broker?.stop();
      server?.close();
    });

    it('shows what collectors answer, without credentials or secret fields', async () => {
      const response = await fetch(`http://127.0.0.1:${broker.adminPort}/api/console/collectors`);
      assert.equal(response.status, 200);
      const raw = await response.text();
      for (const secret of SECRETS) assert.ok(!raw.includes(secret), `the answer does not contain ${secret}`);
      const { collectors } = JSON.parse(raw) as { collectors: Array<Record<string, any>> };
      const byName = Object.fromEntries(collectors.map((c) => [c.name, c]));

      // The credentials were used (the endpoint answered 200) but are not displayed.
      assert.equal(byName.cdc!.ok, true);
      assert.equal(byName.cdc!.url, `http://127.0.0.1:${port}/status`);
      assert.equal(byName.cdc!.kind, 'json');
      assert.deepEqual(byName.cdc!.json, {
        phase: 'streaming',
        database: { host: 'db', user: 'cdc', password: REDACTED },
        sinkUrl: 'http://hdfs:9870/webhdfs',
        auth: REDACTED,
      });

      assert.equal(byName.sink!.kind, 'prometheus');
      assert.deepEqual(byName.sink!.counters, [{ name: 'sink_records_total', help: 'Records written', value: 7, series: 1 }]);

      assert.equal(byName.plain!.kind, 'text');
      assert.equal(byName.plain!.text, `listening; password=${REDACTED}\n`);

      assert.equal(byName.down!.ok, false);
      assert.equal(byName.down!.kind, 'error');
      assert.equal(byName.down!.url, `http://127.0.0.1:${closedPort}/health`);
      assert.match(byName.down!.error, /\S/);
    });

    it('keeps the credentials out of the broker settings it shows', async () => {
      // The page itself never embeds configuration.
      const html = await (await fetch(`http://127.0.0.1:${broker.adminPort}/`)).text();
      assert.ok(!html.includes('s3cret-pw'));
    });
  });
});
