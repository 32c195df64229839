/**
 * `make smoke` and `make load`: the seed's smoke test and ramp, on vegeta, with the seed's
 * thresholds. Options come from the environment (loadtests/config.ts); the run checks the service's
 * health and one answer first, runs the plan's slices (loadtests/plan.ts), keeps every raw result,
 * then computes the verdict from those results alone (loadtests/thresholds.ts).
 *
 *   node dist/loadtests/run.js smoke|load
 *   node dist/loadtests/run.js verdict reports/loadtests/<run>   # recompute from kept results
 *
 * Exit status: 0 every threshold met, 1 a threshold missed, 2 the run could not be made.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { heavyUrl, OptionError, readOptions, type LoadOptions, type Scenario } from './config.js';
import { attackArgs, offeredRate, planDurationSec, slicePlan, type Slice } from './plan.js';
import { vegetaPath, vegetaResults } from '../lab/generators/vegeta.js';
import { evaluate, formatValue, requestResult, tally, verdictLines, type RequestResult, type Tally, type Verdict } from './thresholds.js';

class CannotRun extends Error {}

interface Health {
  engines?: Record<string, { available: boolean; reason?: string }>;
  limits?: { cpus: number | null; memory_bytes: number | null };
}

/** The service must answer its health check, offer IMPL, and answer one heavy request right. */
async function preflight(o: LoadOptions): Promise<{ health: Health; primesFound: number }> {
  const get = async (url: string) => {
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(o.timeoutSec * 1000) });
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    } catch (err) {
      throw new CannotRun(`no answer from ${url}: ${(err as Error).message} (start the service with \`make run-constrained\` or \`make run\` on this HOST/PORT)`);
    }
  };
  const h = await get(`${o.baseUrl}/heavy/health/`);
  if (h.status !== 200) throw new CannotRun(`${o.baseUrl}/heavy/health/ answered ${h.status}`);
  const health = h.body as Health;
  const engine = health.engines?.[o.impl];
  if (!engine?.available) throw new CannotRun(`engine "${o.impl}" is not available on ${o.baseUrl}: ${engine?.reason ?? 'unknown to the service'}`);
  const primer = await get(heavyUrl(o));
  if (primer.status !== 200 || typeof primer.body['primes_found'] !== 'number') {
    throw new CannotRun(`the primer request answered ${primer.status}: ${JSON.stringify(primer.body)}`);
  }
  return { health, primesFound: primer.body['primes_found'] };
}

/** Runs one vegeta attack; resolves with its exit status and stderr. */
function attack(vegeta: string, args: readonly string[], children: Set<ReturnType<typeof spawn>>): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(vegeta, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    children.add(child);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d));
    child.on('error', (err) => done({ code: -1, stderr: err.message }));
    child.on('close', (code) => {
      children.delete(child);
      done({ code: code ?? -1, stderr: stderr.trim() });
    });
  });
}

/** Each slice's results, decoded from its kept .bin file. */
async function decode(vegeta: string, file: string): Promise<RequestResult[]> {
  const out: RequestResult[] = [];
  for await (const r of vegetaResults(vegeta, file)) out.push(requestResult(r));
  return out;
}

interface Plan {
  readonly options: LoadOptions;
  readonly slices: readonly Slice[];
  readonly commands: readonly string[];
  readonly primesFound: number;
  readonly limits: Health['limits'] | null;
  readonly vegeta: string;
}

const sliceFile = (i: number) => `slice-${String(i).padStart(3, '0')}.bin`;

function describe(o: LoadOptions): string {
  const pace =
    o.model === 'open'
      ? `open model: VUs / ${o.thinkSec} s arrivals per second`
      : o.thinkSec === 0
        ? 'closed model: VUs back to back'
        : `closed model: VUs with ${o.thinkSec} s think time`;
  const scaled = o.scale === 1 ? '' : `, stages x${o.scale.toFixed(3).replace(/\.?0+$/, '')}`;
  return `${o.scenario}: impl=${o.impl} mode=${o.mode}, ${pace}${scaled}, against ${o.baseUrl}`;
}

/** Runs the plan: each slice's vegeta starts at its time (a slice's last answers arrive beside the next one's first requests). */
async function execute(plan: Plan, dir: string): Promise<void> {
  const children = new Set<ReturnType<typeof spawn>>();
  const stop = () => {
    for (const c of children) c.kill('SIGTERM');
    console.error('\ninterrupted: the slices run so far are kept in', dir);
    process.exit(130);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const t0 = performance.now();
  const runs: Promise<void>[] = [];
  const failures: string[] = [];
  for (const s of plan.slices) {
    const wait = t0 + s.startSec * 1000 - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const rate = offeredRate(plan.options, s.vus);
    console.log(
      `[${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] slice ${s.index + 1}/${plan.slices.length} (stage ${s.stage + 1}): ${s.vus} VUs for ${s.durationSec.toFixed(1)} s${rate === null ? '' : `, at most ${rate.toFixed(1)} req/s`}`,
    );
    const args = attackArgs(plan.options, s, join(dir, 'targets.txt'), join(dir, sliceFile(s.index)));
    runs.push(
      attack(plan.vegeta, args, children).then((r) => {
        if (r.code !== 0) failures.push(`slice ${s.index + 1}: vegeta exited ${r.code}: ${r.stderr}`);
      }),
    );
  }
  await Promise.all(runs);
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  if (failures.length > 0) throw new CannotRun(failures.join('\n'));
}

interface StageRow {
  readonly stage: number;
  readonly vus: string;
  readonly durationSec: number;
  readonly tally: Tally;
}

/** Recomputes the verdict of a run folder from its plan.json and kept .bin files. */
export async function verdictOf(dir: string, vegeta = vegetaPath()): Promise<{ text: string; verdict: Verdict; overall: Tally; stages: StageRow[] }> {
  const plan = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as Plan;
  const all: RequestResult[] = [];
  const byStage = new Map<number, RequestResult[]>();
  for (const s of plan.slices) {
    const file = join(dir, sliceFile(s.index));
    if (!existsSync(file)) throw new CannotRun(`${file} is missing: the run did not finish`);
    const rs = await decode(vegeta, file);
    all.push(...rs);
    byStage.set(s.stage, [...(byStage.get(s.stage) ?? []), ...rs]);
  }
  const overall = tally(all, plan.primesFound);
  const verdict = evaluate(overall);
  const o = plan.options;
  const stages: StageRow[] = [...byStage.entries()].map(([stage, rs]) => {
    const sl = plan.slices.filter((s) => s.stage === stage);
    const vus = [...new Set(sl.map((s) => s.vus))];
    return { stage, vus: vus.length === 1 ? String(vus[0]) : `${vus[0]}..${vus.at(-1)}`, durationSec: o.stages[stage]!.durationSec, tally: tally(rs, plan.primesFound) };
  });
  const codes = Object.entries(overall.statusCodes)
    .map(([c, n]) => `${c === '0' ? 'no answer' : c}: ${n}`)
    .join(', ');
  const limits = plan.limits
    ? `service limits: cpus=${plan.limits.cpus ?? 'none'} memory=${plan.limits.memory_bytes === null ? 'none' : `${Math.round(plan.limits.memory_bytes / 2 ** 20)} MiB`}`
    : 'service limits: unknown';
  const lines = [
    describe(o),
    `  ${limits}; workload prime_limit=${o.workload.primeLimit} hash_rounds=${o.workload.hashRounds} io_kb=${o.workload.ioKb}`,
    `  ${overall.requests} requests over ${overall.spanSec.toFixed(1)} s (${overall.sentRate.toFixed(1)} req/s sent); ${codes}; max latency ${formatValue(overall.maxMs, 'ms')}`,
  ];
  if (stages.length > 1) {
    lines.push('  stage  VUs          s   requests   req/s      p50 ms     p95 ms     p99 ms  throttled  5xx  no answer');
    for (const r of stages) {
      const m = r.tally.measured;
      const f = (v: number) => (Number.isNaN(v) ? 'n/a' : v.toFixed(1)).padStart(10);
      lines.push(
        `  ${String(r.stage + 1).padStart(5)}  ${r.vus.padEnd(10)} ${r.durationSec.toFixed(0).padStart(4)} ${String(r.tally.requests).padStart(10)} ${(r.tally.requests / r.durationSec).toFixed(1).padStart(7)} ${f(m.p50_ms)} ${f(m.p95_ms)} ${f(m.p99_ms)} ${String(m.throttled).padStart(10)} ${String(m.server_errors).padStart(4)} ${String(m.no_answer).padStart(10)}`,
      );
    }
  }
  lines.push(...verdictLines(verdict));
  if (o.model === 'closed') lines.push('  (closed model: a slow service gets fewer requests, which hides stalls; latency claims come from MODEL=open)');
  return { text: lines.join('\n'), verdict, overall, stages };
}

async function main(argv: readonly string[]): Promise<number> {
  const [cmd, arg] = argv;
  if (cmd === 'verdict' && arg) {
    const v = await verdictOf(arg);
    console.log(v.text);
    return v.verdict.passed ? 0 : 1;
  }
  if (cmd !== 'smoke' && cmd !== 'load') {
    console.error('usage: node dist/loadtests/run.js smoke|load   |   verdict <run folder>');
    return 2;
  }
  const o = readOptions(cmd as Scenario);
  const vegeta = vegetaPath();
  const slices = slicePlan(o.startVus, o.stages, o.sliceSec);
  console.log(describe(o));
  console.log(`plan: ${slices.length} slice(s), ${planDurationSec(slices).toFixed(0)} s; VUs ${slices.map((s) => s.vus).join(' ')}`);
  const { health, primesFound } = await preflight(o);
  console.log(`preflight: ${o.baseUrl} healthy, ${o.impl} available, primer answered primes_found=${primesFound}`);
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const dir = process.env['OUT']?.trim() || join('reports', 'loadtests', `${stamp}-${o.scenario}-${o.impl}-${o.mode}-${o.model}`);
  mkdirSync(dir, { recursive: true });
  if (readdirSync(dir).some((f) => f.endsWith('.bin'))) throw new CannotRun(`${dir} already holds results; give a new OUT`);
  writeFileSync(join(dir, 'targets.txt'), `GET ${heavyUrl(o)}\n`);
  const commands = slices.map((s) => [vegeta, ...attackArgs(o, s, join(dir, 'targets.txt'), join(dir, sliceFile(s.index)))].join(' '));
  const plan: Plan = { options: o, slices, commands, primesFound, limits: health.limits ?? null, vegeta };
  writeFileSync(join(dir, 'plan.json'), `${JSON.stringify(plan, null, 2)}\n`);
  await execute(plan, dir);
  const v = await verdictOf(dir, vegeta);
  writeFileSync(join(dir, 'summary.txt'), `${v.text}\n`);
  writeFileSync(
    join(dir, 'summary.json'),
    `${JSON.stringify({ passed: v.verdict.passed, thresholds: v.verdict.results.map((r) => ({ ...r.threshold, value: r.value, ok: r.ok })), overall: v.overall, stages: v.stages }, null, 2)}\n`,
  );
  console.log(`\n${v.text}\n  raw results, plan and summary: ${dir}`);
  return v.verdict.passed ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: Error) => {
      console.error(err instanceof OptionError || err instanceof CannotRun ? `cannot run: ${err.message}` : err.stack);
      process.exitCode = 2;
    },
  );
}
