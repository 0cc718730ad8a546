import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadSection, type SectionSchema } from '@tributary/common';
import { brokerSchema } from '@tributary/broker';
import { cdcSchema, renderMetrics } from '@tributary/cdc';
import { crawlerSchema } from '@tributary/crawler';
import { CrawlMetrics } from '../../collectors/crawler/src/worker/metrics.ts';
import { createSinkMetrics, sinkSchema } from '@tributary/hdfs-sink';
import { startCollector, trackingConfig, trackingSchema, type Collector } from '@tributary/tracking';
import { startBroker, type BrokerInstance } from '@tributary/testkit';
import { commands } from '../../cli/src/commands/index.ts';

const deploy = join(import.meta.dirname, '..');
const read = (path: string) => readFileSync(join(deploy, path), 'utf8');

/** The CLI command an argument list starts with, and the flags its usage names. */
function resolveCommand(args: string[]): { name: string; flags: Set<string> } {
  const command = commands.find((c) => c.name === args.slice(0, 2).join(' ')) ?? commands.find((c) => c.name === args[0]);
  assert.ok(command, `'${args.slice(0, 2).join(' ')}' is a tributary command`);
  return { name: command.name, flags: new Set(command.usage.match(/--[a-z-]+/g) ?? []) };
}

function assertKnownFlags(args: string[], where: string): void {
  const { name, flags } = resolveCommand(args);
  for (const flag of args.filter((arg) => arg.startsWith('--'))) assert.ok(flags.has(flag), `${where}: 'tributary ${name}' has no ${flag} (usage: ${[...flags].join(' ')})`);
}

interface ComposeService {
  image?: string;
  command?: string[];
  ports?: string[];
  profiles?: string[];
}

const compose = parseYaml(read('docker/docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
const tributaryServices = Object.entries(compose.services).filter(([, service]) => service.image === 'tributary:latest');

describe('deploy files', () => {
  test('docker compose: every Tributary service runs a real command with real flags, on the conventional ports', () => {
    assert.deepEqual(tributaryServices.map(([name]) => name).sort(), ['broker', 'cdc', 'crawler', 'sink', 'tracking']);
    for (const [name, service] of tributaryServices) assertKnownFlags(service.command!, `compose service ${name}`);
    assert.deepEqual(compose.services.broker!.ports, ['9092:9092', '9644:9644']);
    assert.deepEqual(compose.services.tracking!.ports, ['8080:8080']);
  });

  test('Prometheus scrapes each service where the compose file and the service defaults put its metrics', () => {
    const prometheus = parseYaml(read('prometheus/prometheus.yml')) as { scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }> };
    const expectedPort: Record<string, string> = { broker: '9644', tracking: '8080', cdc: '8083', crawler: '9646', sink: '8084' };
    const targets = prometheus.scrape_configs.flatMap((job) => job.static_configs.flatMap((c) => c.targets));
    assert.deepEqual(targets.sort(), Object.entries(expectedPort).map(([host, port]) => `${host}:${port}`).sort());
    const flagValue = (command: string[], flag: string) => (command.includes(flag) ? command[command.indexOf(flag) + 1] : undefined);
    const metricsFlag: Record<string, string> = { broker: '--admin-port', tracking: '--port', cdc: '--status-port', crawler: '--metrics-port', sink: '--metrics-port' };
    for (const [host, port] of Object.entries(expectedPort)) {
      assert.equal(flagValue(compose.services[host]!.command!, metricsFlag[host]!), port, `${host} serves metrics on ${port}`);
    }
  });

  test('systemd units start real commands with --config, restart on failure and stop with SIGTERM', () => {
    const units = readdirSync(join(deploy, 'systemd')).filter((name) => name.endsWith('.service'));
    assert.equal(units.length, 5);
    for (const unit of units) {
      const text = read(`systemd/${unit}`);
      const exec = /^ExecStart=\S+node \S+tributary\.mjs (.+)$/m.exec(text);
      assert.ok(exec, `${unit} has an ExecStart running the tributary CLI`);
      assertKnownFlags(exec[1]!.split(' '), unit);
      assert.match(text, /^Restart=on-failure$/m);
      assert.match(text, /^KillSignal=SIGTERM$/m);
    }
  });

  test('the example configuration is valid for every section', () => {
    const file = join(deploy, 'tributary.example.yaml');
    const sections: Record<string, SectionSchema> = { broker: brokerSchema, tracking: trackingSchema, cdc: cdcSchema, crawler: crawlerSchema, sink: sinkSchema };
    for (const [section, schema] of Object.entries(sections)) assert.doesNotThrow(() => loadSection(section, schema, { file, env: {} }), section);
    assert.deepEqual(Object.keys(parseYaml(readFileSync(file, 'utf8')) as object).sort(), Object.keys(sections).sort());
  });

  describe('the Grafana dashboard', () => {
    let broker: BrokerInstance;
    let collector: Collector;
    before(async () => {
      broker = await startBroker();
      collector = await startCollector(trackingConfig({ port: 0, host: '127.0.0.1', bootstrapServers: broker.bootstrap, spoolDir: mkdtempSync(join(tmpdir(), 'deploy-spool-')) }));
    });
    after(async () => {
      await collector?.close();
      await broker?.stop();
    });

    test('every metric its queries use is exported by a service', async () => {
      const dashboard = JSON.parse(read('grafana/tributary-dashboard.json')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
      const exported = [
        await (await fetch(`http://127.0.0.1:${broker.adminPort}/metrics`)).text(),
        await (await fetch(`${collector.url}/metrics`)).text(),
        renderMetrics({ server: 'shop', phase: 'streaming', position: null, storedPosition: null, lagSeconds: 0, rowsPerSecond: 0, rowsTotal: 0, snapshot: null, reconnects: 0 }),
        await new CrawlMetrics().registry.metrics(),
        await createSinkMetrics().registry.metrics(),
      ].join('\n');
      const names = new Set([...exported.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
      assert.ok(dashboard.panels.length >= 10);
      for (const panel of dashboard.panels) {
        for (const { expr } of panel.targets) {
          for (const [metric] of expr.matchAll(/tributary_[a-z_]+/g)) {
            const base = metric.replace(/_(bucket|sum|count)$/, '');
            assert.ok(names.has(base), `panel '${panel.title}' uses ${metric}, which no service exports`);
          }
        }
      }
    });
  });
});
