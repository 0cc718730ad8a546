import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { envVarName, loadSection, type SectionSchema } from '@tributary/common';
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
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
}

const SECTIONS: Record<string, SectionSchema> = { broker: brokerSchema, tracking: trackingSchema, cdc: cdcSchema, crawler: crawlerSchema, sink: sinkSchema };
const flagValue = (command: string[], flag: string) => (command.includes(flag) ? command[command.indexOf(flag) + 1] : undefined);

const compose = parseYaml(read('docker/docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
const tributaryServices = Object.entries(compose.services).filter(([, service]) => service.image === 'tributary:latest');

describe('deploy files', () => {
  test('docker compose: every Tributary service runs a real command with real flags, on the conventional ports', () => {
    assert.deepEqual(tributaryServices.map(([name]) => name).sort(), ['broker1', 'broker2', 'broker3', 'cdc', 'crawler', 'sink', 'tracking']);
    for (const [name, service] of tributaryServices) assertKnownFlags(service.command!, `compose service ${name}`);
    assert.deepEqual(compose.services.broker1!.ports, ['9092:9092', '9644:9644']);
    assert.deepEqual(compose.services.tracking!.ports, ['8080:8080']);
  });

  test('docker compose: three brokers with their own ids, volumes and names, all on the ZooKeeper service', () => {
    const brokers = tributaryServices.filter(([, service]) => service.command![0] === 'broker');
    assert.equal(brokers.length, 3);
    assert.equal(compose.services.zookeeper?.image, 'zookeeper:3.8');
    const ids = brokers.map(([, service]) => flagValue(service.command!, '--broker-id'));
    assert.deepEqual([...ids].sort(), ['1', '2', '3'], 'unique broker ids 1, 2, 3');
    const volumes = brokers.map(([, service]) => service.volumes![0]!.split(':')[0]);
    assert.equal(new Set(volumes).size, 3, `each broker has its own data volume: ${volumes.join(', ')}`);
    const hostPorts = brokers.flatMap(([, service]) => (service.ports ?? []).map((port) => port.split(':')[0]));
    assert.equal(new Set(hostPorts).size, hostPorts.length, 'no host port is published twice');
    for (const [name, service] of brokers) {
      assert.equal(flagValue(service.command!, '--zookeeper'), 'zookeeper:2181', `${name} points at the zookeeper service`);
      assert.equal(flagValue(service.command!, '--advertised-host'), name, `${name} advertises its own service name`);
      assert.equal(service.depends_on?.zookeeper?.condition, 'service_healthy', `${name} waits for ZooKeeper`);
      assert.equal(service.environment?.TRIBUTARY_BROKER_DEFAULT_REPLICATION_FACTOR, '3', `${name} replicates new topics to every broker`);
      assert.equal(service.environment?.TRIBUTARY_BROKER_OFFSETS_TOPIC_REPLICATION_FACTOR, '3', `${name} replicates committed offsets`);
    }
    const bootstrap = brokers.map(([name, service]) => `${name}:${flagValue(service.command!, '--port')}`).sort();
    for (const [name, service] of tributaryServices.filter(([, s]) => s.command![0] !== 'broker')) {
      const lists = Object.entries(service.environment ?? {}).filter(([key]) => key.endsWith('_BOOTSTRAP_SERVERS'));
      assert.ok(lists.length > 0, `${name} is told where the brokers are`);
      for (const [key, value] of lists) assert.deepEqual(value.split(',').sort(), bootstrap, `${name} ${key} names all three brokers`);
      for (const broker of brokers.map(([brokerName]) => brokerName)) assert.equal(service.depends_on?.[broker]?.condition, 'service_healthy', `${name} waits for ${broker}`);
    }
  });

  test('docker compose: every TRIBUTARY_* variable is a setting of some section', () => {
    const known = new Set(Object.entries(SECTIONS).flatMap(([section, schema]) => Object.keys(schema).map((key) => envVarName(section, key))));
    for (const [name, service] of tributaryServices) {
      for (const key of Object.keys(service.environment ?? {})) assert.ok(known.has(key), `compose service ${name}: ${key} is no setting (see docs/configuration.md)`);
    }
  });

  test('Prometheus scrapes each service where the compose file and the service defaults put its metrics', () => {
    const prometheus = parseYaml(read('prometheus/prometheus.yml')) as { scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }> };
    const expectedPort: Record<string, string> = { broker1: '9644', broker2: '9644', broker3: '9644', tracking: '8080', cdc: '8083', crawler: '9646', sink: '8084' };
    const targets = prometheus.scrape_configs.flatMap((job) => job.static_configs.flatMap((c) => c.targets));
    assert.deepEqual(targets.sort(), Object.entries(expectedPort).map(([host, port]) => `${host}:${port}`).sort());
    const metricsFlag = (command: string[]) => ({ broker: '--admin-port', tracking: '--port', cdc: '--status-port', crawl: '--metrics-port', sink: '--metrics-port' })[command[0]!]!;
    for (const [host, port] of Object.entries(expectedPort)) {
      const command = compose.services[host]!.command!;
      assert.equal(flagValue(command, metricsFlag(command)), port, `${host} serves metrics on ${port}`);
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
    for (const [section, schema] of Object.entries(SECTIONS)) assert.doesNotThrow(() => loadSection(section, schema, { file, env: {} }), section);
    assert.deepEqual(Object.keys(parseYaml(readFileSync(file, 'utf8')) as object).sort(), Object.keys(SECTIONS).sort());
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
      const queried = dashboard.panels.flatMap((panel) => panel.targets.map(({ expr }) => expr)).join('\n');
      const required = [
        'tributary_broker_topic_bytes_in_total', 'tributary_broker_topic_bytes_out_total', 'tributary_broker_topic_messages_in_total', 'tributary_broker_consumer_group_lag',
        'tributary_broker_under_replicated_partitions', 'tributary_broker_offline_partitions', 'tributary_broker_isr_shrinks_total', 'tributary_broker_isr_expands_total',
        'tributary_broker_active_controller', 'tributary_broker_leader_count', 'tributary_broker_partition_count',
        'tributary_tracking_events_accepted_total', 'tributary_cdc_rows_per_second', 'tributary_cdc_lag_seconds', 'tributary_crawl_pages_total', 'tributary_sink_files_committed_total',
      ];
      for (const metric of required) assert.ok(queried.includes(metric), `a panel shows ${metric}`);
      const layout = dashboard.panels as unknown as Array<{ id: number; title: string; gridPos: { x: number; y: number; w: number; h: number } }>;
      assert.equal(new Set(layout.map((panel) => panel.id)).size, layout.length, 'panel ids are unique');
      for (const [i, a] of layout.entries()) {
        assert.ok(a.gridPos.x >= 0 && a.gridPos.x + a.gridPos.w <= 24, `panel '${a.title}' fits Grafana's 24 columns`);
        for (const b of layout.slice(i + 1)) {
          const apart = a.gridPos.x + a.gridPos.w <= b.gridPos.x || b.gridPos.x + b.gridPos.w <= a.gridPos.x || a.gridPos.y + a.gridPos.h <= b.gridPos.y || b.gridPos.y + b.gridPos.h <= a.gridPos.y;
          assert.ok(apart, `panels '${a.title}' and '${b.title}' do not overlap`);
        }
      }
      for (const panel of dashboard.panels) {
        for (const { expr } of panel.targets) {
          for (const [metric] of expr.matchAll(/tributary_[a-z_]+/g)) {
            const base = metric.replace(/_(bucket|sum|count)$/, '');
            assert.ok(names.has(metric) || names.has(base), `panel '${panel.title}' uses ${metric}, which no service exports`);
          }
        }
      }
    });
  });
});
