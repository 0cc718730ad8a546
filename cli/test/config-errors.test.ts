import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = join(import.meta.dirname, '../bin/tributary.mjs');
const dir = mkdtempSync(join(tmpdir(), 'tributary-config-'));

function configFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Runs the CLI and expects the documented failure: exit code 2 and one line on stderr. */
function expectConfigError(args: string[], expected: RegExp, env: Record<string, string> = {}): void {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  assert.equal(result.status, 2, `exit code 2 for ${args.join(' ')}; stderr: ${result.stderr}`);
  const lines = result.stderr.split('\n').filter((line) => line.startsWith('tributary: ') || (line.length > 0 && !line.startsWith('(node:') && !line.startsWith('(Use `node')));
  assert.equal(lines.length, 1, `one line on stderr, got:\n${result.stderr}`);
  assert.match(lines[0]!, expected);
  assert.equal(result.stdout, '', 'nothing started, nothing printed');
}

// The cases docs/configuration.md lists under "Errors", for `up` and for a single-part command.
describe('bad configuration is a one-line error naming the key, exit code 2', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));
  const unknownKey = configFile('unknown-key.yaml', 'broker:\n  prot: 9092\ntracking:\n  prot: 8080\n');
  const unknownSection = configFile('unknown-section.yaml', 'brokers:\n  port: 9092\n');
  const badValue = configFile('bad-value.yaml', 'tracking:\n  port: eighty\n');
  const badChoice = configFile('bad-choice.yaml', 'sink:\n  compression: zip\n');
  const notYaml = configFile('not-yaml.yaml', 'broker:\n  port: [9092\n');
  const notMapping = configFile('not-mapping.yaml', 'broker: 9092\ntracking: 8080\n');

  for (const command of [['up'], ['tracking', 'start']]) {
    const name = command.join(' ');
    // `up` reads the broker section first.
    const section = command[0] === 'up' ? 'broker' : 'tracking';
    test(`${name}: an unknown key`, () => {
      expectConfigError([...command, '--config', unknownKey], new RegExp(`^tributary: unknown setting '${section}\\.prot' in \\S+unknown-key\\.yaml; see docs/configuration\\.md for valid keys$`));
    });
    test(`${name}: an unknown section`, () => {
      expectConfigError([...command, '--config', unknownSection], /^tributary: unknown section 'brokers' in \S+; sections are broker, tracking, cdc, crawler, sink, kafka \(see docs\/configuration\.md\)$/);
    });
    test(`${name}: a bad value`, () => {
      expectConfigError([...command, '--config', badValue], /^tributary: tracking\.port \(from \S+bad-value\.yaml\) must be a number, got 'eighty'$/);
    });
    test(`${name}: a file that is not YAML`, () => {
      expectConfigError([...command, '--config', notYaml], /^tributary: config file \S+not-yaml\.yaml is not valid YAML: .+ at line \d+, column \d+$/);
    });
    test(`${name}: a section that is not a mapping`, () => {
      expectConfigError([...command, '--config', notMapping], new RegExp(`^tributary: section '${section}' in \\S+not-mapping\\.yaml must be a mapping$`));
    });
    test(`${name}: a missing file`, () => {
      expectConfigError([...command, '--config', join(dir, 'absent.yaml')], /^tributary: cannot read config file \S+absent\.yaml: ENOENT/);
    });
  }

  test('up: a value out of range, a bad choice in the sink section, a bad environment variable, a bad --mysql URL', () => {
    expectConfigError(['up', '--config', configFile('out-of-range.yaml', 'broker:\n  num.partitions: 0\n')], /^tributary: broker\.num\.partitions \(from \S+\) must be at least 1, got 0$/);
    expectConfigError(['up', '--config', badChoice], /^tributary: sink\.compression \(from \S+\) must be one of SNAPPY, GZIP, UNCOMPRESSED, got 'zip'$/);
    expectConfigError(['up'], /^tributary: broker\.port \(from TRIBUTARY_BROKER_PORT\) must be a number, got 'ninety'$/, { TRIBUTARY_BROKER_PORT: 'ninety' });
    expectConfigError(['up', '--mysql', 'http://db:3306'], /^tributary: cdc\.mysql must start with mysql:\/\/, got 'http:'; write mysql:\/\/USER:PASS@HOST:PORT$/);
  });
});
