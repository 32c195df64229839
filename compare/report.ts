/**
 * Builds a run's report from its raw results and manifest alone (no service, no load):
 *
 *   node dist/compare/report.js reports/<UTC time>      (make report RUN=reports/<UTC time>)
 *
 * writes report.json (every number), report.md (tables, method, environment) and report.html
 * (the same with charts, self-contained), and prints the summary table.
 */
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { readManifest, type Manifest, type StepRecord } from './manifest.js';
import { heavyBodies, parseWrk, summarize, median, vegetaPath, type HeavyBodies, type VegetaSummary } from './vegeta.js';
import { failureReasons, fmtMs, generatorLimited, heavyPasses, helloPasses, machineLoad, GENERATOR_CPU_LIMIT, NOISE_CORES } from './verdict.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';

/** The Django service of the seeds, on 1 CPU and 256 MB: the numbers this lab answers. */
export const SEED = Object.freeze({
  helloReqPerSec: 1500,
  heavySecPerRequest: 1.2,
  /** One CPU doing 1.2 s of work per request finishes at most 1/1.2 requests per second. */
  heavyReqPerSec: 1 / 1.2,
});

export const REPORT_SCHEMA_ID = 'backend-bottleneck-lab/compare-report/1';

export interface StepResult {
  id: string;
  rate: number | null;
  durationSec: number;
  requests: number;
  sentRate: number;
  throughput: number;
  success: number;
  errors: number;
  statusCodes: Record<string, number>;
  latencyMs: VegetaSummary['latencyMs'];
  pass: boolean;
  generatorLimited: boolean;
  generatorCpuShare: number;
  reasons: string[];
  /** Service CPU in cores over the step, from /proc (null when its pid was unknown). */
  serviceCpuCores: number | null;
  serviceRssMaxBytes: number | null;
  throttling: { periods: number; throttled: number; throttledMs: number; share: number } | null;
  shed: number | null;
  deadlineDropped: number | null;
  /** Prometheus over the step's window; empty when its counts show other senders mixed in. */
  prometheus: Record<string, number | null>;
  prometheusNote: string | null;
  heavy: Omit<HeavyBodies, 'answers'> | null;
  /** Busy share of the generators' core, whoever used it (null when not pinned). */
  generatorCoreBusy: number | null;
  /** Cores used by other processes during the step; `noisy` when above NOISE_CORES. */
  otherCores: number | null;
  /** Cores used by statsd_exporter + Prometheus during the step. */
  monitoringCores: number | null;
  noisy: boolean;
  /** SYNs dropped by full listen queues during the step (machine-wide counter). */
  listenDrops: number | null;
}

export interface Diagnosis {
  /** What ran out first; `noise` when other processes on the machine, not the service, did. */
  bottleneck: 'cpu' | 'memory' | 'admission' | 'latency' | 'generator' | 'noise' | 'none' | 'unknown';
  detail: string;
}

export interface HeavyResult {
  engine: string;
  mode: string;
  available: boolean;
  reason: string | null;
  estimate: number | null;
  serviceTimeSec: number | null;
  cpuTimeSec: number | null;
  capacity: number | null;
  firstFailure: number | null;
  end: string | null;
  atCapacity: StepResult | null;
  steps: StepResult[];
  diagnosis: Diagnosis;
  vsSeed: { speedup: number | null; capacityRatio: number | null };
}

export interface MixedResult {
  engine: string;
  mode: string;
  fraction: number;
  heavyRate: number;
  helloRate: number;
  hello: VegetaSummary;
  heavy: VegetaSummary | null;
  serviceCpuCores: number | null;
  eventLoopMaxSec: number | null;
  generatorLimited: boolean;
}

export interface Report {
  schema: typeof REPORT_SCHEMA_ID;
  run: { id: string; startedAt: string; finishedAt: string | null; status: string; failure: string | null; profile: string; builtAt: string };
  method: string[];
  environment: Manifest['environment'] & {
    limits: { cpus: number | null; memoryBytes: number | null; method: string; detail: string };
    service: { poolSize: number | null; queueMax: number | null; deadlineMs: number | null; uws: string };
    prometheus: Manifest['prometheus'];
  };
  slo: { hello: { p99Ms: number }; heavy: { p50Ms: number; p95Ms: number; p99Ms: number } };
  seed: typeof SEED;
  engines: Record<string, { available: boolean; description: string | null; reason: string | null }>;
  verification: Manifest['verification'];
  hello: {
    capacity: number | null;
    firstFailure: number | null;
    end: string | null;
    steps: StepResult[];
    atCapacity: StepResult | null;
    wrk: { requestsPerSec: number; latencyMs: Record<string, number>; requests: number; errors: number; generatorCpuShare: number; serviceCpuCores: number | null; command: string } | null;
    diagnosis: Diagnosis;
    vsSeed: number | null;
  };
  heavy: HeavyResult[];
  mixed: { baseline: VegetaSummary | null; runs: MixedResult[] };
  timeline: { points: { t: number; cpu: number; rssMb: number; throttledMs: number | null }[]; phases: { label: string; start: number; end: number }[] };
  throttlingTotal: { periods: number; throttled: number; throttledMs: number } | null;
  notes: string[];
  commands: { at: string; command: string }[];
}

function delta(a: number | null | undefined, b: number | null | undefined): number | null {
  return a === null || a === undefined || b === null || b === undefined ? null : b - a;
}

/**
 * Whether a step's Prometheus numbers are this service's alone: statsd_exporter takes StatsD from
 * anyone on the machine, so its request count must match what the generators sent (any other
 * server sending to the same port would inflate it; missing metrics would deflate it).
 */
export function prometheusTrust(answered: number | null | undefined, sent: number): { trusted: boolean | null; note: string | null } {
  if (answered === undefined) return { trusted: null, note: null };
  if (answered === null) return { trusted: false, note: 'Prometheus had no request counts for the step: are the service\'s metrics reaching statsd_exporter?' };
  if (answered > sent * 1.3 + 20) return { trusted: false, note: `Prometheus counted ${answered.toFixed(0)} answers for ${sent} requests sent: another process sends StatsD to the same exporter; its numbers are not used` };
  if (answered < sent * 0.5 - 20) return { trusted: false, note: `Prometheus counted only ${answered.toFixed(0)} answers for ${sent} requests sent: metrics missing or late; its numbers are not used` };
  return { trusted: true, note: null };
}

async function stepResult(dir: string, m: Manifest, step: StepRecord, kind: 'hello' | 'heavy', vegeta: string): Promise<StepResult | null> {
  const bin = step.files.bin;
  if (!bin || !existsSync(join(dir, bin))) return null;
  const s = await summarize(vegeta, join(dir, bin));
  const p = m.plan;
  let bodies: HeavyBodies | null = null;
  if (kind === 'heavy') bodies = await heavyBodies(vegeta, join(dir, bin), heavyReference());
  const wall = (step.endMs - step.startMs) / 1000;
  const cpu = delta(step.serviceCpuSec.before, step.serviceCpuSec.after);
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
  const slo = kind === 'hello' ? { p99: p.hello.sloP99Ms } : { p95: p.heavy.sloP95Ms, p99: p.heavy.sloP99Ms };
  const load = machineLoad(step, m.environment.pinning?.generator ?? null);
  const trust = prometheusTrust(step.prometheus['answered']?.value, s.requests);
  return {
    id: step.id,
    rate: step.rate,
    durationSec: step.durationSec,
    requests: s.requests,
    sentRate: s.sentRate,
    throughput: s.throughput,
    success: s.success,
    errors: Math.round(s.requests * (1 - s.success)),
    statusCodes: { ...s.statusCodes },
    latencyMs: s.latencyMs,
    pass: kind === 'hello' ? helloPasses(s, p.hello.sloP99Ms) : heavyPasses(s, bodies?.wrongAnswers ?? 0, p.heavy),
    generatorLimited: generatorLimited(step.generators, s, step.rate, load, slo.p99),
    generatorCpuShare: Math.max(0, ...step.generators.map((g) => g.cpuShare)),
    reasons: failureReasons(s, slo, bodies?.wrongAnswers ?? 0),
    serviceCpuCores: cpu !== null && wall > 0 ? cpu / wall : null,
    serviceRssMaxBytes: step.serviceRssMaxBytes,
    throttling,
    shed: delta(step.health.before?.shed, step.health.after?.shed),
    deadlineDropped: delta(step.health.before?.deadlineDropped, step.health.after?.deadlineDropped),
    prometheus: trust.trusted === false ? {} : Object.fromEntries(Object.entries(step.prometheus).map(([k, v]) => [k, v.value])),
    prometheusNote: trust.note,
    heavy: bodies ? { wrongAnswers: bodies.wrongAnswers, medianCpuSec: bodies.medianCpuSec, medianQueueSec: bodies.medianQueueSec, medianTotalSec: bodies.medianTotalSec, medianIoSec: bodies.medianIoSec, problems: bodies.problems } : null,
    generatorCoreBusy: load?.generatorCoreBusy ?? null,
    otherCores: load?.otherCores ?? null,
    monitoringCores: load?.monitoringCores ?? null,
    noisy: (load?.otherCores ?? 0) > NOISE_CORES,
    listenDrops: step.listen?.before && step.listen.after ? step.listen.after.drops - step.listen.before.drops : null,
  };
}

let referenceCache: { primesFound: number; digest: string } | null = null;
/** The default workload's known answer, from the repository's fixtures. */
function heavyReference(): { primesFound: number; digest: string } {
  if (referenceCache) return referenceCache;
  const v = JSON.parse(readFileSync('fixtures/vectors.json', 'utf8')) as { primes: { limit: number; count: number }[]; sha256_chain: { rounds: number; digest: string }[] };
  referenceCache = { primesFound: v.primes.find((p) => p.limit === 500_000)!.count, digest: v.sha256_chain.find((c) => c.rounds === 1_000_000)!.digest };
  return referenceCache;
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

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

/** Service time of one request alone (the warm-up medians), to compare a loaded step with. */
export interface Alone {
  totalSec: number | null;
  cpuSec: number | null;
  ioSec: number | null;
}

/** What ran out first, from the first failing step (and the generator flag of any step). */
export function diagnose(fail: StepResult | null, steps: StepResult[], end: string | null, quota: number, memoryBytes: number | null, queueMax: number | null, deadlineMs: number | null, mode: string | null = null, alone: Alone | null = null): Diagnosis {
  const gen = steps.find((s) => s.generatorLimited);
  if (gen && (!fail || end === 'generator-limited')) {
    const core = gen?.generatorCoreBusy != null ? `, its core ${pct(gen.generatorCoreBusy)} busy${gen.otherCores != null && gen.otherCores > NOISE_CORES ? ` (other processes used ${gen.otherCores.toFixed(2)} cores)` : ''}` : '';
    return { bottleneck: 'generator', detail: `the load generator, not the service: ${gen ? `at ${gen.rate}/s vegeta used ${pct(gen.generatorCpuShare)} of a core${core} and sent ${gen.sentRate.toFixed(0)}/s` : 'flagged'}; the capacity is at least the last passing rate` };
  }
  if (!fail) {
    if (end === 'capped') return { bottleneck: 'none', detail: 'nothing broke up to the search cap' };
    return { bottleneck: 'unknown', detail: 'no failing step was measured (the search ran out of steps while passing)' };
  }
  const cpu = fail.serviceCpuCores ?? fail.prometheus['cpuCores'] ?? null;
  const rss = Math.max(fail.serviceRssMaxBytes ?? 0, fail.prometheus['rssMaxBytes'] ?? 0);
  const facts: string[] = [];
  if (cpu !== null) facts.push(`service CPU ${cpu.toFixed(2)} of ${quota} CPU`);
  if (fail.throttling && fail.throttling.periods > 0) facts.push(`throttled in ${pct(fail.throttling.share)} of 100 ms periods (${fail.throttling.throttledMs.toFixed(0)} ms in all)`);
  if (rss > 0) facts.push(`RSS peak ${(rss / 2 ** 20).toFixed(0)} MiB${memoryBytes ? ` of ${(memoryBytes / 2 ** 20).toFixed(0)}` : ''}`);
  const loop = fail.prometheus['eventLoopMaxSec'];
  if (loop !== null && loop !== undefined) facts.push(`event loop late by up to ${fmtMs(loop * 1000)}`);
  if (fail.listenDrops !== null && fail.listenDrops > 0) facts.push(`${fail.listenDrops} SYNs dropped by a full listen queue (clients retry after 1 s)`);
  const hv = fail.heavy;
  const stage = (x: number | null | undefined) => (x === null || x === undefined ? '?' : `${x.toFixed(2)} s`);
  if (hv) facts.push(`per answered request (median): compute ${stage(hv.medianCpuSec)}${alone?.cpuSec ? ` (alone ${stage(alone.cpuSec)})` : ''}, queue ${stage(hv.medianQueueSec)}, I/O ${stage(hv.medianIoSec)}${alone?.ioSec !== null && alone?.ioSec !== undefined ? ` (alone ${stage(alone.ioSec)})` : ''}`);
  if (fail.noisy) facts.push(`NOISY: other processes used ${fail.otherCores!.toFixed(2)} cores meanwhile`);
  const problems = hv?.problems ?? {};
  const overloaded = problems['OVERLOADED'] ?? 0;
  const deadline = problems['DEADLINE_EXCEEDED'] ?? 0;
  const symptoms: string[] = [];
  if (overloaded > 0) symptoms.push(`${overloaded} of ${fail.requests} shed with 503 OVERLOADED (queue of ${queueMax ?? '?'} full)`);
  if (deadline > 0) symptoms.push(`${deadline} answered 503 DEADLINE_EXCEEDED (waited past ${deadlineMs ?? '?'} ms)`);
  const other = fail.errors - overloaded - deadline;
  if (other > 0) symptoms.push(`${other} other error(s) (${Object.entries(fail.statusCodes).filter(([c]) => !c.startsWith('2')).map(([c, n]) => `${n}x${c === '0' ? 'transport' : c}`).join(', ')})`);
  if (fail.errors === 0) symptoms.push(`latency over the objective: ${fail.reasons.join('; ')}`);
  const at = `at ${fail.rate! >= 10 ? fail.rate!.toFixed(0) : fail.rate!.toFixed(2)} req/s`;
  // I/O completions run on the event loop: inline compute holds it, so finished file I/O waits.
  const ioStalled = mode === 'inline' && hv?.medianIoSec != null && hv.medianIoSec > Math.max(0.05, 5 * (alone?.ioSec ?? 0));
  let bottleneck: Diagnosis['bottleneck'];
  let head: string;
  if (memoryBytes && rss > 0.9 * memoryBytes) {
    bottleneck = 'memory';
    head = 'memory: RSS reached the limit';
  } else if (fail.noisy && cpu !== null && cpu < 0.5 * quota && !ioStalled && overloaded + deadline === 0) {
    bottleneck = 'noise';
    head = `not the service (it used ${cpu.toFixed(2)} of its ${quota} CPU): other processes on this machine took ${fail.otherCores!.toFixed(2)} cores, delaying the generator and the service alike`;
  } else if (cpu !== null && cpu >= 0.85 * quota) {
    bottleneck = 'cpu';
    head = `CPU: the ${quota}-CPU quota is used up${ioStalled ? ', and inline compute holds the event loop so finished I/O waits behind the next job' : ''}`;
  } else if (ioStalled) {
    bottleneck = 'latency';
    head = 'the event loop: inline compute holds it, so each finished file I/O waits behind the next job and answers queue up';
  } else if (overloaded + deadline > 0) {
    bottleneck = 'admission';
    head = 'admission control sheds before the CPU is full';
  } else if (fail.listenDrops !== null && fail.listenDrops > 0) {
    bottleneck = 'latency';
    head = 'connection setup: the listen queue overflowed and dropped SYNs';
  } else {
    bottleneck = 'latency';
    head = cpu === null ? 'latency (CPU not sampled)' : `tail latency while the service's CPU still has room: event-loop stalls, throttling periods, or pauses of the load generator itself (it used ${pct(fail.generatorCpuShare)} of its core)`;
  }
  return { bottleneck, detail: `${head} ${at}: ${facts.join(', ')}; then ${symptoms.join('; ')}` };
}

/** Reads the run folder and builds every number of the report; writes nothing. */
export async function collect(dir: string): Promise<Report> {
  const m = readManifest(dir);
  const vegeta = vegetaPath();
  const p = m.plan;
  const health = m.health;
  const quota = health?.limits.cpus ?? 1;
  const memoryBytes = health?.limits.memory_bytes ?? null;
  const stepsOf = (pred: (s: StepRecord) => boolean) => m.steps.filter(pred);

  const helloSteps: StepResult[] = [];
  for (const st of stepsOf((s) => s.scenario === 'hello')) {
    const r = await stepResult(dir, m, st, 'hello', vegeta);
    if (r) helloSteps.push(r);
  }
  const helloSearch = m.searches.find((s) => s.scenario === 'hello') ?? null;
  const hc = capacityOf(helloSteps);
  let wrk: Report['hello']['wrk'] = null;
  const wrkStep = m.steps.find((s) => s.scenario === 'hello-wrk');
  if (wrkStep?.files.wrk && existsSync(join(dir, wrkStep.files.wrk))) {
    const parsed = parseWrk(readFileSync(join(dir, wrkStep.files.wrk), 'utf8'));
    const cpu = delta(wrkStep.serviceCpuSec.before, wrkStep.serviceCpuSec.after);
    if (parsed) wrk = { ...parsed, generatorCpuShare: wrkStep.generators[0]?.cpuShare ?? 0, serviceCpuCores: cpu !== null ? cpu / ((wrkStep.endMs - wrkStep.startMs) / 1000) : null, command: wrkStep.commands[0] ?? '' };
  }

  const engines: Report['engines'] = {};
  for (const e of p.engines) {
    const st = health?.engines[e];
    engines[e] = { available: st?.available ?? false, description: st?.description ?? null, reason: st?.available ? null : (st?.reason ?? m.verification?.unavailable[e] ?? 'not reported by the service') };
  }

  const heavy: HeavyResult[] = [];
  for (const mode of p.modes) {
    for (const engine of p.engines) {
      const info = engines[engine]!;
      const search = m.searches.find((s) => s.scenario === 'heavy' && s.engine === engine && s.mode === mode) ?? null;
      const steps: StepResult[] = [];
      for (const st of stepsOf((s) => s.scenario === 'heavy' && s.engine === engine && s.mode === mode)) {
        const r = await stepResult(dir, m, st, 'heavy', vegeta);
        if (r) steps.push(r);
      }
      const warm = m.steps.find((s) => s.scenario === 'heavy-warmup' && s.engine === engine && s.mode === mode);
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
      heavy.push({
        engine,
        mode,
        available: info.available,
        reason: info.reason,
        estimate: search?.estimate ?? null,
        serviceTimeSec,
        cpuTimeSec,
        capacity: measured ? c.capacity : null,
        firstFailure: c.firstFailure,
        end: search?.end ?? null,
        atCapacity: c.atCapacity,
        steps,
        diagnosis: !info.available
          ? { bottleneck: 'unknown', detail: `ENGINE UNAVAILABLE: ${info.reason}` }
          : measured
            ? diagnose(c.firstFail, steps, search?.end ?? null, quota, memoryBytes, health?.queue_max ?? null, health?.deadline_ms ?? null, mode, { totalSec: serviceTimeSec, cpuSec: cpuTimeSec, ioSec: ioTimeSec })
            : { bottleneck: 'unknown', detail: 'not measured (run stopped before it)' },
        vsSeed: {
          speedup: serviceTimeSec ? SEED.heavySecPerRequest / serviceTimeSec : null,
          capacityRatio: measured && c.capacity !== null ? c.capacity / SEED.heavyReqPerSec : null,
        },
      });
    }
  }

  let baseline: VegetaSummary | null = null;
  const baseStep = m.steps.find((s) => s.scenario === 'mixed-baseline');
  if (baseStep?.files.helloBin && existsSync(join(dir, baseStep.files.helloBin))) baseline = await summarize(vegeta, join(dir, baseStep.files.helloBin));
  const mixed: MixedResult[] = [];
  for (const st of stepsOf((s) => s.scenario === 'mixed')) {
    if (!st.files.helloBin || !existsSync(join(dir, st.files.helloBin))) continue;
    const hello = await summarize(vegeta, join(dir, st.files.helloBin));
    const hv = st.files.heavyBin && existsSync(join(dir, st.files.heavyBin)) ? await summarize(vegeta, join(dir, st.files.heavyBin)) : null;
    const cpu = delta(st.serviceCpuSec.before, st.serviceCpuSec.after);
    mixed.push({
      engine: st.engine!,
      mode: st.mode!,
      fraction: st.fraction ?? 0,
      heavyRate: st.rate ?? 0,
      helloRate: st.helloRate ?? 0,
      hello,
      heavy: hv,
      serviceCpuCores: cpu !== null ? cpu / ((st.endMs - st.startMs) / 1000) : null,
      eventLoopMaxSec: prometheusTrust(st.prometheus['answered']?.value, hello.requests + (hv?.requests ?? 0)).trusted ? (st.prometheus['eventLoopMaxSec']?.value ?? null) : null,
      generatorLimited: st.generators.some((g) => g.cpuShare > GENERATOR_CPU_LIMIT),
    });
  }

  const timeline = readTimeline(dir, m);
  const cs = m.constrained.start as { method?: string; limits?: Record<string, number> } | null;
  const ce = m.constrained.end as { throttling?: { nr_periods: number; nr_throttled: number; throttled_ms: number }; cpu_stat?: string; memory_peak_bytes?: number; oom_killed?: boolean } | null;
  const limitsDetail = cs
    ? `run-constrained method ${cs.method ?? '?'}: cpu quota ${cs.limits?.['cpu_quota_us'] ?? '?'} us per ${cs.limits?.['cpu_period_us'] ?? '?'} us, memory ${cs.limits?.['memory_bytes'] ?? '?'} bytes, swap ${cs.limits?.['swap_bytes'] ?? '?'}, V8 old space ${cs.limits?.['heap_mb'] ?? '?'} MB; read back by the service from its cgroup: cpus ${health?.limits.cpus ?? '?'}, memory ${health?.limits.memory_bytes ?? '?'} (cgroup v${health?.limits.cgroup_version ?? '?'})${ce?.oom_killed ? '; THE SERVICE WAS KILLED FOR MEMORY' : ''}${ce?.memory_peak_bytes ? `; memory peak ${(ce.memory_peak_bytes / 2 ** 20).toFixed(0)} MiB` : ''}`
    : 'unknown (no run-constrained state)';

  const hDiag = diagnose(hc.firstFail, helloSteps, helloSearch?.end ?? null, quota, memoryBytes, null, null);
  return {
    schema: REPORT_SCHEMA_ID,
    run: { id: basename(realpathSync(dir)), startedAt: m.startedAt, finishedAt: m.finishedAt, status: m.status, failure: m.failure, profile: p.profile, builtAt: new Date().toISOString() },
    method: methodText(m),
    environment: {
      ...m.environment,
      limits: { cpus: health?.limits.cpus ?? null, memoryBytes, method: cs?.method ?? 'unknown', detail: limitsDetail },
      service: { poolSize: health?.pool_size ?? null, queueMax: health?.queue_max ?? null, deadlineMs: health?.deadline_ms ?? null, uws: health?.uws ? `${health.uws.native ? 'native' : 'FALLBACK'} ${health.uws.version}` : 'unknown' },
      prometheus: m.prometheus,
    },
    slo: { hello: { p99Ms: p.hello.sloP99Ms }, heavy: { p50Ms: p.heavy.sloP50Ms, p95Ms: p.heavy.sloP95Ms, p99Ms: p.heavy.sloP99Ms } },
    seed: SEED,
    engines,
    verification: m.verification,
    hello: {
      capacity: helloSteps.length > 0 ? hc.capacity : null,
      firstFailure: hc.firstFailure,
      end: helloSearch?.end ?? null,
      steps: helloSteps,
      atCapacity: hc.atCapacity,
      wrk,
      diagnosis: hDiag,
      vsSeed: helloSteps.length > 0 && hc.capacity !== null ? hc.capacity / SEED.helloReqPerSec : null,
    },
    heavy,
    mixed: { baseline, runs: mixed },
    timeline,
    throttlingTotal: ce?.throttling ? { periods: ce.throttling.nr_periods, throttled: ce.throttling.nr_throttled, throttledMs: ce.throttling.throttled_ms } : null,
    notes: [...m.notes, ...noisyNote([...helloSteps, ...heavy.flatMap((h) => h.steps)]), ...(m.status !== 'complete' ? [`RUN ${m.status.toUpperCase()}: ${m.failure ?? ''} (the numbers cover what was measured before)`] : [])],
    commands: m.commands,
  };
}

function noisyNote(steps: StepResult[]): string[] {
  const untrusted = steps.filter((s) => s.prometheusNote !== null);
  const out = untrusted.length > 0 ? [`Prometheus numbers of ${untrusted.length} of ${steps.length} steps are not used: ${untrusted[0]!.prometheusNote}`] : [];
  const noisy = steps.filter((s) => s.noisy);
  if (noisy.length === 0) return out;
  const worst = Math.max(...noisy.map((s) => s.otherCores ?? 0));
  return [...out, `${noisy.length} of ${steps.length} measured steps ran while other processes on this machine used more than ${NOISE_CORES} cores (up to ${worst.toFixed(2)}): their numbers understate the service`];
}

function readTimeline(dir: string, m: Manifest): Report['timeline'] {
  const file = join(dir, m.samplesFile);
  const points: Report['timeline']['points'] = [];
  const t0 = Date.parse(m.startedAt);
  if (existsSync(file)) {
    const rows = readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { t: number; cpuSec: number; rssBytes: number; throttledMs: number | null });
    for (let i = 1; i < rows.length; i++) {
      const a = rows[i - 1]!;
      const b = rows[i]!;
      const dt = (b.t - a.t) / 1000;
      if (dt <= 0) continue;
      points.push({ t: (b.t - t0) / 1000, cpu: (b.cpuSec - a.cpuSec) / dt, rssMb: b.rssBytes / 2 ** 20, throttledMs: a.throttledMs !== null && b.throttledMs !== null ? b.throttledMs - a.throttledMs : null });
    }
  }
  const phases: Report['timeline']['phases'] = [];
  for (const s of m.steps) {
    if (s.startMs === 0) continue;
    const label = s.scenario === 'hello' || s.scenario === 'hello-warmup' || s.scenario === 'hello-wrk' ? '/hello' : s.scenario.startsWith('mixed') ? 'mixed' : `${s.engine}/${s.mode}`;
    const start = (s.startMs - t0) / 1000;
    const end = (s.endMs - t0) / 1000;
    const last = phases[phases.length - 1];
    if (last && last.label === label) last.end = end;
    else phases.push({ label, start, end });
  }
  return { points, phases };
}

function methodText(m: Manifest): string[] {
  const p = m.plan;
  const h = p.heavy;
  return [
    `Service: the built server under \`make run-constrained\` (1 CPU quota, 256 MB, no swap), loopback only. Pinning: ${m.environment.pinning?.why ?? 'unknown'}. Each generator's CPU time is measured (bash \`times\`); a step is flagged GENERATOR-LIMITED when a generator used more than ${Math.round(GENERATOR_CPU_LIMIT * 100)}% of a core, when its core was more than 95% busy while it used over 45% of it, or when vegeta sent under 90% of the asked rate while answers stayed within the objective. /proc/stat per-core times show how much other processes used: a step where they took more than ${NOISE_CORES} cores is marked NOISY.`,
    `Verification before any load: every available engine in every mode answers ${m.verification?.checks.length ?? 0} known-answer requests (fixtures/vectors.json); one wrong answer aborts the run. Heavy answers under load are checked again from the raw results.`,
    `/hello capacity: after a primer request and a ${p.hello.warmupSec} s warm-up at ${p.hello.warmupRate}/s, constant-rate vegeta steps of ${p.hello.stepSec} s (open model), exponential from ${p.hello.search.start}/s (x${p.hello.search.upFactor}) then bisection, at most ${p.hello.search.maxSteps} steps, capped at ${p.hello.search.max}/s. A step passes with 0 errors and p99 < ${p.hello.sloP99Ms} ms. Closed-loop maximum: wrk -t${p.hello.wrk.threads} -c${p.hello.wrk.connections} for ${p.hello.wrk.durationSec} s.`,
    `Heavy capacity (default workload prime_limit=500000, hash_rounds=1000000, io_kb=128), per engine x mode: a primer and ${h.warmupRequests} sequential warm-up requests give the service time alone; the search starts at ${h.startFraction} x (CPUs / service time), steps x${h.search.upFactor} up or x${h.search.downFactor} down, then bisects, at most ${h.search.maxSteps} steps; each step lasts long enough for ${h.minRequests} requests within ${h.minStepSec}-${h.maxStepSec} s. A step passes with no error (a 503 shed by admission control counts), p95 < ${h.sloP95Ms / 1000} s and p99 < ${h.sloP99Ms / 1000} s (the seed's k6 thresholds; p50 < ${h.sloP50Ms / 1000} s is shown, not required). Capacity = the highest passing rate.`,
    `Mixed: /hello at ${p.mixed.helloRate}/s alone (baseline), then beside heavy load at ${p.mixed.heavyFractions.map((f) => `${Math.round(f * 100)}%`).join(' and ')} of each engine x mode's measured capacity, ${p.mixed.durationSec} s each.`,
    `Engine order rotates: mode number i starts with the i-th engine, the mixed scenario with the third. After each step the service drains (no heavy request running or queued) and rests ${p.pauseSec} s.`,
    `Evidence per step: vegeta raw results (runs/**/*.bin, every latency number here is recomputed from them by \`make report\`), service CPU and RSS from /proc, cgroup cpu.stat throttling counters before/after (a quota throttles in 100 ms periods, adding up to 100 ms of tail latency), scheduler counters from /heavy/health/, Prometheus queries over the step's window (CPU, RSS, event-loop delay, shed requests).`,
    `Seed comparison: the Django service held 1500 req/s on /hello (gunicorn, 1 CPU, 256 MB) and took about 1.2 s per heavy request, i.e. at most ${SEED.heavyReqPerSec.toFixed(2)} req/s on one CPU.`,
  ];
}

/** Writes report.json, report.md and report.html into the run folder; returns the report. */
export async function buildReport(dir: string): Promise<Report> {
  const report = await collect(dir);
  writeFileSync(join(dir, 'report.json'), JSON.stringify(report, null, 1));
  writeFileSync(join(dir, 'report.md'), renderMarkdown(report));
  writeFileSync(join(dir, 'report.html'), renderHtml(report));
  return report;
}

/** The summary table, as printed at the end of `make compare`. */
export function summaryLines(r: Report): string[] {
  const lines: string[] = [];
  const pad = (s: string, n: number) => s.padEnd(n);
  const f2 = (x: number | null | undefined, d = 2) => (x === null || x === undefined ? '-' : x.toFixed(d));
  lines.push(`/hello: capacity ${r.hello.capacity ?? '-'} req/s at p99 < ${r.slo.hello.p99Ms} ms (${r.hello.end ?? 'not measured'}; ${r.hello.vsSeed !== null ? `${f2(r.hello.vsSeed, 1)}x the Django 1500` : '-'}), wrk closed loop ${r.hello.wrk ? `${r.hello.wrk.requestsPerSec.toFixed(0)} req/s at service CPU ${f2(r.hello.wrk.serviceCpuCores)}${r.hello.wrk.generatorCpuShare > GENERATOR_CPU_LIMIT ? ' (wrk-limited)' : ''}` : '-'}; breaks: ${r.hello.diagnosis.detail}`);
  lines.push('');
  lines.push(`${pad('engine', 12)}${pad('mode', 8)}${pad('alone s', 9)}${pad('cap req/s', 11)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('vs Django', 11)}${pad('/hello p99 ms mixed', 21)}breaks first`);
  for (const h of r.heavy) {
    const mix = r.mixed.runs.find((x) => x.engine === h.engine && x.mode === h.mode);
    if (!h.available) {
      lines.push(`${pad(h.engine, 12)}${pad(h.mode, 8)}UNAVAILABLE: ${h.reason}`);
      continue;
    }
    lines.push(
      `${pad(h.engine, 12)}${pad(h.mode, 8)}${pad(f2(h.serviceTimeSec, 3), 9)}${pad(f2(h.capacity), 11)}${pad(f2(h.atCapacity?.latencyMs.p50, 0), 9)}${pad(f2(h.atCapacity?.latencyMs.p99, 0), 9)}${pad(h.vsSeed.capacityRatio !== null ? `${f2(h.vsSeed.capacityRatio, 1)}x` : '-', 11)}${pad(mix ? f2(mix.hello.latencyMs.p99, 1) : '-', 21)}${h.diagnosis.bottleneck}`,
    );
  }
  if (r.mixed.baseline) lines.push(`(/hello alone at ${r.mixed.runs[0]?.helloRate ?? ''}/s: p99 ${f2(r.mixed.baseline.latencyMs.p99, 2)} ms)`);
  for (const n of r.notes) lines.push(`NOTE: ${n}`);
  return lines;
}

export function printSummary(r: Report): void {
  console.log(`\n== summary (${r.run.id}, ${r.run.status})`);
  for (const l of summaryLines(r)) console.log(l);
}

async function main(): Promise<void> {
  const dir = process.argv[2] ?? process.env['RUN'];
  if (!dir) {
    console.error('usage: report.js <run folder>   (make report RUN=reports/<UTC time>)');
    process.exit(2);
  }
  if (!existsSync(join(dir, 'manifest.json'))) {
    console.error(`${dir} has no manifest.json: not a compare run folder`);
    process.exit(2);
  }
  const report = await buildReport(dir);
  printSummary(report);
  console.log(`\nwrote ${join(dir, 'report.json')}, report.md, report.html`);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  main().catch((err) => {
    console.error('fatal:', err);
    process.exit(1);
  });
}
