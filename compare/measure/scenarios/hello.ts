/**
 * /hello: primer, warm-up, the open-model capacity search on pacer (lab/generators/pacer.ts: vegeta and
 * oha on one core run out, or cross the objective themselves, long before one uWS core does), then
 * wrk's closed-loop maximum.
 */
import { join } from 'node:path';
import { sleep } from '../exec.js';
import { stepLine, type Run } from '../runner.js';
import type { SearchPlan } from '../plan.js';
import { CapacitySearch, roundHelloRate } from '../search.js';
import { generatorLimited } from '../../../lab/generators/limited.js';
import { pacerArgs, pacerPath, summarizePacer } from '../../../lab/generators/pacer.js';
import type { StepSummary } from '../../../lab/generators/summary.js';
import { failureReasons, helloPasses, machineLoad, serviceCores, worthRepeating } from '../verdict.js';

/** A step whose generator died or printed nothing: no answers, and why. */
function pacerSummary(file: string): StepSummary {
  try {
    return summarizePacer(file);
  } catch (err) {
    const none = { min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 };
    return { requests: 0, sentRate: 0, throughput: 0, success: 0, durationSec: 0, latencyMs: none, statusCodes: {}, errors: [(err as Error).message.slice(0, 200)] };
  }
}

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
  const pacer = pacerPath();
  const warm = run.newStep('hello-warmup', null, null, 'hello-warmup');
  warm.rate = p.warmupRate;
  warm.durationSec = p.warmupSec;
  warm.files.pacer = run.rel(join(dir, 'warmup.json'));
  await run.measure(warm, [{ tool: 'pacer', argv: pacerArgs(pacer, url, p.warmupRate, p.warmupSec, 5), out: join(run.dir, warm.files.pacer) }]);

  const capacitySearch = new CapacitySearch(p.search, roundHelloRate);
  const ids: string[] = [];
  const quota = run.health?.limits?.cpus ?? 1;
  const measureAt = async (rate: number, repeatOf?: string) => {
    const step = run.newStep('hello', null, null, `hello-${rate}rps${repeatOf ? '-repeat' : ''}`);
    step.rate = rate;
    step.durationSec = p.stepSec;
    if (repeatOf) step.repeatOf = repeatOf;
    step.files.pacer = run.rel(join(dir, `${step.id}.json`));
    const runs = await run.measure(step, [{ tool: 'pacer', argv: pacerArgs(pacer, url, rate, p.stepSec, 5), out: join(run.dir, step.files.pacer) }]);
    const s = pacerSummary(join(run.dir, step.files.pacer));
    const pass = helloPasses(s, p.sloP99Ms);
    const limited = generatorLimited(step.generators, s, rate, machineLoad(step, run.genCpu)?.generatorCoreBusy ?? null, p.sloP99Ms);
    ids.push(step.id);
    // A collapsed step leaves thousands of sockets in TIME_WAIT and a StatsD backlog: give the
    // machine a moment, or the next step measures the residue.
    if (!pass || limited) await sleep(SETTLE_AFTER_FAILURE_MS, run.abort.signal);
    stepLine(`hello ${rate}/s${repeatOf ? ' (repeat)' : ''}`, s, pass, limited, runs, failureReasons(s, { p99: p.sloP99Ms }), machineLoad(step, run.genCpu));
    return { id: step.id, pass, generatorLimited: limited, serviceCpuCores: serviceCores(step) };
  };
  for (let rate = capacitySearch.next(); rate !== null; rate = capacitySearch.next()) {
    let outcome = await measureAt(rate);
    // A tail failure with CPU to spare is measured once more; the search takes the repeat's verdict.
    if (p.repeatSpareFailures && worthRepeating(outcome, quota)) outcome = await measureAt(rate, outcome.id);
    capacitySearch.record({ rate, pass: outcome.pass, generatorLimited: outcome.generatorLimited });
  }
  const r = capacitySearch.result();
  run.manifest.searches.push({ ...(run.target === 'lab' ? {} : { target: run.target }), scenario: 'hello', engine: null, mode: null, estimate: null, end: r.end, stepIds: ids });
  console.log(
    `== ${run.target === 'lab' ? '' : `${run.target} `}/hello capacity ${r.capacity ?? '-'} req/s (search end: ${r.end}; the report says whether that is the service's limit or a lower bound)`,
  );

  const wrkStep = run.newStep('hello-wrk', null, null, 'hello-wrk');
  wrkStep.durationSec = p.wrk.durationSec;
  wrkStep.files.wrk = run.rel(join(dir, 'wrk.txt'));
  const argv = [run.wrk, `-t${p.wrk.threads}`, `-c${p.wrk.connections}`, `-d${p.wrk.durationSec}s`, '--latency', url];
  await run.measure(wrkStep, [{ tool: 'wrk', argv, out: join(run.dir, wrkStep.files.wrk) }]);
  return r.capacity;
}
