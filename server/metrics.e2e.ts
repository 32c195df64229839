/**
 * The metrics pipeline end to end, with the real programs: the server process sends StatsD to a
 * real statsd_exporter (loaded with the repository's statsd.conf), which a real Prometheus scrapes
 * (with the repository's prom.yml, its targets moved to this test's ports). Known requests go in;
 * the exact series, labels and counts must come out of the exporter's /metrics and of Prometheus'
 * query API. Every process listens on free loopback ports of its own, so a running `make
 * monitoring` is neither used nor disturbed, and all are stopped when the test ends, pass or fail.
 * A second server (instance lab-b) sends its own known traffic to the same exporter at the same
 * time: every series carries service_instance, and each instance's series must be exactly its own.
 * Run by `make test-metrics`, which installs statsd_exporter and Prometheus first.
 *
 * With METRICS_E2E_SERVER_URL, METRICS_E2E_SERVER_B_URL, METRICS_E2E_EXPORTER_URL and
 * METRICS_E2E_PROMETHEUS_URL set, it starts nothing and runs the same requests and checks against a
 * stack already up: `scripts/compose.sh test` runs it against a fresh docker-compose stack (two
 * service containers with the settings below, no health check probes).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, repoRoot } from '../lab/index.js';

const ROOT = repoRoot();
const MAIN = join(ROOT, 'dist/server/main.js');
const EXPORTER = join(ROOT, '.tools/bin/statsd_exporter');
const BUCKETS = ['0.0001', '0.00025', '0.0005', '0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'];
const HEAVY = '/heavy/cpu-io-no-db/';
const SMALL = 'prime_limit=1000&hash_rounds=10&io_kb=4';
// About a second in a worker thread: a second request surely arrives while it runs.
const LONG = 'prime_limit=1000&hash_rounds=3000000&io_kb=1&impl=js&mode=pool';

interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly output: string[];
}

const procs: Proc[] = [];
let dir = '';

function start(name: string, command: string, args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const proc = { name, child, output: [] as string[] };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => proc.output.push(d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => proc.output.push(d));
  child.on('error', (err) => proc.output.push(`spawn failed: ${err.message}`));
  procs.push(proc);
  return proc;
}

async function stopAll(): Promise<void> {
  await Promise.all(
    procs.map(async ({ child }) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }),
  );
}

// Even if the runner dies before after() runs, no process is left behind.
process.once('exit', () => {
  for (const { child } of procs) if (child.exitCode === null) child.kill('SIGKILL');
});

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

/** Polls until `check` returns a value (not undefined); fails with the processes' output. */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) {
      const logs = procs.map((p) => `--- ${p.name}\n${p.output.join('').slice(-1500)}`).join('\n');
      throw new Error(`timed out waiting for ${what} (${last instanceof Error ? last.message : 'condition not met'})\n${logs}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Prometheus text format -> `name{label="v",...}` (labels sorted) -> value. */
function parseExposition(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `unparsable exposition line: ${line}`);
    const labels = [...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((l) => `${l[1]}="${l[2]}"`).sort();
    series.set(labels.length ? `${m[1]}{${labels.join(',')}}` : m[1]!, Number(m[3]));
  }
  return series;
}

/** The series key for `name` with `labels`, as parseExposition writes it. */
function key(name: string, labels: Record<string, string> = {}): string {
  const parts = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort();
  return parts.length ? `${name}{${parts.join(',')}}` : name;
}

const A = 'lab-a';
const B = 'lab-b';

function requestLabels(route: string, method: string, status: number, engine: string, mode: string, instance = A) {
  return { route, method, status: String(status), engine, mode, service_instance: instance };
}

let exporterUrl = '';
let prometheusUrl = '';
let serverUrl = '';
let serverBUrl = '';
let healthRequests = 0;

async function scrapeExporter(): Promise<Map<string, number>> {
  const res = await fetch(`${exporterUrl}/metrics`);
  assert.equal(res.status, 200, await res.clone().text());
  return parseExposition(await res.text());
}

async function promQuery(query: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await res.json()) as { status: string; error?: string; data: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  assert.equal(body.status, 'success', `${query}: ${body.error}`);
  return body.data.result;
}

async function get(path: string, init?: RequestInit, base = serverUrl): Promise<number> {
  const res = await fetch(base + path, init);
  await res.arrayBuffer();
  return res.status;
}

// The known traffic, and the http_requests_total series it must produce: nothing more, nothing less.
const EXPECTED_REQUESTS = new Map<string, number>([
  [key('http_requests_total', requestLabels('/hello', 'GET', 200, 'none', 'none')), 9],
  [key('http_requests_total', requestLabels('/hello', 'POST', 405, 'none', 'none')), 1],
  [key('http_requests_total', requestLabels('/*', 'GET', 404, 'none', 'none')), 1],
  [key('http_requests_total', requestLabels(HEAVY, 'GET', 400, 'none', 'none')), 1],
  [key('http_requests_total', requestLabels(HEAVY, 'GET', 200, 'js', 'inline')), 3],
  [key('http_requests_total', requestLabels(HEAVY, 'GET', 200, 'node-crypto', 'pool')), 2],
  [key('http_requests_total', requestLabels(HEAVY, 'GET', 200, 'js', 'pool')), 1],
  [key('http_requests_total', requestLabels(HEAVY, 'GET', 503, 'js', 'pool')), 1],
]);

// The second instance's traffic, sent while the first one's runs.
const EXPECTED_B = new Map<string, number>([
  [key('http_requests_total', requestLabels('/hello', 'GET', 200, 'none', 'none', B)), 4],
  [key('http_requests_total', requestLabels(HEAVY, 'GET', 200, 'js', 'inline', B)), 2],
]);

describe('metrics: server -> statsd_exporter -> Prometheus', () => {
  before(async () => {
    const stack = ['SERVER', 'SERVER_B', 'EXPORTER', 'PROMETHEUS'].map((k) => process.env[`METRICS_E2E_${k}_URL`]);
    if (stack.some(Boolean)) {
      assert.ok(stack.every(Boolean), 'METRICS_E2E_SERVER_URL, _SERVER_B_URL, _EXPORTER_URL and _PROMETHEUS_URL go together');
      [serverUrl, serverBUrl, exporterUrl, prometheusUrl] = stack as [string, string, string, string];
    } else {
      await startLocalStack();
    }
    await sendKnownTraffic();
  });

  async function startLocalStack(): Promise<void> {
    dir = mkdtempSync(join(tmpdir(), 'lab-metrics-e2e-'));
    const [exporterWeb, prometheusWeb] = [await freePort(), await freePort()];
    const statsdPort = await freeUdpPort();
    exporterUrl = `http://127.0.0.1:${exporterWeb}`;
    prometheusUrl = `http://127.0.0.1:${prometheusWeb}`;

    // The repository's prom.yml, pointed at this test's ports; a changed layout must fail loudly.
    const promYml = readFileSync(join(ROOT, 'prom.yml'), 'utf8');
    assert.ok(promYml.includes("'127.0.0.1:9102'") && promYml.includes("'127.0.0.1:9090'"), 'prom.yml targets moved; update this test');
    const promConfig = join(dir, 'prom.yml');
    writeFileSync(promConfig, promYml.replace("'127.0.0.1:9102'", `'127.0.0.1:${exporterWeb}'`).replace("'127.0.0.1:9090'", `'127.0.0.1:${prometheusWeb}'`));

    start('statsd_exporter', EXPORTER, [
      '--statsd.mapping-config=statsd.conf',
      `--web.listen-address=127.0.0.1:${exporterWeb}`,
      `--statsd.listen-udp=127.0.0.1:${statsdPort}`,
      '--statsd.listen-tcp=',
    ]);
    start('prometheus', 'prometheus', [`--config.file=${promConfig}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${prometheusWeb}`]);
    const serverEnv = {
      HOST: '127.0.0.1',
      PORT: '0',
      METRICS: '1',
      STATSD_HOST: '127.0.0.1',
      STATSD_PORT: String(statsdPort),
      METRICS_FLUSH_MS: '100',
      // One compute slot and no queue: a request arriving while one runs is shed.
      POOL_SIZE: '1',
      QUEUE_MAX: '0',
      DATA_DIR: dir,
    };
    const server = start('server', process.execPath, [MAIN], { ...serverEnv, METRICS_INSTANCE: A });
    const serverB = start('server-b', process.execPath, [MAIN], { ...serverEnv, METRICS_INSTANCE: B });
    await eventually('statsd_exporter', async () => ((await fetch(`${exporterUrl}/metrics`)).ok ? true : undefined));
    await eventually('prometheus', async () => ((await fetch(`${prometheusUrl}/-/ready`)).ok ? true : undefined));
    serverUrl = await eventually('the server', async () => /listening on (http:\/\/\S+)/.exec(server.output.join(''))?.[1]);
    serverBUrl = await eventually('the second server', async () => /listening on (http:\/\/\S+)/.exec(serverB.output.join(''))?.[1]);
  }

  async function sendKnownTraffic(): Promise<void> {
    // B's traffic interleaved with A's, to the same exporter.
    const trafficB = (async () => {
      for (let i = 0; i < 4; i++) assert.equal(await get('/hello', undefined, serverBUrl), 200);
      for (let i = 0; i < 2; i++) assert.equal(await get(`${HEAVY}?${SMALL}&impl=js`, undefined, serverBUrl), 200);
    })();

    for (let i = 0; i < 7; i++) assert.equal(await get('/hello'), 200);
    for (let i = 0; i < 2; i++) assert.equal(await get('/hello/'), 200); // same route template
    assert.equal(await get('/hello', { method: 'POST' }), 405);
    assert.equal(await get('/no/such/path?secret=1'), 404);
    assert.equal(await get(`${HEAVY}?prime_limit=-5`), 400);
    for (let i = 0; i < 3; i++) assert.equal(await get(`${HEAVY}?${SMALL}&impl=js`), 200);
    for (let i = 0; i < 2; i++) assert.equal(await get(`${HEAVY}?${SMALL}&impl=node-crypto&mode=pool`), 200);
    const long = get(`${HEAVY}?${LONG}`);
    // Admitted once health counts it in flight; then the only slot is taken and nothing may queue.
    await eventually('the long request in flight', async () => {
      healthRequests++;
      const health = (await (await fetch(`${serverUrl}/heavy/health/`)).json()) as { heavy: { in_flight: number } };
      return health.heavy.in_flight === 1 ? true : undefined;
    });
    EXPECTED_REQUESTS.set(key('http_requests_total', requestLabels('/heavy/health/', 'GET', 200, 'none', 'none')), healthRequests);
    assert.equal(await get(`${HEAVY}?${LONG}`), 503);
    assert.equal(await long, 200);
    await trafficB;
  }

  after(async () => {
    await stopAll();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('statsd_exporter exposes exactly the request series sent, with their counts, each instance apart', async () => {
    const both = new Map([...EXPECTED_REQUESTS, ...EXPECTED_B]);
    const series = await eventually('all requests counted by the exporter', async () => {
      const s = await scrapeExporter();
      return [...both].every(([k, v]) => s.get(k) === v) ? s : undefined;
    });
    const requestSeries = new Map([...series].filter(([k]) => k.startsWith('http_requests_total{')));
    assert.deepEqual(requestSeries, both);
    // Every series the servers sent names its instance; the exporter's own do not.
    for (const k of series.keys()) {
      if (/^(http|heavy|nodejs)_/.test(k)) assert.match(k, /service_instance="lab-[ab]"/, k);
    }
  });

  it('records every request in the latency histogram, with the 100 us..10 s buckets and sub-millisecond sums', async () => {
    const series = await scrapeExporter();
    for (const [counter, count] of EXPECTED_REQUESTS) {
      const labels = counter.slice('http_requests_total'.length);
      assert.equal(series.get(`http_request_duration_seconds_count${labels}`), count, labels);
      const buckets = [...series.keys()].filter((k) => k.startsWith('http_request_duration_seconds_bucket{') && k.replace(/,?le="[^"]*"/, '').endsWith(labels));
      assert.deepEqual(
        buckets.map((k) => /le="([^"]+)"/.exec(k)![1]).sort((a, b) => Number(a) - Number(b)),
        BUCKETS,
      );
      assert.equal(series.get(`http_request_duration_seconds_bucket{${[...labels.slice(1, -1).split(','), 'le="+Inf"'].sort().join(',')}}`), count);
    }
    const hello = key('http_request_duration_seconds_sum', requestLabels('/hello', 'GET', 200, 'none', 'none'));
    const helloSum = series.get(hello)!;
    // Whole milliseconds would make this 0; a /hello takes microseconds in the handler.
    assert.ok(helloSum > 0 && helloSum < 9 * 0.005, `sum of 9 /hello durations: ${helloSum} s`);
    const first = key('http_request_duration_seconds_bucket', { ...requestLabels('/hello', 'GET', 200, 'none', 'none'), le: '0.001' });
    assert.ok(series.get(first)! >= 1, 'at least one /hello under 1 ms');
    // The long pool request took longer than the shed one and than the small ones.
    const longSum = series.get(key('http_request_duration_seconds_sum', requestLabels(HEAVY, 'GET', 200, 'js', 'pool')))!;
    const shedSum = series.get(key('http_request_duration_seconds_sum', requestLabels(HEAVY, 'GET', 503, 'js', 'pool')))!;
    assert.ok(longSum > shedSum, `long ${longSum} s vs shed ${shedSum} s`);
  });

  it('records stage durations per engine and mode, a shed counter by reason, and the process gauges', async () => {
    const series = await scrapeExporter();
    const stages = [...series].filter(([k]) => k.startsWith('heavy_stage_duration_seconds_count{'));
    const expected: Array<[string, string, number, string]> = [
      ['js', 'inline', 3, A],
      ['node-crypto', 'pool', 2, A],
      ['js', 'pool', 1, A],
      ['js', 'inline', 2, B],
    ];
    assert.deepEqual(
      new Map(stages),
      new Map(
        expected.flatMap(([engine, mode, n, instance]) =>
          ['sieve', 'hash', 'io', 'queue_wait'].map((stage) => [key('heavy_stage_duration_seconds_count', { engine, mode, stage, service_instance: instance }), n] as const),
        ),
      ),
    );
    assert.equal(series.get(key('http_requests_shed_total', { reason: 'queue_full', service_instance: A })), 1);
    assert.equal(series.get(key('http_requests_shed_total', { reason: 'deadline', service_instance: A })), 0);
    assert.equal(series.get(key('http_requests_shed_total', { reason: 'queue_full', service_instance: B })), 0);
    const g = (name: string, instance: string) => key(name, { service_instance: instance });
    const gauges = await eventually('idle gauges of both instances', async () => {
      const s = await scrapeExporter();
      return [A, B].every((i) => s.get(g('http_requests_in_flight', i)) === 0 && s.get(g('heavy_queue_depth', i)) === 0) ? s : undefined;
    });
    for (const instance of [A, B]) {
      for (const name of ['nodejs_eventloop_lag_p50_seconds', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_eventloop_lag_max_seconds']) {
        const v = gauges.get(g(name, instance));
        assert.ok(v !== undefined && v >= 0 && v < 5, `${name} of ${instance} = ${v}`);
      }
      assert.ok(gauges.get(g('nodejs_process_resident_memory_bytes', instance))! > 20e6);
      assert.ok(gauges.get(g('nodejs_heap_size_used_bytes', instance))! > 1e6);
      assert.ok(gauges.get(g('nodejs_heap_size_total_bytes', instance))! >= gauges.get(g('nodejs_heap_size_used_bytes', instance))!);
      assert.ok(gauges.get(g('nodejs_process_cpu_seconds_total', instance))! > 0);
    }
    // Every line the server sent had a mapping and parsed cleanly.
    assert.equal(gauges.get('statsd_exporter_events_unmapped_total'), 0);
    for (const [k, v] of gauges) if (k.startsWith('statsd_exporter_sample_errors_total') || k.startsWith('statsd_exporter_events_conflict_total')) assert.equal(v, 0, k);
  });

  it('keeps parameter values and URLs out of every label', async () => {
    const series = await scrapeExporter();
    const values = new Set([...series.keys()].flatMap((k) => [...k.matchAll(/(route|engine|mode|method|status|stage|reason)="([^"]*)"/g)].map((m) => `${m[1]}=${m[2]}`)));
    assert.deepEqual([...values].filter((v) => v.startsWith('route=')).sort(), ['route=/*', `route=${HEAVY}`, 'route=/heavy/health/', 'route=/hello']);
    for (const k of series.keys()) assert.doesNotMatch(k, /secret|prime_limit|60000000|no\/such/, k);
  });

  it('reaches Prometheus: both targets up, the same counts through the query API', async () => {
    const up = await eventually('both targets scraped', async () => {
      const r = await promQuery('up');
      return r.length === 2 && r.every((s) => s.value[1] === '1') ? r : undefined;
    });
    assert.deepEqual(up.map((s) => s.metric['job']).sort(), ['prometheus', 'statsd_exporter']);
    const counts = await eventually('the request counts in Prometheus', async () => {
      const r = await promQuery('http_requests_total');
      const got = new Map(
        r.map((s) => [key('http_requests_total', Object.fromEntries(Object.entries(s.metric).filter(([l]) => !['__name__', 'job', 'instance'].includes(l)))), Number(s.value[1])]),
      );
      return [...EXPECTED_REQUESTS, ...EXPECTED_B].every(([k, v]) => got.get(k) === v) ? got : undefined;
    });
    assert.deepEqual(counts, new Map([...EXPECTED_REQUESTS, ...EXPECTED_B]));
    // Scoped by instance, as make compare asks: the other server's traffic is simply not counted.
    const byInstance = await promQuery('sum by (service_instance) (http_requests_total)');
    assert.deepEqual(Object.fromEntries(byInstance.map((s) => [s.metric['service_instance'], Number(s.value[1])])), { [A]: 19 + healthRequests, [B]: 6 });
    const byEngine = await promQuery(`sum by (engine) (http_request_duration_seconds_count{service_instance="${A}"})`);
    assert.deepEqual(Object.fromEntries(byEngine.map((s) => [s.metric['engine'], Number(s.value[1])])), { none: 12 + healthRequests, js: 5, 'node-crypto': 2 });
    // The README's p99-by-engine query is valid PromQL against these series.
    await promQuery('histogram_quantile(0.99, sum by (engine, le) (rate(http_request_duration_seconds_bucket{route="/heavy/cpu-io-no-db/"}[1m])))');
  });

  it("the Grafana dashboard's queries are valid PromQL over metrics that exist", async () => {
    const dashboard = JSON.parse(readFileSync(join(ROOT, 'monitoring/grafana-dashboard.json'), 'utf8')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
    const exposed = new Set([...(await scrapeExporter()).keys()].map((k) => k.replace(/\{.*/, '')));
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    assert.ok(exprs.length >= 10);
    for (const expr of exprs) {
      for (const [name] of expr.matchAll(/\b(?:http|heavy|nodejs)_[a-z0-9_]+/g)) assert.ok(exposed.has(name), `${expr}: ${name} is not exposed`);
      // Grafana's $__rate_interval becomes a duration before the query reaches Prometheus.
      await promQuery(expr.replaceAll('$__rate_interval', '1m'));
    }
  });
});
