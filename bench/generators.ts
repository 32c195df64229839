/**
 * make bench-generators: how many /hello requests per second each open-model load generator can
 * send from ONE core, measured against the barest uWS server (peers/uws-bare/server.ts) on the other core.
 * A capacity measured with a generator is only the service's when the generator's own ceiling is
 * above it; this prints that ceiling for pacer (compare's), oha, vegeta and (when installed) h2load.
 *
 * Method: the server pinned to CPU 1, the generator to CPU 0; constant arrival rates from RATES,
 * each for SECONDS; a rate is held when the generator sent >= 97% of it with no error and a median
 * latency under 5 ms (pacer and oha time each request from when it was due, so a generator that
 * falls behind shows a growing median, not only a lower rate; vegeta and h2load from the send). The ceiling is the
 * highest rate held below the first one missed. A second ceiling is judged as compare judges a
 * /hello step, p99 under the objective: the generator's own tail bounds a capacity before its
 * pace does. pacer runs exactly as compare runs it (pacerArgs), oha as compare ran it before (ohaArgs). Generator and server CPU are read from
 * the kernel for every step. compare measures the same ceiling in every run (its uws-bare peer);
 * this bench isolates it, one core each.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { echo, environment, processCpuSec, REPO, startPinned } from './lib/processes.js';
import { HELLO_SLO_P99_MS } from '../lab/facts.js';
import { ohaArgs, parseOha } from '../lab/generators/oha.js';
import { H2LOAD_CLIENTS, h2loadArgs, summarizeH2load } from './lib/h2load.js';
import { pacerArgs, parsePacer } from '../lab/generators/pacer.js';
import { attackArgs, parseVegetaReport } from '../lab/generators/vegeta.js';

const SECONDS = Number(process.env['SECONDS'] ?? 5);
const RATES = (process.env['RATES'] ?? '2500,5000,10000,20000,30000,40000,50000,60000,70000,80000,100000,120000').split(',').map(Number);
const GENERATORS = (process.env['GENERATORS'] ?? 'pacer,oha,vegeta,h2load').split(',');
const PACER = `${REPO}target/release/pacer`;
/** compare's /hello objective: the rate up to which a generator's own tail stays inside it. */
const SLO_P99_MS = HELLO_SLO_P99_MS;
const SERVER_CPU = 1;
const LOAD_CPU = 0;
const HOLD = 0.97;
const MAX_P50_MS = 5;
const TOOLS = `${REPO}.tools/bin`;

interface Step {
  readonly rate: number;
  readonly sentRate: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly errors: number;
  readonly generatorCpu: number;
  readonly serverCpu: number;
}

/** Runs argv pinned to LOAD_CPU; its stdout, wall seconds and CPU seconds (bash's `times` of its waited child). */
async function measured(argv: readonly string[]): Promise<{ stdout: string; wallSec: number; cpuSec: number; code: number }> {
  const full = ['taskset', '-c', String(LOAD_CPU), ...argv];
  echo(full.join(' '));
  const started = performance.now();
  const child = spawn('bash', ['-c', '"$@"; rc=$?; times >&2; exit $rc', 'gen', ...full], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? -1)));
  const wallSec = (performance.now() - started) / 1000;
  // The last two lines of stderr: bash's own times, then its children's.
  const m = /(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s\s*$/.exec(stderr.trim());
  const cpu = m ? Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]) : Number.NaN;
  if (code !== 0) console.log(`    exit ${code}: ${stderr.trim().split('\n').slice(0, 3).join(' | ')}`);
  return { stdout, wallSec, cpuSec: cpu, code };
}

type Run = (url: string, rate: number, dir: string) => Promise<Omit<Step, 'rate' | 'serverCpu' | 'generatorCpu'> & { wallSec: number; cpuSec: number }>;

const runners: Record<string, Run> = {
  async pacer(url, rate) {
    const r = await measured(pacerArgs(PACER, url, rate, SECONDS, 10)); // exactly as compare runs it
    const s = parsePacer(r.stdout);
    return { sentRate: s.sentRate, p50Ms: s.latencyMs.p50, p99Ms: s.latencyMs.p99, errors: s.requests - Math.round(s.success * s.requests), wallSec: r.wallSec, cpuSec: r.cpuSec };
  },
  async oha(url, rate) {
    const r = await measured(ohaArgs(`${TOOLS}/oha`, url, rate, SECONDS, 10)); // exactly as compare runs it
    const s = parseOha(r.stdout, SECONDS);
    return { sentRate: s.sentRate, p50Ms: s.latencyMs.p50, p99Ms: s.latencyMs.p99, errors: s.requests - Math.round(s.success * s.requests), wallSec: r.wallSec, cpuSec: r.cpuSec };
  },
  async vegeta(url, rate, dir) {
    const bin = join(dir, 'vegeta.bin');
    const targets = join(dir, 'targets.txt');
    writeFileSync(targets, `GET ${url}\n`);
    const r = await measured([...attackArgs(`${TOOLS}/vegeta`, targets, { perSecond: rate }, SECONDS, 10, false), `-output=${bin}`]); // as compare runs it
    const s = parseVegetaReport(execFileSync(`${TOOLS}/vegeta`, ['report', '-type=json', bin], { encoding: 'utf8' }));
    return { sentRate: s.sentRate, p50Ms: s.latencyMs.p50, p99Ms: s.latencyMs.p99, errors: s.requests - Math.round(s.success * s.requests), wallSec: r.wallSec, cpuSec: r.cpuSec };
  },
  async h2load(url, rate, dir) {
    // Percentiles from its per-request log, timed from each request's send (bench/lib/h2load.ts).
    const log = join(dir, 'h2load.log');
    rmSync(log, { force: true }); // h2load appends to its log
    const r = await measured(h2loadArgs('h2load', url, rate, SECONDS, log));
    const out = join(dir, 'h2load.txt');
    writeFileSync(out, r.stdout);
    return { ...summarizeH2load(out, log, SECONDS), wallSec: r.wallSec, cpuSec: r.cpuSec };
  },
};

const available = (g: string) => {
  try {
    if (g === 'h2load') return spawnSync('h2load', ['--version']).status === 0;
    if (g === 'pacer') return spawnSync(PACER, ['--version']).status === 0;
    readFileSync(`${TOOLS}/${g}`);
    return true;
  } catch {
    return false;
  }
};

console.log(`# bench-generators: the open-model ceiling of each load generator on ONE core, against a bare uWS /hello`);
console.log(
  `method: server (peers/uws-bare/server.ts) pinned to CPU ${SERVER_CPU}, generator to CPU ${LOAD_CPU}; ${SECONDS} s per rate; a rate is held when >= ${HOLD * 100}% of it was sent, no error, median < ${MAX_P50_MS} ms; pacer exactly as make compare runs it, oha as compare ran it before, h2load on ${H2LOAD_CLIENTS} clients (vegeta's and h2load's latency counts from the send, not from when a request was due)`,
);
console.log('environment:', JSON.stringify(environment()));
const dir = mkdtempSync(join(tmpdir(), 'bench-generators-'));
const server = await startPinned(`${REPO}dist/peers/uws-bare/server.js`, SERVER_CPU);
const url = `${server.url}/hello`;
const ceilings: Record<string, { ceiling: number; at: Step | null; withinSlo: number; sloAt: Step | null }> = {};
try {
  for (const g of GENERATORS) {
    if (!runners[g] || !available(g)) {
      console.log(`\n## ${g}: not installed, skipped`);
      continue;
    }
    console.log(`\n## ${g}`);
    let best: Step | null = null;
    let bestSlo: Step | null = null;
    let sloMissed = false;
    for (const rate of RATES) {
      const before = processCpuSec(server.pid);
      const r = await runners[g]!(url, rate, dir);
      const serverCpu = (processCpuSec(server.pid) - before) / r.wallSec;
      const step: Step = { rate, sentRate: r.sentRate, p50Ms: r.p50Ms, p99Ms: r.p99Ms, errors: r.errors, generatorCpu: r.cpuSec / r.wallSec, serverCpu };
      const held = step.sentRate >= HOLD * rate && step.errors === 0 && (step.p50Ms === null || step.p50Ms < MAX_P50_MS);
      const inSlo = held && step.p99Ms !== null && step.p99Ms < SLO_P99_MS;
      const f = (v: number | null) => (v === null ? 'n/a' : v.toFixed(2));
      console.log(
        `  ${held ? (inSlo ? 'held  ' : 'held, p99 over objective') : 'missed'} rate ${rate}: sent ${step.sentRate.toFixed(0)}/s, p50 ${f(step.p50Ms)} ms, p99 ${f(step.p99Ms)} ms, errors ${step.errors}, generator CPU ${step.generatorCpu.toFixed(2)}, server CPU ${step.serverCpu.toFixed(2)}`,
      );
      if (!held) break;
      best = step;
      // The objective's ceiling is the highest rate below the first one over it, as compare's search reads it.
      if (!inSlo) sloMissed = true;
      else if (!sloMissed) bestSlo = step;
      await new Promise((res) => setTimeout(res, 1000)); // let TIME_WAIT sockets and the server settle
    }
    ceilings[g] = { ceiling: best?.rate ?? 0, at: best, withinSlo: bestSlo?.rate ?? 0, sloAt: bestSlo };
  }
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
const cell = (v: number) => (v > 0 ? `>= ${v}` : `< ${RATES[0]}`);
const n2 = (v: number | null | undefined) => (v == null ? 'n/a' : v.toFixed(2));
console.log(
  `\n| generator | keeps pace on one core, req/s | p50 there, ms | p99 there, ms | generator CPU | bare uWS CPU | within compare's /hello objective (p99 < ${SLO_P99_MS} ms), req/s |\n|---|---:|---:|---:|---:|---:|---:|`,
);
for (const [g, c] of Object.entries(ceilings)) {
  const a = c.at;
  console.log(
    `| ${g} | ${cell(c.ceiling)} | ${n2(a?.p50Ms)} | ${n2(a?.p99Ms)} | ${a ? a.generatorCpu.toFixed(2) : '-'} | ${a ? a.serverCpu.toFixed(2) : '-'} | ${g === 'oha' || g === 'pacer' ? cell(c.withinSlo) : `${cell(c.withinSlo)} (from the send)`} |`,
  );
}
console.log(
  `\n(">= X": held at X, missed the next rate tried, ${RATES.join(', ')}; where the server CPU reached ~1.0 the ceiling is the server's, not the generator's. "Keeps pace": it sent what was asked, on time (median). The objective column is what bounds a /hello capacity in make compare, which measures this ceiling again in every run with its bare uWS peer.)`,
);
