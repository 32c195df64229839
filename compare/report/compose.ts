/**
 * The analysis (analyse/collect.ts) in words: the report that report.json holds and every writer
 * prints. Numbers pass through as they are; this adds the sentences and drops the facts they were
 * made from, each key where report.json has always had it.
 */
import type * as A from '../analyse/schema.js';
import type { CostReport as CostNumbers } from '../analyse/cost.js';
import type { ScalingReport as ScalingNumbers } from '../analyse/scaling.js';
import type { Distrust } from '../analyse/prometheus-trust.js';
import { failureReasons } from '../measure/verdict.js';
import { diagnosisText, UNREPORTED } from './diagnosis-text.js';
import { methodText } from './method.js';
import type { CostReport, HeavyResult, HelloResult, PeerResult, Report, ScalingReport, StepResult } from './schema.js';

type Slo = { p95?: number; p99: number };

/** Why a step's Prometheus numbers are not used. */
export function distrustText(d: Distrust): string {
  switch (d.kind) {
    case 'no-counts':
      return "Prometheus had no request counts for the step: are the service's metrics reaching statsd_exporter?";
    case 'foreign':
      return `${d.scoped ? 'this service answered requests the step did not send' : 'another process sent StatsD to the same exporter'} during the step (${d.what.join(', ')}: answers for what the step did not load); its Prometheus numbers are not used`;
    case 'too-many':
      return `Prometheus counted ${d.answered.toFixed(0)} answers in the step's window for ${d.sent} requests sent (cause not known); its numbers are not used`;
    case 'too-few':
      return `Prometheus counted only ${d.answered.toFixed(0)} answers in the step's window for ${d.sent} requests sent (metrics lost or later than ${d.lagMs} ms); its numbers are not used`;
  }
}

/** `o` with some keys replaced by [new key, new value], every key where it was. */
function inPlace(o: object, change: Readonly<Record<string, (v: never) => [string, unknown]>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => (change[k] ? change[k](v as never) : [k, v])));
}

function step(s: A.StepResult, slo: Slo): StepResult {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'prometheusDistrust') out['prometheusNote'] = s.prometheusDistrust === null ? null : distrustText(s.prometheusDistrust);
    else out[k] = v;
    if (k === 'generatorCpuShare') out['reasons'] = failureReasons(s, slo, s.heavy?.wrongAnswers ?? 0);
  }
  return out as unknown as StepResult;
}

function withWords<T extends { atCapacity: A.StepResult | null; steps: A.StepResult[]; diagnosis: A.Diagnosis }>(x: T, slo: Slo): Record<string, unknown> {
  return inPlace(x, {
    atCapacity: (v: A.StepResult | null) => ['atCapacity', v === null ? null : step(v, slo)],
    steps: (v: A.StepResult[]) => ['steps', v.map((s) => step(s, slo))],
    diagnosis: (v: A.Diagnosis) => ['diagnosis', { bottleneck: v.bottleneck, detail: diagnosisText(v) }],
  });
}

function limitsDetail(c: A.ConstrainedLimits | null, readBack: A.ReadBackLimits, who: 'service' | 'peer', heapMb: boolean): string {
  if (!c) return 'unknown (no run-constrained state)';
  const q = (x: number | null) => x ?? '?';
  return `run-constrained method ${c.method ?? '?'}: cpu quota ${q(c.cpuQuotaUs)} us per ${q(c.cpuPeriodUs)} us, memory ${q(c.memoryBytes)} bytes, swap ${q(c.swapBytes)}${heapMb ? `, V8 old space ${q(c.heapMb)} MB` : ''}; read back by the ${who} from its cgroup: cpus ${q(readBack.cpus)}, memory ${q(readBack.memoryBytes)} (cgroup v${q(readBack.cgroupVersion)})`;
}

/** A one-line description of a peer from its health answer. */
function describe(name: string, h: Record<string, unknown> | null): string {
  if (!h) return name;
  if (name === 'django')
    return `Django ${String(h['django'] ?? '?')} on ${String(h['server'] ?? 'gunicorn')} (4 workers x 2 threads, timeout 120), Python ${String(h['python'] ?? '?')}`;
  if (name === 'node-http') return `node:http, no framework, Node ${String(h['node'] ?? '?')}`;
  if (name === 'uws-bare') {
    const u = (h['uws'] ?? {}) as Record<string, unknown>;
    return `bare uWebSockets.js (${String(u['package'] ?? '?')} ${String(u['version'] ?? '?')}, ${String(u['binary'] ?? '?')}): /hello only, no router, metrics or scheduler, Node ${String(h['node'] ?? '?')}`;
  }
  return name;
}

function peer(x: A.PeerResult, slo: A.Analysis['slo']): PeerResult {
  return inPlace(x, {
    health: (v: A.PeerResult['health']) => ['description', describe(x.name, v)],
    limits: (v: A.PeerResult['limits']) => ['limits', { method: v.method, detail: limitsDetail(v.constrained, v.readBack, 'peer', false) }],
    hello: (v: A.HelloResult) => ['hello', withWords(v, { p99: slo.hello.p99Ms })],
    heavy: (v: A.HeavyResult | null) => ['heavy', v === null ? null : withWords(v, { p95: slo.heavy.p95Ms, p99: slo.heavy.p99Ms })],
  }) as unknown as PeerResult;
}

/** The cost table's notes: what its figures are, and are not. */
export function costNotes(c: CostNumbers): string[] {
  return [
    `ESTIMATES from this machine's measured capacity of one 1-CPU task (not AWS hardware), ${c.pricing} prices in ${c.region} from ${c.ratesFile}: every price there names its source and the date it was read.`,
    'cost per million = task-hour price / (capacity x 3600) x 1e6; tasks = ceil(TARGET_RPS x 1.3 / capacity) (30% headroom); load balancer, data transfer, logs and idle capacity are not counted.',
    'Fargate has no 1 vCPU / 256 MB size: a task is billed as 1 vCPU / 2 GB. ARM prices are applied to capacity measured on x86.',
    ...(c.notFound ? [`Not in the rates file: ${c.notFound}`] : []),
  ];
}

function cost(c: CostNumbers): CostReport {
  const { pricing: _pricing, notFound: _notFound, ...rest } = c;
  return { ...rest, notes: costNotes(c) };
}

/** The scaling table's notes: how to read an efficiency, and how far to trust it. */
export function scalingNotes(s: ScalingNumbers): string[] {
  return [
    'Efficiency = capacity(N) / (N x capacity(1)); 1.00 is linear scaling. "~" marks an efficiency built from a capacity that is only a lower bound (the search ran out of steps before a rate failed).',
    ...(s.resolution !== null
      ? [
          `Each capacity is bracketed only to the search's resolution (the failing rate within ${Math.round(s.resolution * 100)}% of the passing one), so an efficiency carries about that much error either way: near 1, it may read above 1.`,
        ]
      : []),
    ...(s.cpus.some((n) => n >= s.cores)
      ? [
          `CPUS=${Math.max(...s.cpus)} gives the service every core of this ${s.cores}-core machine, the load generator's included: that row is a lower bound, all the more where other processes took cores meanwhile (the last column).`,
        ]
      : []),
  ];
}

function scaling(s: ScalingNumbers): ScalingReport {
  return { cpus: s.cpus, rows: s.rows, notes: scalingNotes(s) };
}

function notes(n: A.NoteFacts): string[] {
  return [
    ...n.run,
    ...(n.noCost === null
      ? []
      : 'ratesError' in n.noCost
        ? [`No cost table: ${n.noCost.ratesError}`]
        : [`No cost table: the service ran with ${n.noCost.quota} CPUs; the cost per task assumes capacity measured at 1 CPU.`]),
    ...(n.untrusted ? [`Prometheus numbers of ${n.untrusted.count} of ${n.untrusted.of} steps are not used: ${distrustText(n.untrusted.first)}`] : []),
    ...(n.noisy
      ? [
          `${n.noisy.count} of ${n.noisy.of} measured steps ran while other processes on this machine used more than ${n.noisy.limit} cores (up to ${n.noisy.worstCores.toFixed(2)}): their numbers understate the service`,
        ]
      : []),
    ...(n.incomplete ? [`RUN ${n.incomplete.status.toUpperCase()}: ${n.incomplete.failure ?? ''} (the numbers cover what was measured before)`] : []),
  ];
}

function uwsText(u: A.Analysis['environment']['service']['uws']): string {
  return u ? `${u.native ? 'native' : 'FALLBACK'} ${u.package ? `${u.package} ` : ''}${u.version}${u.detail && u.native ? ` (${u.detail})` : ''} on Node ${u.node}` : 'unknown';
}

/** The report of an analysis: every number as computed, with its words. */
export function composeReport(a: A.Analysis): Report {
  const helloSlo = { p99: a.slo.hello.p99Ms };
  const heavySlo = { p95: a.slo.heavy.p95Ms, p99: a.slo.heavy.p99Ms };
  const l = a.environment.limits;
  let detail = limitsDetail(l.constrained, l.readBack, 'service', true);
  if (l.constrained)
    detail += `${l.oomKilled ? '; THE SERVICE WAS KILLED FOR MEMORY' : ''}${l.memoryPeakBytes ? `; memory peak ${(l.memoryPeakBytes / 2 ** 20).toFixed(0)} MiB` : ''}`;
  return inPlace(a, {
    methodFacts: (v: A.MethodFacts) => ['method', methodText(v)],
    environment: (v: A.Analysis['environment']) => [
      'environment',
      inPlace(v, {
        limits: () => ['limits', { cpus: l.cpus, memoryBytes: l.memoryBytes, method: l.method, detail }],
        service: (s: A.Analysis['environment']['service']) => ['service', { ...s, uws: uwsText(s.uws) }],
      }),
    ],
    engines: (v: A.Analysis['engines']) => ['engines', Object.fromEntries(Object.entries(v).map(([k, x]) => [k, { ...x, reason: x.available ? null : (x.reason ?? UNREPORTED) }]))],
    hello: (v: A.Analysis['hello']) => ['hello', withWords(v, helloSlo) as HelloResult],
    heavy: (v: A.HeavyResult[]) => ['heavy', v.map((h) => withWords(h.available ? h : { ...h, reason: h.reason ?? UNREPORTED }, heavySlo) as HeavyResult)],
    peers: (v: A.PeerResult[]) => ['peers', v.map((x) => peer(x, a.slo))],
    scaling: (v: ScalingNumbers | null) => ['scaling', v === null ? null : scaling(v)],
    cost: (v: CostNumbers | null) => ['cost', v === null ? null : cost(v)],
    notes: (v: A.NoteFacts) => ['notes', notes(v)],
  }) as unknown as Report;
}
