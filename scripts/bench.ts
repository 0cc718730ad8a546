// Runs one benchmark, `npm run bench -- <name> [--option value ...]`: loads <package>/bench/<name>.ts
// from whichever workspace has it, prints its table and records the result in docs/benchmarks.md
// (only that benchmark's own section is replaced, so results of different benchmarks can be
// refreshed independently). Benchmarks are never part of `npm test`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** One measured quantity, with a value per system (undefined when a system cannot do it). */
export interface BenchRow {
  metric: string;
  unit: string;
  /** Which direction is better decides how a ratio reads (ahead / behind). */
  better: 'higher' | 'lower';
  values: Record<string, number | undefined>;
}

export interface BenchResult {
  title: string;
  /** The system under test: the first column, and the numerator of every ratio. */
  subject: string;
  /** The other systems measured in the same run: the remaining columns. */
  peers: string[];
  rows: BenchRow[];
  notes: string[];
}

export interface BenchOptions {
  /** `--key value` pairs after the benchmark's name; a bare `--flag` is true. */
  values: Record<string, string | true>;
  progress(message: string): void;
}

/** A `--name N` option of a benchmark that must be a positive whole number. */
export function positiveIntOption(options: BenchOptions, name: string, fallback: number): number {
  const value = options.values[name];
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer`);
  return n;
}

export interface BenchModule {
  run(options: BenchOptions): Promise<BenchResult>;
}

const root = fileURLToPath(new URL('..', import.meta.url));

function parseOptions(args: string[]): Record<string, string | true> {
  const values: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument '${arg}': options are --key value`);
    const eq = arg.indexOf('=');
    if (eq > 0) values[arg.slice(2, eq)] = arg.slice(eq + 1);
    else if (args[i + 1] !== undefined && !args[i + 1]!.startsWith('--')) values[arg.slice(2)] = args[++i]!;
    else values[arg.slice(2)] = true;
  }
  return values;
}

function findBenchFile(name: string): string | undefined {
  const workspaces = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
  return workspaces.map((ws) => join(root, ws, 'bench', `${name}.ts`)).find((file) => existsSync(file));
}

function listBenches(): string[] {
  const workspaces = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
  return workspaces.filter((ws) => existsSync(join(root, ws, 'bench'))).map((ws) => `${ws}/bench/`);
}

export function formatNumber(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export function formatRatio(row: BenchRow, subject: string, peer: string): string {
  const ours = row.values[subject];
  const theirs = row.values[peer];
  if (ours === undefined || theirs === undefined || theirs === 0) return '—';
  const ratio = ours / theirs;
  const ahead = row.better === 'higher' ? ratio > 1 : ratio < 1;
  return `${ratio.toFixed(2)}× (${ahead ? 'ahead' : 'behind'})`;
}

function tableCells(result: BenchResult): string[][] {
  const header = ['metric', 'unit', result.subject, ...result.peers, ...result.peers.map((p) => `${result.subject} / ${p}`)];
  const body = result.rows.map((row) => [
    row.metric,
    row.unit,
    ...[result.subject, ...result.peers].map((system) => formatNumber(row.values[system])),
    ...result.peers.map((peer) => formatRatio(row, result.subject, peer)),
  ]);
  return [header, ...body];
}

export function renderText(result: BenchResult): string {
  const cells = tableCells(result);
  const widths = cells[0]!.map((_, col) => Math.max(...cells.map((line) => line[col]!.length)));
  return cells.map((line) => line.map((cell, col) => (col < 2 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  ')).join('\n');
}

export function renderMarkdownTable(result: BenchResult): string {
  const [header, ...body] = tableCells(result);
  const align = header!.map((_, col) => (col < 2 ? '---' : '---:'));
  return [header!, align, ...body].map((line) => `| ${line.join(' | ')} |`).join('\n');
}

export interface MachineFacts {
  cpuModel: string;
  cpus: number;
  memoryGiB: number;
  node: string;
  /** 1-minute load average when the run started: other work on the machine skews the figures. */
  loadAtStart: number;
}

export function machineFacts(loadAtStart: number): MachineFacts {
  let cpuModel = 'unknown CPU';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    if (line) cpuModel = line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // Not Linux: the model stays unknown rather than failing the run.
  }
  return { cpuModel, cpus: availableParallelism(), memoryGiB: totalmem() / 2 ** 30, node: process.version, loadAtStart };
}

export function renderSection(name: string, command: string, date: Date, machine: MachineFacts, result: BenchResult): string {
  const lines = [
    `<!-- bench:${name} -->`,
    `## ${result.title}`,
    '',
    `- Command: \`${command}\``,
    `- Date: ${date.toISOString().replace(/\.\d+Z$/, 'Z')}`,
    `- Machine: ${machine.cpuModel}, ${machine.cpus} CPUs (nproc), ${machine.memoryGiB.toFixed(1)} GiB memory, Node ${machine.node}; load average ${machine.loadAtStart.toFixed(2)} at the start, ${loadavg()[0]!.toFixed(2)} at the end`,
    '',
    renderMarkdownTable(result),
    '',
    `Ratios are ${result.subject} / peer, measured in the same run; "ahead" means ${result.subject} did better on that row (higher throughput, lower latency).`,
  ];
  if (result.notes.length > 0) lines.push('', ...result.notes.map((note) => `- ${note}`));
  lines.push(`<!-- /bench:${name} -->`);
  return lines.join('\n');
}

const docHeader = `# Benchmarks

Each section below is written by \`npm run bench -- <name>\` (the runner is scripts/bench.ts; the
benchmark itself is \`<package>/bench/<name>.ts\`). Re-running a benchmark replaces its own
section only. Figures are from the machine named in each section; peers are measured in the same
run with the same payloads.
`;

export function replaceSection(doc: string, name: string, section: string): string {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from >= 0 && to > from) return doc.slice(0, from) + section + doc.slice(to + end.length);
  return `${doc.trimEnd()}\n\n${section}\n`;
}

async function main(): Promise<void> {
  const [name, ...rest] = process.argv.slice(2);
  if (!name || name.startsWith('--')) {
    console.error(`usage: npm run bench -- <name> [--option value ...]; benchmarks live in ${listBenches().join(', ') || '<package>/bench/'}`);
    process.exit(2);
  }
  const file = findBenchFile(name);
  if (!file) {
    console.error(`no benchmark named '${name}': expected <package>/bench/${name}.ts in one of the workspaces`);
    process.exit(2);
  }
  const values = parseOptions(rest);
  const loadAtStart = loadavg()[0]!;
  const started = Date.now();
  const progress = (message: string) => console.error(`[bench ${name} +${((Date.now() - started) / 1000).toFixed(0)}s] ${message}`);
  const module = (await import(pathToFileURL(file).href)) as BenchModule;
  const result = await module.run({ values, progress });
  console.log(`\n${result.title}\n\n${renderText(result)}\n`);
  for (const note of result.notes) console.log(`- ${note}`);

  const command = ['npm run bench --', name, ...rest].join(' ');
  const docPath = join(root, 'docs', 'benchmarks.md');
  const doc = existsSync(docPath) ? readFileSync(docPath, 'utf8') : docHeader;
  writeFileSync(docPath, replaceSection(doc, name, renderSection(name, command, new Date(), machineFacts(loadAtStart), result)));
  console.log(`\nwrote the '${name}' section of ${docPath}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
