/**
 * The per-step Prometheus numbers against the real programs: a real statsd_exporter (the
 * repository's statsd.conf) scraped every second by a real Prometheus, on free loopback ports of
 * this test's own. StatsD counts are sent as the server sends them (once a second per series),
 * in two steps spaced as the step runner spaces them; each step's window must count exactly its
 * own requests, and not the runner's /heavy/health/ polls. Run by `make test-compare`.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { freePort, repoRoot } from '../lab/index.js';
import type { StepRecord } from './measure/manifest.js';
import { foreignAnswers, prometheusTrust } from './analyse/prometheus-trust.js';
import { METRICS_LAG_MS, Prometheus, queryPrometheus } from './measure/prometheus.js';

const ROOT = repoRoot();
const children: ChildProcess[] = [];
let dir = '';
let prom: Prometheus;
let statsdPort = 0;

function start(command: string, args: string[]): void {
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.resume();
  children.push(child);
}

process.once('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lab-prom-'));
  statsdPort = await freePort();
  const exporterWeb = await freePort();
  const promPort = await freePort();
  writeFileSync(
    join(dir, 'prom.yml'),
    `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: statsd_exporter\n    static_configs:\n      - targets: ['127.0.0.1:${exporterWeb}']\n`,
  );
  start(join(ROOT, '.tools/bin/statsd_exporter'), [
    '--statsd.mapping-config=statsd.conf',
    `--statsd.listen-udp=127.0.0.1:${statsdPort}`,
    '--statsd.listen-tcp=',
    `--web.listen-address=127.0.0.1:${exporterWeb}`,
  ]);
  start('prometheus', [`--config.file=${join(dir, 'prom.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`]);
  prom = new Prometheus(`http://127.0.0.1:${promPort}`);
  for (let i = 0; ; i++) {
    if ((await prom.query('up{job="statsd_exporter"}', Date.now())) === 1) break;
    if (i > 120) throw new Error('Prometheus did not scrape statsd_exporter within 60 s');
    await sleep(500);
  }
});

after(async () => {
  for (const c of children) c.kill('SIGTERM');
  await sleep(500);
  rmSync(dir, { recursive: true, force: true });
});

/** Sends what the server sends in one flush: the load's count and the runner's health polls. */
async function flush(socket: ReturnType<typeof createSocket>, hello: number, foreignHeavy = 0): Promise<void> {
  const lines = [
    `http.requests:${hello}|c|#route:/hello,method:GET,status:200,engine:none,mode:none`,
    'http.requests:4|c|#route:/heavy/health/,method:GET,status:200,engine:none,mode:none',
  ];
  // Another service on the same exporter, answering heavy requests no /hello step sends.
  if (foreignHeavy > 0) lines.push(`http.requests:${foreignHeavy}|c|#route:/heavy/cpu-io-no-db/,method:GET,status:200,engine:native,mode:inline`);
  await new Promise<void>((resolve, reject) => socket.send(lines.join('\n'), statsdPort, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
}

/** One step as the runner records it: `seconds` flushes of `perSecond` answers, a second apart. */
async function sendStep(socket: ReturnType<typeof createSocket>, id: string, seconds: number, perSecond: number, foreignPerSecond = 0): Promise<StepRecord> {
  const startMs = Date.now();
  for (let i = 0; i < seconds; i++) {
    await sleep(1000);
    await flush(socket, perSecond, foreignPerSecond);
  }
  return { id, scenario: 'hello', engine: null, mode: null, startMs, endMs: Date.now(), generators: [{ tool: 'vegeta' }], prometheus: {} } as unknown as StepRecord;
}

test('each step window counts its own answers exactly, with the runner spacing steps by METRICS_LAG_MS', async () => {
  const socket = createSocket('udp4');
  try {
    // Traffic before the first step (verification, a primer).
    await flush(socket, 37);
    await sleep(METRICS_LAG_MS);
    // Step A: 3 s at 400/s, flushed once a second as the server does.
    const a = await sendStep(socket, 'A', 3, 400);
    // Step B begins as soon as the runner allows: METRICS_LAG_MS after A's traffic.
    await sleep(METRICS_LAG_MS);
    const b = await sendStep(socket, 'B', 2, 2500);
    // Step C: another service sends to the same exporter meanwhile.
    await sleep(METRICS_LAG_MS);
    const c = await sendStep(socket, 'C', 2, 300, 40);
    await queryPrometheus(prom, [a, b, c]);
    assert.equal(a.prometheus['answered']?.value, 1200, a.prometheus['answered']?.query);
    assert.equal(b.prometheus['answered']?.value, 5000, b.prometheus['answered']?.query);
    assert.equal(prometheusTrust(a.prometheus['answered']?.value, 1200).trusted, true);
    assert.equal(prometheusTrust(b.prometheus['answered']?.value, 5000, foreignAnswers(b)).trusted, true);
    assert.deepEqual(foreignAnswers(a), { count: 0, what: [] });
    // The other sender is seen by its labels, and named as the cause.
    assert.equal(c.prometheus['answered']?.value, 680);
    // The run compares this at its start and end to tell a restarted (emptied) Prometheus.
    assert.match((await prom.startTime()) ?? '', /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(foreignAnswers(c), { count: 80, what: ['80 x /heavy/cpu-io-no-db/ native/inline'] });
    const trust = prometheusTrust(c.prometheus['answered']?.value, 600, foreignAnswers(c));
    assert.equal(trust.trusted, false);
    assert.deepEqual(trust.distrust, { kind: 'foreign', scoped: false, what: ['80 x /heavy/cpu-io-no-db/ native/inline'] });
    // No 5xx series at all: no number (null), not a made-up 0.
    assert.equal(a.prometheus['answered5xx']?.value, null);
  } finally {
    socket.close();
  }
});
