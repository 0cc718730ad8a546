// `npm run bench -- tracking`: requests per second of the tracking collector, with every event
// produced (acks=all) to a real broker, against nginx serving the same 43-byte GIF and writing
// an access log, the classic way to collect pixels. The collector runs as `tributary tracking
// start` in a child process, the load generator (autocannon) in this one. Options:
//   --duration N       seconds of each measured run (default 10)
//   --warmup N         seconds of load before each measured run, not counted (default 2)
//   --connections N    concurrent keep-alive connections (default 50)
//   --batch-events N   events in each POST /v1/batch (default 10)
//   --visitors N       distinct anonymous ids the requests cycle through (default 1000)
//   --partitions N     partitions of tracking.events (default 6)
//   --nginx-workers N  nginx worker processes (default 1, as the collector is one process)
//   --ack spool|broker the collector's tracking.ack (default spool, the collector's default)
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { freePort, kcat, ManagedProcess, startBroker, waitFor, type BrokerInstance } from '@tributary/testkit';
import { positiveIntOption as option, type BenchOptions, type BenchResult } from '../../../scripts/bench.ts';
import { TRANSPARENT_GIF } from '../src/index.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const NGINX = '/usr/sbin/nginx';
const EVENTS_TOPIC = 'tracking.events';
const BAD_TOPIC = 'tracking.bad';
const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

// ---- processes and CPU time -------------------------------------------------------------------

const CLOCK_TICKS = 100; // USER_HZ, the unit of /proc/<pid>/stat

function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' '); // field 3 (state) onwards
  } catch {
    return null;
  }
}

/** CPU seconds (user + system, all threads) of a process and its direct children (nginx's workers). */
function treeCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (!fields) continue;
    if (Number(entry) === pid || Number(fields[1]) === pid) total += (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  }
  return total;
}

/** The broker testkit started (it does not expose its pid): the process whose command line names its port. */
function brokerPid(broker: BrokerInstance): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const at = args.indexOf('--port');
      if (args.includes('broker') && args.includes('start') && at >= 0 && args[at + 1] === String(broker.port)) return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  return undefined;
}

// ---- the two servers ---------------------------------------------------------------------------

interface Server {
  name: string;
  url: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

async function startCollectorProcess(dir: string, bootstrap: string, ack: string): Promise<Server> {
  const port = await freePort();
  const configPath = join(dir, 'tributary.yaml');
  // rate.limit.max 0: all load comes from one address, which the per-IP limit would throttle
  // (and rate-limited pixels still get their GIF, so the run would look fine while dropping events).
  writeFileSync(configPath, ['tracking:', '  host: 127.0.0.1', '  rate.limit.max: 0', `  ack: ${ack}`, `  topic.events: ${EVENTS_TOPIC}`, `  topic.bad: ${BAD_TOPIC}`, ''].join('\n'));
  const logPath = join(dir, 'collector.log');
  const child = new ManagedProcess(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'cli/src/main.ts'), 'tracking', 'start', '--config', configPath, '--port', String(port), '--bootstrap-server', bootstrap, '--spool-dir', join(dir, 'spool')],
    logPath,
    { cwd: repoRoot },
  );
  const url = `http://127.0.0.1:${port}`;
  await child.untilReady(waitFor(async () => (await fetch(`${url}/health`)).status === 200, { what: `the collector on port ${port}`, timeoutMs: 60_000 }), 'tracking collector');
  return { name: 'collector', url, pid: child.child.pid, stop: () => child.stop() };
}

function nginxConfig(dir: string, port: number, workers: number): string {
  return `worker_processes ${workers};
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  access_log ${dir}/access.log combined;
  keepalive_requests 100000000;
  keepalive_timeout 75s;
  open_file_cache max=16 inactive=600s;
  open_file_cache_valid 600s;
  server {
    listen 127.0.0.1:${port};
    location = /i {
      default_type image/gif;
      add_header Cache-Control "no-cache, no-store, must-revalidate, private";
      add_header Pragma no-cache;
      add_header Expires 0;
      alias ${dir}/pixel.gif;
    }
  }
}
`;
}

async function startNginx(dir: string, workers: number): Promise<Server & { accessLog: string }> {
  if (!existsSync(NGINX)) throw new Error(`${NGINX} not found: install the Debian package 'nginx' (scripts/install-system-packages.sh --bench, or apt-get install nginx)`);
  const port = await freePort();
  writeFileSync(join(dir, 'pixel.gif'), TRANSPARENT_GIF);
  const configPath = join(dir, 'nginx.conf');
  writeFileSync(configPath, nginxConfig(dir, port, workers));
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, 'tmp', sub), { recursive: true });
  // Workers run as nobody when we are root: they must be able to read the GIF.
  chmodSync(dir, 0o755);
  chmodSync(join(dir, '..'), 0o755);
  const child = new ManagedProcess(NGINX, ['-p', dir, '-c', configPath, '-e', join(dir, 'error.log')], join(dir, 'nginx.out'));
  const url = `http://127.0.0.1:${port}`;
  let lastStatus = 0;
  try {
    await child.untilReady(
      waitFor(async () => {
        const response = await fetch(`${url}/i?e=page`);
        lastStatus = response.status;
        const body = Buffer.from(await response.arrayBuffer());
        return response.status === 200 && body.equals(TRANSPARENT_GIF);
      }, { what: `nginx on port ${port}`, timeoutMs: 30_000 }),
      'nginx',
    );
  } catch (error) {
    // SIGTERM lets the master stop its workers; the exit hook's SIGKILL would orphan them.
    await child.stop();
    const log = existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8').slice(-2000) : '';
    throw new Error(`${(error as Error).message} (last status ${lastStatus}); nginx error log:\n${log}`);
  }
  return { name: 'nginx', url, pid: child.child.pid, stop: () => child.stop(), accessLog: join(dir, 'access.log') };
}

// ---- load ---------------------------------------------------------------------------------------

interface Load {
  /** Successful responses per second. */
  rate: number;
  ok: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  serverCpuSeconds: number;
  clientCpuSeconds: number;
  brokerCpuSeconds: number;
  /** The machine's 1-minute load average when the run ended. */
  loadAverage: number;
}

/** A hand-written pixel (the flat form, as in an e-mail or a <noscript> tag): the collector gives each its event id. */
function pixelPaths(visitors: number): string[] {
  return Array.from({ length: visitors }, (_, i) => `/i?e=page&aid=visitor-${i}&sid=session-${i}&url=${encodeURIComponent(`https://shop.example/products/${i % 50}?utm_source=newsletter`)}&ref=${encodeURIComponent('https://www.example.org/')}`);
}

/** A batch as t.js sends it: fresh event ids every time, since the collector drops ids it has seen. */
function batchBody(size: number, visitor: number): string {
  const now = new Date().toISOString();
  const events = Array.from({ length: size }, (_, i) => ({
    type: i === 0 ? 'page' : 'track',
    ...(i === 0 ? {} : { event: i % 2 === 0 ? 'add_to_cart' : 'click' }),
    eventId: randomUUID(),
    anonymousId: `visitor-${visitor}`,
    userId: null,
    sessionId: `session-${visitor}`,
    timestamp: now,
    sentAt: now,
    properties: i === 0 ? {} : { sku: `sku-${(visitor * 7 + i) % 500}`, price: 19.9, quantity: 1 },
    context: {
      page: { url: `https://shop.example/products/${visitor % 50}`, path: `/products/${visitor % 50}`, search: '', referrer: 'https://www.example.org/', title: 'Product' },
      utm: { source: 'newsletter' },
      screen: { width: 1920, height: 1080 },
      viewport: { width: 1280, height: 720 },
      locale: 'en-GB',
      timezone: 'Europe/London',
    },
  }));
  return JSON.stringify(events);
}

async function load(server: Server, options: { seconds: number; connections: number; requests: autocannon.Request[] }, brokerPidValue: number | undefined): Promise<Load> {
  const serverBefore = treeCpuSeconds(server.pid);
  const brokerBefore = treeCpuSeconds(brokerPidValue);
  const clientBefore = process.cpuUsage();
  const result = await autocannon({ url: server.url, connections: options.connections, duration: options.seconds, requests: options.requests });
  const client = process.cpuUsage(clientBefore);
  const serverCpuSeconds = treeCpuSeconds(server.pid) - serverBefore;
  const brokerCpuSeconds = treeCpuSeconds(brokerPidValue) - brokerBefore;
  if (result.non2xx > 0 || result.errors > 0) {
    const first = options.requests[0]!;
    throw new Error(`${server.name} ${first.method} ${first.path}: ${result.non2xx} non-2xx responses (${JSON.stringify(result.statusCodeStats ?? {})}), ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  const ok = result['2xx'];
  return {
    rate: ok / result.duration,
    ok,
    seconds: result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    serverCpuSeconds,
    clientCpuSeconds: (client.user + client.system) / 1e6,
    brokerCpuSeconds,
    loadAverage: loadavg()[0]!,
  };
}

/** Built once: each connection cycles through them, so the load generator does no per-request work. */
function pixelRequests(paths: string[]): autocannon.Request[] {
  return paths.map((path) => ({ method: 'GET', path, headers: { 'user-agent': USER_AGENT, accept: 'image/avif,image/webp,*/*' } }));
}

/** Built per request, since every event needs an id of its own. */
function batchRequests(size: number, visitors: number): autocannon.Request[] {
  let next = 0;
  return [
    {
      method: 'POST',
      path: '/v1/batch',
      headers: { 'user-agent': USER_AGENT, 'content-type': 'text/plain;charset=UTF-8' },
      body: batchBody(size, 0),
      setupRequest: (request) => ({ ...request, body: batchBody(size, next++ % visitors) }),
    },
  ];
}

// ---- counting -----------------------------------------------------------------------------------

/** Records in a topic, read back from the beginning with kcat (offsets only, to keep the pipe small). */
async function countRecords(bootstrap: string, topic: string): Promise<number> {
  const result = await kcat(['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%o\\n'], { timeoutMs: 600_000 });
  if (result.code !== 0) {
    if (/Unknown topic|UNKNOWN_TOPIC/i.test(result.stderr)) return 0;
    throw new Error(`kcat could not read ${topic}: ${result.stderr.trim()}`);
  }
  return result.stdout.split('\n').filter((line) => line !== '').length;
}

async function collectorCounter(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  return total;
}

/**
 * Requests still being handled when autocannon stopped finish afterwards, and with ack spool the
 * answered events reach the broker after their answer: wait until the count stands still and the
 * spool is empty.
 */
async function settledAccepted(url: string): Promise<number> {
  let last = -1;
  const settled = await waitFor(
    async () => {
      const now = await collectorCounter(url, 'tributary_tracking_events_accepted_total');
      const still = now === last;
      last = now;
      const spooled = ((await (await fetch(`${url}/health`)).json()) as { spool: { events: number } }).spool.events;
      return still && spooled === 0 ? { count: now } : null;
    },
    { what: 'the collector to finish in-flight requests and forward its spool', timeoutMs: 60_000, intervalMs: 300 },
  );
  return settled.count;
}

const lines = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((line) => line !== '').length : 0);

const cpu = (name: string, seconds: number, wall: number) => `${name} ${((100 * seconds) / wall).toFixed(0)}%`;

/**
 * Which side limited each run: a load generator on a full core makes the figure a floor; a server
 * below a full core with an idle generator was waiting (for the broker, in the collector's case).
 */
function bottlenecks(runs: Array<[string, Load]>, connections: number, ack: string): string[] {
  const notes: string[] = [];
  const saturated = runs.filter(([, load]) => load.clientCpuSeconds / load.seconds > 0.9).map(([name]) => name);
  if (saturated.length > 0) {
    notes.push(`The load generator used a full core in the ${saturated.join(', ')} run${saturated.length > 1 ? 's' : ''}: that figure is what one autocannon process could send, a floor of what the server can take, not its ceiling.`);
  }
  for (const [name, load] of runs) {
    if (!name.startsWith('collector') || load.serverCpuSeconds / load.seconds > 0.9 || load.clientCpuSeconds / load.seconds > 0.9) continue;
    const waits = ack === 'spool' ? "its group commit's durable write to the spool" : "linger.ms and the broker's acks=all answer";
    const cores = availableParallelism();
    notes.push(
      load.loadAverage > cores
        ? `In the ${name} run neither the collector (${((100 * load.serverCpuSeconds) / load.seconds).toFixed(0)}% of a core) nor the load generator was saturated, but the machine was (load average ${load.loadAverage.toFixed(2)} on ${cores} CPUs): part of the latency (p50 ${load.p50Ms.toFixed(1)} ms) was waiting for a CPU or the disk, besides ${waits}, so the figure is a floor.`
        : `In the ${name} run neither the collector (${((100 * load.serverCpuSeconds) / load.seconds).toFixed(0)}% of a core) nor the load generator was saturated: each request waits for ${waits} before it is answered (p50 ${load.p50Ms.toFixed(1)} ms), so the rate was bounded by ${connections} connections / latency (Little's law) rather than by CPU.`,
    );
  }
  return notes;
}

// ---- the run ------------------------------------------------------------------------------------

export async function run(options: BenchOptions): Promise<BenchResult> {
  const seconds = option(options, 'duration', 10);
  const warmup = option(options, 'warmup', 2);
  const connections = option(options, 'connections', 50);
  const batchEvents = option(options, 'batch-events', 10);
  const visitors = option(options, 'visitors', 1000);
  const partitions = option(options, 'partitions', 6);
  const nginxWorkers = option(options, 'nginx-workers', 1);
  const ack = options.values.ack ?? 'spool';
  if (ack !== 'spool' && ack !== 'broker') throw new Error('--ack must be spool or broker');
  if (!existsSync(NGINX)) throw new Error(`${NGINX} not found: install the Debian package 'nginx' (scripts/install-system-packages.sh --bench, or apt-get install nginx)`);

  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-tracking-'));
  const servers: Server[] = [];
  let broker: BrokerInstance | undefined;
  try {
    options.progress(`starting a broker (${partitions} partitions per topic), the collector and nginx`);
    broker = await startBroker({ config: { 'num.partitions': partitions } });
    const brokerProcess = brokerPid(broker);
    const collector = await startCollectorProcess(dir, broker.bootstrap, ack);
    servers.push(collector);
    const nginxDir = mkdtempSync(join(dir, 'nginx-'));
    const nginx = await startNginx(nginxDir, nginxWorkers);
    servers.push(nginx);

    const paths = pixelPaths(visitors);
    const measure = async (server: Server, label: string, requests: () => autocannon.Request[]) => {
      options.progress(`${server.name} ${label}: ${warmup} s warm-up`);
      await load(server, { seconds: warmup, connections, requests: requests() }, brokerProcess);
      if (server === collector) await settledAccepted(collector.url);
      const before = server === collector ? await collectorCounter(collector.url, 'tributary_tracking_events_accepted_total') : lines(nginx.accessLog);
      const countBefore = server === collector ? await countRecords(broker!.bootstrap, EVENTS_TOPIC) : 0;
      options.progress(`${server.name} ${label}: ${seconds} s with ${connections} connections`);
      const result = await load(server, { seconds, connections, requests: requests() }, brokerProcess);
      options.progress(
        `${server.name} ${label}: ${Math.round(result.rate).toLocaleString('en-US')} requests/s, p99 ${result.p99Ms.toFixed(1)} ms (CPU: ${cpu(server.name, result.serverCpuSeconds, result.seconds)}, ${cpu('broker', result.brokerCpuSeconds, result.seconds)}, ${cpu('autocannon', result.clientCpuSeconds, result.seconds)})`,
      );
      return { result, before, countBefore };
    };

    // Pixel: the collector, then nginx.
    const pixel = await measure(collector, 'GET /i', () => pixelRequests(paths));
    const pixelAccepted = (await settledAccepted(collector.url)) - pixel.before;
    const pixelInBroker = (await countRecords(broker.bootstrap, EVENTS_TOPIC)) - pixel.countBefore;
    options.progress(`pixel check: ${pixel.result.ok} GIFs answered, ${pixelAccepted} events accepted, ${pixelInBroker} records in ${EVENTS_TOPIC}`);
    const nginxPixel = await measure(nginx, 'GET /i', () => pixelRequests(paths));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const nginxLogged = lines(nginx.accessLog) - nginxPixel.before;

    // Batch: the collector only.
    const batch = await measure(collector, `POST /v1/batch of ${batchEvents}`, () => batchRequests(batchEvents, visitors));
    const batchAccepted = (await settledAccepted(collector.url)) - batch.before;
    const batchInBroker = (await countRecords(broker.bootstrap, EVENTS_TOPIC)) - batch.countBefore;
    const bad = await countRecords(broker.bootstrap, BAD_TOPIC);
    const duplicates = await collectorCounter(collector.url, 'tributary_tracking_events_duplicate_total');
    const spooled = (await (await fetch(`${collector.url}/health`)).json()) as { spool: { events: number } };

    const pixelComplete = pixelInBroker === pixelAccepted && pixelAccepted >= pixel.result.ok;
    const batchComplete = batchInBroker === batchAccepted && batchAccepted >= batch.result.ok * batchEvents;
    const p = pixel.result;
    const n = nginxPixel.result;
    const b = batch.result;
    return {
      title: 'Tracking collector: pixel and batch requests, every event produced to the broker (acks=all); nginx serving the pixel with an access log as the baseline',
      subject: 'collector',
      peers: ['nginx'],
      rows: [
        { metric: 'pixel GET /i', unit: 'requests/s', better: 'higher', values: { collector: p.rate, nginx: n.rate } },
        { metric: 'pixel GET /i latency p99', unit: 'ms', better: 'lower', values: { collector: p.p99Ms, nginx: n.p99Ms } },
        { metric: `batch POST /v1/batch (${batchEvents} events)`, unit: 'requests/s', better: 'higher', values: { collector: b.rate, nginx: undefined } },
        { metric: `batch POST /v1/batch (${batchEvents} events)`, unit: 'events/s', better: 'higher', values: { collector: b.rate * batchEvents, nginx: undefined } },
        { metric: `batch POST /v1/batch latency p99`, unit: 'ms', better: 'lower', values: { collector: b.p99Ms, nginx: undefined } },
      ],
      notes: [
        `autocannon (in the benchmark's process) with ${connections} keep-alive connections for ${seconds} s per run after ${warmup} s of warm-up; requests cycle through ${visitors} visitors (anonymous ids). The collector is \`tributary tracking start\` (one Node process) with rate.limit.max 0, so its per-IP limit does not throttle the single load-generating address; every event is produced by its idempotent acks=all producer to a broker started by the testkit (${partitions} partitions). With tracking.ack ${ack}${ack === 'spool' ? ' (the default), a request is answered once its events are written durably (O_DSYNC) to the collector\'s spool (one write for all requests that arrived while the previous one was under way), which is forwarded to the broker in the background; the records below are counted after the spool has drained' : ', a request is answered only after the broker acknowledged its events'}.`,
        `nginx ${nginxWorkers === 1 ? 'with one worker process' : `with ${nginxWorkers} worker processes`} serves the collector's 43-byte GIF from a file (open_file_cache) with the same no-cache headers and writes each request to an access log (combined format, unbuffered, no fsync): the classic pixel server, whose log is shipped to the pipeline later. It validates, enriches and forwards nothing, so it is a ceiling for answering pixels, not a like-for-like peer; it has no equivalent of the batch endpoint.`,
        `Pixel check: ${p.ok.toLocaleString('en-US')} GIFs answered in the measured run, ${pixelAccepted.toLocaleString('en-US')} events accepted by the collector (requests in flight when the load stopped finish afterwards), ${pixelInBroker.toLocaleString('en-US')} records found in ${EVENTS_TOPIC} by reading it back with kcat: ${pixelComplete ? 'as many records as accepted events, and at least one per GIF' : 'MISMATCH, see the figures'}. nginx logged ${nginxLogged.toLocaleString('en-US')} lines for ${n.ok.toLocaleString('en-US')} GIFs.`,
        `Batch check: ${(b.ok * batchEvents).toLocaleString('en-US')} events in answered requests, ${batchAccepted.toLocaleString('en-US')} accepted, ${batchInBroker.toLocaleString('en-US')} records in ${EVENTS_TOPIC}${batchComplete ? '' : ' (MISMATCH)'}; ${bad} bad rows in ${BAD_TOPIC}, ${duplicates} duplicates dropped, ${spooled.spool.events} events left in the spool.`,
        ...bottlenecks([['collector pixel', p], ['nginx pixel', n], ['collector batch', b]], connections, ack),
        `CPU during the pixel runs: ${cpu('collector', p.serverCpuSeconds, p.seconds)}, ${cpu('broker', p.brokerCpuSeconds, p.seconds)}, ${cpu('autocannon', p.clientCpuSeconds, p.seconds)}; ${cpu('nginx', n.serverCpuSeconds, n.seconds)}, ${cpu('autocannon', n.clientCpuSeconds, n.seconds)}. During the batch run: ${cpu('collector', b.serverCpuSeconds, b.seconds)}, ${cpu('broker', b.brokerCpuSeconds, b.seconds)}, ${cpu('autocannon', b.clientCpuSeconds, b.seconds)}. 100% is one core; a side near 100% is the bottleneck of that run.`,
      ],
    };
  } finally {
    for (const server of servers.reverse()) await server.stop().catch(() => undefined);
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
