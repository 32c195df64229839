/**
 * /hello: primer, warm-up, the open-model capacity search on the plan's generator (h2load,
 * compare/h2load.ts, or oha, compare/oha.ts: vegeta on one core runs out long before one uWS core
 * does), then wrk's closed-loop maximum.
 */
import { join } from 'node:path';
import { capacityBound, capacityText } from '../bound.js';
import { sleep } from '../exec.js';
import { stepLine, type Run } from '../runner.js';
import type { SearchPlan } from '../plan.js';
import { CapacitySearch, roundHelloRate } from '../search.js';
import { ohaArgs, ohaPath, summarizeOha } from '../oha.js';
import { h2loadArgs, h2loadPath, summarizeH2load } from '../h2load.js';
import type { StepRecord } from '../manifest.js';
import type { VegetaSummary } from '../vegeta.js';

/** Seconds a connection may sit idle before the generator gives up on it. */
const TIMEOUT_SEC = 5;

/**
 * Runs one constant-rate /hello step of `stem` on the plan's generator, keeping its raw output in
 * the step's files, and returns its summary.
 */
async function step(run: Run, st: StepRecord, dir: string, stem: string, url: string, rate: number, sec: number): Promise<{ s: VegetaSummary; runs: Awaited<ReturnType<Run['measure']>> }> {
  if (run.plan.hello.generator === 'oha') {
    st.files.oha = run.rel(join(dir, `${stem}.json`));
    const runs = await run.measure(st, [{ tool: 'oha', argv: ohaArgs(ohaPath(), url, rate, sec, TIMEOUT_SEC), out: join(run.dir, st.files.oha) }]);
    return { s: summarizeOha(join(run.dir, st.files.oha), sec), runs };
  }
  st.files.h2load = run.rel(join(dir, `${stem}.h2load.txt`));
  st.files.h2loadLog = run.rel(join(dir, `${stem}.h2load.log`));
  const runs = await run.measure(st, [{ tool: 'h2load', argv: h2loadArgs(h2loadPath(), url, rate, sec, TIMEOUT_SEC, join(run.dir, st.files.h2loadLog)), out: join(run.dir, st.files.h2load) }]);
  try {
    return { s: summarizeH2load(join(run.dir, st.files.h2load), join(run.dir, st.files.h2loadLog), rate, sec), runs };
  } catch (err) {
    // A generator that died or printed no summary: a step with no answers, and the reason why.
    const none = { min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 };
    return { s: { requests: 0, sentRate: 0, throughput: 0, success: 0, durationSec: 0, latencyMs: none, statusCodes: {}, errors: [`h2load: ${(err as Error).message.slice(0, 200)}`] }, runs };
  }
}
import { failureReasons, generatorLimited, helloPasses, machineLoad } from '../verdict.js';

/** Rest after a failed /hello step, before the next one. */
const SETTLE_AFTER_FAILURE_MS = 5000;

/** Returns the /hello capacity found (0 when no step passed). `search` overrides the plan's (a peer's ladder). */
export async function hello(run: Run, search: Partial<SearchPlan> = {}): Promise<number> {
  const p = { ...run.plan.hello, search: { ...run.plan.hello.search, ...search } };
  const dir = run.runsDir('hello');
  const url = run.helloUrl;
  // Primer: one request that must answer as expected before any load.
  await run.quiet();
  run.log(`GET ${url}`);
  const res = await fetch(url);
  const text = await res.text();
  if (res.status !== 200 || text !== 'Hello, World!') throw new Error(`/hello primer answered ${res.status} "${text.slice(0, 80)}"`);
  run.trafficDone();
  const warm = run.newStep('hello-warmup', null, null, 'hello-warmup');
  warm.rate = p.warmupRate;
  warm.durationSec = p.warmupSec;
  await step(run, warm, dir, 'warmup', url, p.warmupRate, p.warmupSec);

  const capacitySearch = new CapacitySearch(p.search, roundHelloRate);
  const ids: string[] = [];
  for (let rate = capacitySearch.next(); rate !== null; rate = capacitySearch.next()) {
    const st = run.newStep('hello', null, null, `hello-${rate}rps`);
    st.rate = rate;
    st.durationSec = p.stepSec;
    const { s, runs } = await step(run, st, dir, st.id, url, rate, p.stepSec);
    const pass = helloPasses(s, p.sloP99Ms);
    const limited = generatorLimited(st.generators, s, rate, machineLoad(st, run.genCpu), p.sloP99Ms);
    ids.push(st.id);
    // A collapsed step leaves thousands of sockets in TIME_WAIT and a StatsD backlog: give the
    // machine a moment, or the next step measures the residue.
    if (!pass || limited) await sleep(SETTLE_AFTER_FAILURE_MS, run.abort.signal);
    stepLine(`hello ${rate}/s`, s, pass, limited, runs, failureReasons(s, { p99: p.sloP99Ms }), machineLoad(st, run.genCpu));
    capacitySearch.record({ rate, pass, generatorLimited: limited });
  }
  const r = capacitySearch.result();
  run.manifest.searches.push({ ...(run.target === 'lab' ? {} : { target: run.target }), scenario: 'hello', engine: null, mode: null, estimate: null, end: r.end, stepIds: ids });
  console.log(`== ${run.target === 'lab' ? '' : `${run.target} `}/hello capacity: ${capacityText(r.capacity, capacityBound(r.end, r.firstFailure))} (search end: ${r.end})`);

  const wrkStep = run.newStep('hello-wrk', null, null, 'hello-wrk');
  wrkStep.durationSec = p.wrk.durationSec;
  wrkStep.files.wrk = run.rel(join(dir, 'wrk.txt'));
  const argv = [run.wrk, `-t${p.wrk.threads}`, `-c${p.wrk.connections}`, `-d${p.wrk.durationSec}s`, '--latency', url];
  await run.measure(wrkStep, [{ tool: 'wrk', argv, out: join(run.dir, wrkStep.files.wrk) }]);
  return r.capacity;
}
