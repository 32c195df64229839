/**
 * Reads a run folder (manifest + raw results) and computes every number of the report, with the
 * facts its words are made of; writes nothing and words nothing (report/compose.ts does).
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { basename, join } from 'node:path';
import { heavyReference, median } from '../../lab/index.js';
import { capacityBound, failureInDoubt, generatorBoundHello, helloCeiling } from './bound.js';
import { diagnose } from './diagnose.js';
import { readManifest, targetOf, type Manifest, type StepRecord } from '../measure/manifest.js';
import { constrainedLimits } from './limits.js';
import { collectPeers } from './peers.js';
import { costReport, loadRates, readCostEnv, RatesError, type CostReport } from './cost.js';
import { scalingReport, type ScalingReport } from './scaling.js';
import { foreignAnswers, prometheusTrust } from './prometheus-trust.js';
import { SEED_QUOTED as SEED } from '../../lab/facts.js';
import { REPORT_SCHEMA_ID, type Analysis, type HelloResult, type HeavyResult, type MixedResult, type NoteFacts, type StepResult } from './schema.js';
import { generatorLimited } from '../../lab/generators/limited.js';
import { summarizePacer } from '../../lab/generators/pacer.js';
import type { StepSummary } from '../../lab/generators/summary.js';
import { summarizeVegeta, vegetaPath } from '../../lab/generators/vegeta.js';
import { parseWrk } from '../../lab/generators/wrk.js';
import { heavyBodies, type HeavyBodies } from '../measure/heavy-bodies.js';
import { heavyPasses, helloPasses, machineLoad, serviceCores, NOISE_CORES } from '../measure/verdict.js';

function delta(a: number | null | undefined, b: number | null | undefined): number | null {
  return a === null || a === undefined || b === null || b === undefined ? null : b - a;
}

async function stepResult(dir: string, m: Manifest, step: StepRecord, kind: 'hello' | 'heavy', vegeta: string): Promise<StepResult | null> {
  // /hello search steps run on pacer (its JSON kept), everything else on vegeta (its .bin kept).
  const raw = step.files.pacer ?? step.files.bin;
  if (!raw || !existsSync(join(dir, raw))) return null;
  const s = step.files.pacer ? summarizePacer(join(dir, step.files.pacer)) : await summarizeVegeta(vegeta, join(dir, raw));
  const p = m.plan;
  let bodies: HeavyBodies | null = null;
  if (kind === 'heavy') bodies = await heavyBodies(vegeta, join(dir, raw), heavyReference());
  const t = step.throttling;
  const throttling =
    t.before && t.after
      ? {
          periods: t.after.nrPeriods - t.before.nrPeriods,
          throttled: t.after.nrThrottled - t.before.nrThrottled,
          throttledMs: t.after.throttledMs - t.before.throttledMs,
          share: t.after.nrPeriods > t.before.nrPeriods ? (t.after.nrThrottled - t.before.nrThrottled) / (t.after.nrPeriods - t.before.nrPeriods) : 0,
        }
      : null;
  const load = machineLoad(step, m.environment.pinning?.generator ?? null);
  const trust = prometheusTrust(step.prometheus['answered']?.value, s.requests, foreignAnswers(step), m.prometheus.instance !== undefined);
  return {
    id: step.id,
    rate: step.rate,
    durationSec: step.durationSec,
    ...(step.repeatOf !== undefined ? { repeatOf: step.repeatOf } : {}),
    requests: s.requests,
    sentRate: s.sentRate,
    throughput: s.throughput,
    success: s.success,
    errors: Math.round(s.requests * (1 - s.success)),
    statusCodes: { ...s.statusCodes },
    latencyMs: s.latencyMs,
    pass: kind === 'hello' ? helloPasses(s, p.hello.sloP99Ms) : heavyPasses(s, bodies?.wrongAnswers ?? 0, p.heavy),
    generatorLimited: generatorLimited(step.generators, s, step.rate, load?.generatorCoreBusy ?? null, kind === 'hello' ? p.hello.sloP99Ms : p.heavy.sloP99Ms),
    generatorCpuShare: Math.max(0, ...step.generators.map((g) => g.cpuShare)),
    serviceCpuCores: serviceCores(step),
    serviceRssMaxBytes: step.serviceRssMaxBytes,
    throttling,
    shed: delta(step.health.before?.shed, step.health.after?.shed),
    deadlineDropped: delta(step.health.before?.deadlineDropped, step.health.after?.deadlineDropped),
    prometheus: trust.trusted === false ? {} : Object.fromEntries(Object.entries(step.prometheus).map(([k, v]) => [k, v.value])),
    prometheusDistrust: trust.distrust,
    heavy: bodies
      ? {
          wrongAnswers: bodies.wrongAnswers,
          medianCpuSec: bodies.medianCpuSec,
          medianQueueSec: bodies.medianQueueSec,
          medianTotalSec: bodies.medianTotalSec,
          medianIoSec: bodies.medianIoSec,
          problems: bodies.problems,
        }
      : null,
    generatorCoreBusy: load?.generatorCoreBusy ?? null,
    otherCores: load?.otherCores ?? null,
    monitoringCores: load?.monitoringCores ?? null,
    noisy: (load?.otherCores ?? 0) > NOISE_CORES,
    listenDrops: step.listen?.before && step.listen.after ? step.listen.after.drops - step.listen.before.drops : null,
  };
}

/** Capacity from the measured steps: the highest pass, and the lowest fail above it. */
function capacityOf(steps: StepResult[]): { capacity: number | null; firstFailure: number | null; atCapacity: StepResult | null; firstFail: StepResult | null } {
  const valid = steps.filter((s) => !s.generatorLimited && s.rate !== null);
  const passes = valid.filter((s) => s.pass);
  const best = passes.reduce<StepResult | null>((a, s) => (a === null || s.rate! > a.rate! ? s : a), null);
  const fails = valid.filter((s) => !s.pass && (best === null || s.rate! > best.rate!));
  const firstFail = fails.reduce<StepResult | null>((a, s) => (a === null || s.rate! < a.rate! ? s : a), null);
  if (steps.length === 0) return { capacity: null, firstFailure: null, atCapacity: null, firstFail: null };
  return { capacity: best?.rate ?? 0, firstFailure: firstFail?.rate ?? null, atCapacity: best, firstFail };
}

/** Reads the run folder and builds every number of the report; writes nothing. */
export async function collect(dir: string): Promise<Analysis> {
  const m = readManifest(dir);
  refusePrePacer(m);
  const vegeta = vegetaPath();
  const p = m.plan;
  const health = m.health;
  const quota = health?.limits.cpus ?? 1;
  const memoryBytes = health?.limits.memory_bytes ?? null;
  const of = (target: string) => (s: { target?: string }) => targetOf(s) === target;
  // A scaling run varies the CPU limit per search: the main tables keep the run's own limit.
  const atQuota = (s: { cpus?: number }) => (s.cpus ?? quota) === quota;

  /** /hello of one service (the lab or a peer): its search steps and wrk. */
  async function helloOf(target: string, q: number, mem: number | null): Promise<HelloResult> {
    const steps: StepResult[] = [];
    for (const st of m.steps.filter((s) => s.scenario === 'hello' && of(target)(s))) {
      const r = await stepResult(dir, m, st, 'hello', vegeta);
      if (r) steps.push(r);
    }
    const search = m.searches.find((s) => s.scenario === 'hello' && of(target)(s)) ?? null;
    const c = capacityOf(steps);
    let wrk: HelloResult['wrk'] = null;
    const wrkStep = m.steps.find((s) => s.scenario === 'hello-wrk' && of(target)(s));
    if (wrkStep?.files.wrk && existsSync(join(dir, wrkStep.files.wrk))) {
      const parsed = parseWrk(readFileSync(join(dir, wrkStep.files.wrk), 'utf8'));
      if (parsed) wrk = { ...parsed, generatorCpuShare: wrkStep.generators[0]?.cpuShare ?? 0, serviceCpuCores: serviceCores(wrkStep), command: wrkStep.commands[0] ?? '' };
    }
    return {
      capacity: steps.length > 0 ? c.capacity : null,
      bound: capacityBound(search?.end ?? null, c.firstFailure, failureInDoubt(c.firstFail, q)),
      quota: q,
      generator: 'pacer',
      firstFailure: c.firstFailure,
      end: search?.end ?? null,
      steps,
      atCapacity: c.atCapacity,
      wrk,
      diagnosis: diagnose({ fail: c.firstFail, steps, end: search?.end ?? null, slo: { p99: p.hello.sloP99Ms }, quota: q, memoryBytes: mem }),
    };
  }

  /** One heavy row: an engine x mode of the lab, or a peer's heavy endpoint. */
  async function heavyOf(target: string, engine: string, mode: string, info: { available: boolean; reason: string | null }, q: number, mem: number | null): Promise<HeavyResult> {
    const search = m.searches.find((s) => s.scenario === 'heavy' && s.engine === engine && s.mode === mode && of(target)(s) && atQuota(s)) ?? null;
    const steps: StepResult[] = [];
    for (const st of m.steps.filter((s) => s.scenario === 'heavy' && s.engine === engine && s.mode === mode && of(target)(s) && atQuota(s))) {
      const r = await stepResult(dir, m, st, 'heavy', vegeta);
      if (r) steps.push(r);
    }
    const warm = m.steps.find((s) => s.scenario === 'heavy-warmup' && s.engine === engine && s.mode === mode && of(target)(s) && atQuota(s));
    let serviceTimeSec: number | null = null;
    let cpuTimeSec: number | null = null;
    let ioTimeSec: number | null = null;
    if (warm?.files.json && existsSync(join(dir, warm.files.json))) {
      const answers = (JSON.parse(readFileSync(join(dir, warm.files.json), 'utf8')) as Record<string, number>[]).slice(1);
      serviceTimeSec = median(answers.map((a) => a['total_time_sec']! - (a['queue_time_sec'] ?? 0)));
      cpuTimeSec = median(answers.map((a) => a['cpu_time_sec']!));
      ioTimeSec = median(answers.map((a) => a['io_time_sec']!));
    }
    const c = capacityOf(steps);
    const measured = steps.length > 0;
    return {
      engine,
      mode,
      available: info.available,
      reason: info.reason,
      estimate: search?.estimate ?? null,
      serviceTimeSec,
      cpuTimeSec,
      capacity: measured ? c.capacity : null,
      bound: capacityBound(search?.end ?? null, c.firstFailure, failureInDoubt(c.firstFail, q)),
      firstFailure: c.firstFailure,
      end: search?.end ?? null,
      atCapacity: c.atCapacity,
      steps,
      diagnosis: !info.available
        ? { bottleneck: 'unknown', evidence: { kind: 'unavailable', reason: info.reason } }
        : measured
          ? diagnose({
              fail: c.firstFail,
              steps,
              end: search?.end ?? null,
              slo: { p95: p.heavy.sloP95Ms, p99: p.heavy.sloP99Ms },
              quota: q,
              memoryBytes: mem,
              queueMax: target === 'lab' ? (health?.queue_max ?? null) : null,
              deadlineMs: target === 'lab' ? (health?.deadline_ms ?? null) : null,
              mode,
              alone: { totalSec: serviceTimeSec, cpuSec: cpuTimeSec, ioSec: ioTimeSec },
            })
          : { bottleneck: 'unknown', evidence: { kind: 'not-measured' } },
      vsSeed: {
        speedup: serviceTimeSec ? SEED.heavySecPerRequest / serviceTimeSec : null,
        capacityRatio: measured && c.capacity !== null ? c.capacity / SEED.heavyReqPerSec : null,
      },
      vsDjango: { speedup: null, capacityRatio: null },
    };
  }

  /** /hello beside heavy load on one service, with its baseline alone. */
  async function mixedOf(target: string): Promise<{ baseline: StepSummary | null; runs: MixedResult[] }> {
    let baseline: StepSummary | null = null;
    const baseStep = m.steps.find((s) => s.scenario === 'mixed-baseline' && of(target)(s));
    if (baseStep?.files.helloBin && existsSync(join(dir, baseStep.files.helloBin))) baseline = await summarizeVegeta(vegeta, join(dir, baseStep.files.helloBin));
    const runs: MixedResult[] = [];
    for (const st of m.steps.filter((s) => s.scenario === 'mixed' && of(target)(s))) {
      if (!st.files.helloBin || !existsSync(join(dir, st.files.helloBin))) continue;
      const hello = await summarizeVegeta(vegeta, join(dir, st.files.helloBin));
      const hv = st.files.heavyBin && existsSync(join(dir, st.files.heavyBin)) ? await summarizeVegeta(vegeta, join(dir, st.files.heavyBin)) : null;
      runs.push({
        engine: st.engine!,
        mode: st.mode!,
        fraction: st.fraction ?? 0,
        heavyRate: st.rate ?? 0,
        helloRate: st.helloRate ?? 0,
        hello,
        heavy: hv,
        serviceCpuCores: serviceCores(st),
        eventLoopMaxSec: prometheusTrust(st.prometheus['answered']?.value, hello.requests + (hv?.requests ?? 0), foreignAnswers(st), m.prometheus.instance !== undefined).trusted
          ? (st.prometheus['eventLoopMaxSec']?.value ?? null)
          : null,
        generatorLimited: generatorLimited(st.generators),
      });
    }
    return { baseline, runs };
  }

  const hello = await helloOf('lab', quota, memoryBytes);
  const engines: Analysis['engines'] = {};
  for (const e of p.engines) {
    const st = health?.engines[e];
    engines[e] = { available: st?.available ?? false, description: st?.description ?? null, reason: st?.available ? null : (st?.reason ?? m.verification?.unavailable[e] ?? null) };
  }
  const heavy: HeavyResult[] = [];
  for (const mode of p.modes) {
    for (const engine of p.engines) heavy.push(await heavyOf('lab', engine, mode, engines[engine]!, quota, memoryBytes));
  }
  const mixed = await mixedOf('lab');
  const peers = await collectPeers(m, { helloOf, heavyOf, mixedOf, stepsOf: (t) => m.steps.filter(of(t)) });

  // Every "vs" divides by a figure measured in this run.
  const django = peers.find((x) => x.name === 'django' && x.heavy !== null)?.heavy ?? null;
  if (django) {
    for (const h of heavy) {
      h.vsDjango = {
        speedup: h.serviceTimeSec && django.serviceTimeSec ? django.serviceTimeSec / h.serviceTimeSec : null,
        capacityRatio: h.capacity !== null && django.capacity ? h.capacity / django.capacity : null,
      };
    }
  }
  // The /hello measurement's own ceiling, from the bare uWS peer in this run: a failure above
  // what the generator ever passed against it is the generator's, for the lab and every peer.
  const bare = peers.find((x) => x.name === 'uws-bare' && x.measured) ?? null;
  const ceiling = bare ? helloCeiling(bare.hello, bare.hello.quota) : null;
  for (const h of [hello, ...peers.map((x) => x.hello)]) {
    if (!generatorBoundHello(h, ceiling)) continue;
    h.bound = 'generator';
    h.diagnosis = { bottleneck: 'generator', evidence: { kind: 'hello-ceiling', firstFailure: h.firstFailure!, ceiling: ceiling!, inner: h.diagnosis } };
  }
  const vsPeers: Analysis['hello']['vsPeers'] = {};
  for (const x of peers) {
    vsPeers[x.name] = {
      capacityRatio: hello.capacity !== null && x.hello.capacity ? hello.capacity / x.hello.capacity : null,
      wrkRatio: hello.wrk && x.hello.wrk?.requestsPerSec ? hello.wrk.requestsPerSec / x.hello.wrk.requestsPerSec : null,
    };
  }

  let scaling: ScalingReport | null = null;
  if (p.scale) {
    const searches: { engine: string; mode: string; cpus: number; end: string | null; steps: StepResult[] }[] = [];
    for (const se of m.searches.filter((x) => x.scenario === 'heavy' && of('lab')(x) && x.cpus !== undefined)) {
      const steps: StepResult[] = [];
      for (const st of m.steps.filter((s) => s.scenario === 'heavy' && s.engine === se.engine && s.mode === se.mode && of('lab')(s) && s.cpus === se.cpus)) {
        const r = await stepResult(dir, m, st, 'heavy', vegeta);
        if (r) steps.push(r);
      }
      searches.push({ engine: se.engine!, mode: se.mode!, cpus: se.cpus!, end: se.end, steps });
    }
    scaling = scalingReport(searches, capacityOf, m.environment.cpus ?? 1, p.heavy.search.resolution);
  }
  // Cost per million: every heavy capacity measured at 1 CPU, the lab's engines and Django alike.
  let noCost: NoteFacts['noCost'] = null;
  let cost: CostReport | null = null;
  if (quota === 1) {
    try {
      const { ratesFile, targetRps } = readCostEnv();
      const subjects = [
        ...heavy.filter((h) => h.capacity !== null && h.capacity > 0).map((h) => ({ name: `${h.engine}/${h.mode}`, capacity: h.capacity!, bound: h.bound })),
        ...(django?.capacity ? [{ name: 'django (peer)', capacity: django.capacity, bound: django.bound }] : []),
      ];
      if (subjects.length > 0) cost = costReport(subjects, loadRates(ratesFile), ratesFile, targetRps);
    } catch (err) {
      if (!(err instanceof RatesError)) throw err;
      noCost = { ratesError: err.message };
    }
  } else noCost = { quota };

  const timeline = readTimeline(dir, m);
  const cs = m.constrained.start as { method?: string; image?: string; limits?: Record<string, number> } | null;
  const ce = m.constrained.end as {
    throttling?: { nr_periods: number; nr_throttled: number; throttled_ms: number };
    cpu_stat?: string;
    memory_peak_bytes?: number;
    oom_killed?: boolean;
  } | null;
  const allSteps = [...hello.steps, ...heavy.flatMap((h) => h.steps), ...peers.flatMap((x) => [...x.hello.steps, ...(x.heavy?.steps ?? [])])];
  const untrusted = allSteps.filter((s) => s.prometheusDistrust !== null);
  const noisy = allSteps.filter((s) => s.noisy);

  return {
    schema: REPORT_SCHEMA_ID,
    run: {
      id: basename(realpathSync(dir)),
      startedAt: m.startedAt,
      finishedAt: m.finishedAt,
      status: m.status,
      failure: m.failure,
      profile: p.profile,
      builtAt: new Date().toISOString(),
    },
    methodFacts: {
      plan: p,
      limitMethod: cs?.method ?? null,
      image: cs?.image ?? null,
      node: m.health?.node ?? null,
      pinning: m.environment.pinning?.why ?? null,
      checks: m.verification?.checks.length ?? 0,
      repeats: m.steps.filter((s) => s.repeatOf !== undefined).length,
    },
    environment: {
      ...m.environment,
      limits: {
        cpus: health?.limits.cpus ?? null,
        memoryBytes,
        method: cs?.method ?? 'unknown',
        constrained: constrainedLimits(cs),
        readBack: { cpus: health?.limits.cpus ?? null, memoryBytes: health?.limits.memory_bytes ?? null, cgroupVersion: health?.limits.cgroup_version ?? null },
        oomKilled: ce?.oom_killed ?? false,
        memoryPeakBytes: ce?.memory_peak_bytes ?? null,
      },
      service: {
        poolSize: health?.pool_size ?? null,
        queueMax: health?.queue_max ?? null,
        deadlineMs: health?.deadline_ms ?? null,
        uws: health?.uws ? { ...health.uws, node: health.node } : null,
      },
      prometheus: m.prometheus,
    },
    slo: { hello: { p99Ms: p.hello.sloP99Ms }, heavy: { p50Ms: p.heavy.sloP50Ms, p95Ms: p.heavy.sloP95Ms, p99Ms: p.heavy.sloP99Ms } },
    seed: SEED,
    engines,
    verification: m.verification,
    hello: {
      ...hello,
      vsSeed: hello.steps.length > 0 && hello.capacity !== null ? hello.capacity / SEED.helloReqPerSec : null,
      vsPeers,
      ceiling,
    },
    heavy,
    peers,
    mixed,
    timeline,
    throttlingTotal: ce?.throttling ? { periods: ce.throttling.nr_periods, throttled: ce.throttling.nr_throttled, throttledMs: ce.throttling.throttled_ms } : null,
    scaling,
    cost,
    notes: {
      run: m.notes,
      noCost,
      untrusted: untrusted.length > 0 ? { count: untrusted.length, of: allSteps.length, first: untrusted[0]!.prometheusDistrust! } : null,
      noisy: noisy.length > 0 ? { count: noisy.length, of: allSteps.length, worstCores: Math.max(...noisy.map((s) => s.otherCores ?? 0)), limit: NOISE_CORES } : null,
      incomplete: m.status !== 'complete' ? { status: m.status, failure: m.failure } : null,
    },
    commands: m.commands,
  };
}

/** A run folder this version cannot rebuild: its /hello search ran on another generator. */
export class RunFolderError extends Error {
  override readonly name = 'RunFolderError';
}

/**
 * Runs made before pacer (their /hello steps kept oha's JSON or vegeta's .bin) are refused: their
 * decoders are gone. The commit that made a run is in its manifest (environment.commit).
 */
export function refusePrePacer(m: Pick<Manifest, 'steps' | 'environment'>): void {
  const old = m.steps.filter(
    (s) => s.scenario === 'hello' && s.files.pacer === undefined && (s.files.bin !== undefined || (s.files as Record<string, unknown>)['oha'] !== undefined),
  );
  if (old.length === 0) return;
  throw new RunFolderError(
    `this run's /hello search ran before pacer (${old.length} step(s) kept ${(old[0]!.files as Record<string, unknown>)['oha'] !== undefined ? "oha's JSON" : "vegeta's .bin"}, not pacer's): this version rebuilds only runs made on pacer; rebuild it from the commit that made it (${m.environment.commit})`,
  );
}

function readTimeline(dir: string, m: Manifest): Analysis['timeline'] {
  const file = join(dir, m.samplesFile);
  const points: Analysis['timeline']['points'] = [];
  const t0 = Date.parse(m.startedAt);
  if (existsSync(file)) {
    const rows = readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { t: number; target?: string; cpuSec: number; rssBytes: number; throttledMs: number | null });
    for (let i = 1; i < rows.length; i++) {
      const a = rows[i - 1]!;
      const b = rows[i]!;
      const dt = (b.t - a.t) / 1000;
      // Another service took over: its counters start afresh.
      // A scaling run restarts the service: a new process starts its CPU count from 0.
      if (dt <= 0 || (a.target ?? 'lab') !== (b.target ?? 'lab') || b.cpuSec < a.cpuSec) continue;
      points.push({
        t: (b.t - t0) / 1000,
        cpu: (b.cpuSec - a.cpuSec) / dt,
        rssMb: b.rssBytes / 2 ** 20,
        throttledMs: a.throttledMs !== null && b.throttledMs !== null ? b.throttledMs - a.throttledMs : null,
      });
    }
  }
  const phases: Analysis['timeline']['phases'] = [];
  for (const s of m.steps) {
    if (s.startMs === 0) continue;
    const label =
      targetOf(s) !== 'lab'
        ? targetOf(s)
        : s.scenario === 'hello' || s.scenario === 'hello-warmup' || s.scenario === 'hello-wrk'
          ? '/hello'
          : s.scenario.startsWith('mixed')
            ? 'mixed'
            : `${s.engine}/${s.mode}`;
    const start = (s.startMs - t0) / 1000;
    const end = (s.endMs - t0) / 1000;
    const last = phases[phases.length - 1];
    if (last && last.label === label) last.end = end;
    else phases.push({ label, start, end });
  }
  return { points, phases };
}
