/** Heavy, per engine x mode: primer, calibrating warm-up, then the capacity search. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, type HeavyReference } from '../../../lab/index.js';
import { getJson } from '../exec.js';
import { heavyStepSec, type Plan } from '../plan.js';
import { stepLine, type Run } from '../runner.js';
import { CapacitySearch, roundHeavyRate } from '../search.js';
import { generatorLimited } from '../../../lab/generators/limited.js';
import { attackArgs, summarizeVegeta } from '../../../lab/generators/vegeta.js';
import { heavyBodies } from '../heavy-bodies.js';
import { failureReasons, heavyPasses, machineLoad } from '../verdict.js';

/** A peer's own rate ladder and step lengths; the objective stays the lab's. */
export type HeavyOverride = Partial<Pick<Plan['heavy'], 'startFraction' | 'search' | 'minRequests' | 'minStepSec' | 'maxStepSec' | 'warmupRequests'>>;

/**
 * Primer, calibrating warm-up and capacity search of one engine x mode. Returns the capacity.
 * `cpus`: the service's CPU limit when a scaling run (scenarios/scale.ts) varies it; recorded on
 * every step so the report keeps each limit's search apart.
 */
export async function heavy(run: Run, engine: string, mode: string, reference: HeavyReference, override: HeavyOverride = {}, cpus?: number): Promise<number> {
  const h = { ...run.plan.heavy, ...override };
  const name = `heavy-${engine}-${mode}${cpus === undefined ? '' : `-cpus${cpus}`}`;
  const dir = run.runsDir(name);
  const url = run.heavyUrl(engine, mode);
  // Primer + warm-up: sequential, so each timing is the service time alone.
  const warm = run.newStep('heavy-warmup', engine, mode, `${name}-warmup`);
  if (cpus !== undefined) warm.cpus = cpus;
  warm.files.json = run.rel(join(dir, 'warmup.json'));
  const answers: unknown[] = [];
  await run.quiet();
  warm.startMs = Date.now();
  for (let i = 0; i < 1 + h.warmupRequests; i++) {
    run.abort.signal.throwIfAborted();
    run.log(`GET ${url}`);
    const { status, body } = await getJson<Record<string, unknown>>(url, 60_000);
    if (status !== 200) throw new Error(`${name}: primer answered HTTP ${status}: ${String(body['detail'] ?? '')}`);
    if (body['primes_found'] !== reference.primesFound || body['digest'] !== reference.digest) {
      throw new Error(
        `${name}: WRONG answer under the default workload: primes_found=${body['primes_found']} digest=${body['digest']}, expected ${reference.primesFound} ${reference.digest}`,
      );
    }
    answers.push(body);
  }
  warm.endMs = Date.now();
  run.trafficDone();
  warm.durationSec = (warm.endMs - warm.startMs) / 1000;
  writeFileSync(join(run.dir, warm.files.json), JSON.stringify(answers, null, 1));
  run.manifest.steps.push(warm);
  // The primer (first answer) may include one-time costs (JIT, worker start): calibrate on the rest.
  const service = median(answers.slice(1).map((a) => Number((a as Record<string, unknown>)['total_time_sec']) - Number((a as Record<string, unknown>)['queue_time_sec'] ?? 0)));
  const limit = run.health?.limits.cpus ?? 1;
  const estimate = service && service > 0 ? limit / service : 1;
  console.log(`== ${name}: service time ${service?.toFixed(3)} s alone -> estimate ${estimate.toFixed(2)} req/s on ${limit} CPU`);

  const targets = run.targets(name, [`GET ${url}`]);
  const search = new CapacitySearch({ ...h.search, start: h.startFraction * estimate }, roundHeavyRate);
  const ids: string[] = [];
  for (let rate = search.next(); rate !== null; rate = search.next()) {
    const perMinute = Math.round(rate * 60);
    const step = run.newStep('heavy', engine, mode, `${name}-${perMinute}rpm`);
    if (cpus !== undefined) step.cpus = cpus;
    step.rate = rate;
    step.durationSec = heavyStepSec(h, rate);
    step.files.bin = run.rel(join(dir, `${step.id}.bin`));
    const runs = await run.measure(step, [
      { tool: 'vegeta', argv: attackArgs(run.vegeta, targets, { perMinute }, step.durationSec, 30, true), out: join(run.dir, step.files.bin) },
    ]);
    const s = await summarizeVegeta(run.vegeta, join(run.dir, step.files.bin));
    const bodies = await heavyBodies(run.vegeta, join(run.dir, step.files.bin), reference);
    if (bodies.wrongAnswers > 0) throw new Error(`${name}: ${bodies.wrongAnswers} WRONG answer(s) under load at ${rate.toFixed(2)} req/s (raw results in ${step.files.bin})`);
    const pass = heavyPasses(s, bodies.wrongAnswers, h);
    const limited = generatorLimited(step.generators, s, rate, machineLoad(step, run.genCpu)?.generatorCoreBusy ?? null, h.sloP99Ms);
    ids.push(step.id);
    stepLine(`${name} ${rate.toFixed(2)}/s`, s, pass, limited, runs, failureReasons(s, { p95: h.sloP95Ms, p99: h.sloP99Ms }, bodies.wrongAnswers), machineLoad(step, run.genCpu));
    search.record({ rate, pass, generatorLimited: limited });
  }
  const r = search.result();
  run.manifest.searches.push({
    ...(run.target === 'lab' ? {} : { target: run.target }),
    scenario: 'heavy',
    engine,
    mode,
    estimate,
    end: r.end,
    stepIds: ids,
    ...(cpus === undefined ? {} : { cpus }),
  });
  console.log(`== ${name}: capacity ${r.capacity.toFixed(2)} req/s (${r.end})`);
  return r.capacity;
}
