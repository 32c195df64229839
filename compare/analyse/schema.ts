/**
 * What the analysis of a run folder gives (collect.ts): every number of the report, and the facts
 * its words are made of, but no words. report/compose.ts turns it into the report
 * (report/schema.ts, whose JSON Schema is report/report.schema.json).
 */
import type { CostReport } from './cost.js';
import type { Manifest } from '../measure/manifest.js';
import type { Plan } from '../measure/plan.js';
import type { CapacityBound, HelloCeiling } from './bound.js';
import type { Distrust } from './prometheus-trust.js';
import type { ScalingReport } from './scaling.js';
import type { SEED_QUOTED } from '../../lab/facts.js';
import type { StepSummary } from '../../lab/generators/summary.js';
import type { HeavyBodies } from '../measure/heavy-bodies.js';

export const REPORT_SCHEMA_ID = 'backend-bottleneck-lab/compare-report/1';

export interface StepResult {
  id: string;
  rate: number | null;
  durationSec: number;
  /** The id of the failed step this one measured again at the same rate; absent for a first try. */
  repeatOf?: string;
  requests: number;
  sentRate: number;
  throughput: number;
  success: number;
  errors: number;
  statusCodes: Record<string, number>;
  latencyMs: StepSummary['latencyMs'];
  pass: boolean;
  generatorLimited: boolean;
  generatorCpuShare: number;
  /** Service CPU in cores over the step, from /proc (null when its pid was unknown). */
  serviceCpuCores: number | null;
  serviceRssMaxBytes: number | null;
  throttling: { periods: number; throttled: number; throttledMs: number; share: number } | null;
  shed: number | null;
  deadlineDropped: number | null;
  /** Prometheus over the step's window; empty when its counts show other senders mixed in. */
  prometheus: Record<string, number | null>;
  /** Why its Prometheus numbers are not used (prometheus-trust.ts); null when they are, or were not asked. */
  prometheusDistrust: Distrust | null;
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
  /** What it was judged on (diagnose.ts); report/diagnosis-text.ts says it in words. */
  evidence: Evidence;
}

export type Evidence =
  | { kind: 'unavailable'; reason: string | null }
  | { kind: 'not-measured' }
  | { kind: 'capped' }
  | { kind: 'open' }
  | { kind: 'generator'; step: StepResult }
  /** A /hello failure above the measurement's own ceiling (bound.ts), with the step's own diagnosis. */
  | { kind: 'hello-ceiling'; firstFailure: number; ceiling: HelloCeiling; inner: Diagnosis }
  | {
      kind: 'failure';
      fail: StepResult;
      slo: { p95?: number; p99: number };
      quota: number;
      memoryBytes: number | null;
      queueMax: number | null;
      deadlineMs: number | null;
      alone: Alone | null;
      /** Service CPU (cores) and RSS peak (bytes) at the failing step, /proc or Prometheus. */
      cpu: number | null;
      rss: number;
      /** Answers shed by admission control (503 OVERLOADED) and dropped past their deadline. */
      overloaded: number;
      deadline: number;
      /** Inline compute held the event loop: finished file I/O waited far longer than alone. */
      ioStalled: boolean;
    };

export interface HeavyResult {
  engine: string;
  mode: string;
  available: boolean;
  reason: string | null;
  estimate: number | null;
  serviceTimeSec: number | null;
  cpuTimeSec: number | null;
  capacity: number | null;
  /** What limited the capacity: only 'service' makes it the service's (bound.ts). */
  bound: CapacityBound;
  firstFailure: number | null;
  end: string | null;
  atCapacity: StepResult | null;
  steps: StepResult[];
  diagnosis: Diagnosis;
  /** Against the seed's QUOTED Django figures (context only). */
  vsSeed: { speedup: number | null; capacityRatio: number | null };
  /**
   * Against the Django peer measured in this run: capacity / Django's capacity, and Django's
   * service time alone / this one's. Null when Django was not measured.
   */
  vsDjango: { speedup: number | null; capacityRatio: number | null };
}

/** /hello of one service: the open-model search, and wrk's closed loop. */
export interface HelloResult {
  capacity: number | null;
  /** What limited the capacity: only 'service' makes it the service's (bound.ts). */
  bound: CapacityBound;
  /** The CPU quota (cores) the service ran under. */
  quota: number;
  /** The open-model generator of the search (pacer; oha or vegeta in runs made before it). */
  generator: string;
  firstFailure: number | null;
  end: string | null;
  steps: StepResult[];
  atCapacity: StepResult | null;
  wrk: {
    requestsPerSec: number;
    latencyMs: Record<string, number>;
    requests: number;
    errors: number;
    generatorCpuShare: number;
    serviceCpuCores: number | null;
    command: string;
  } | null;
  diagnosis: Diagnosis;
}

/** A peer (peers/) measured in the same run, under the same limits, generator and checks. */
export interface PeerResult {
  name: string;
  /** Its health answer: what it is (stack and versions). */
  health: Record<string, unknown> | null;
  measured: boolean;
  failure: string | null;
  /** Known answers of its heavy endpoint before any load (Django), and its /hello primer. */
  verification: Manifest['verification'];
  helloCheck: string | null;
  limits: { method: string; constrained: ConstrainedLimits | null; readBack: ReadBackLimits };
  /** Its cgroup's counters over its whole part of the run (run-constrained's state at exit). */
  throttlingTotal: { periods: number; throttled: number; throttledMs: number } | null;
  memoryPeakBytes: number | null;
  oomKilled: boolean | null;
  /** Largest RSS summed over its processes in any step (forked workers' shared pages count per worker). */
  rssMaxBytes: number | null;
  hello: HelloResult;
  heavy: HeavyResult | null;
  mixed: { baseline: StepSummary | null; runs: MixedResult[] };
}

export interface MixedResult {
  engine: string;
  mode: string;
  fraction: number;
  heavyRate: number;
  helloRate: number;
  hello: StepSummary;
  heavy: StepSummary | null;
  serviceCpuCores: number | null;
  eventLoopMaxSec: number | null;
  generatorLimited: boolean;
}

/** The limits run-constrained set (its state file), as numbers. */
export interface ConstrainedLimits {
  method: string | null;
  cpuQuotaUs: number | null;
  cpuPeriodUs: number | null;
  memoryBytes: number | null;
  swapBytes: number | null;
  heapMb: number | null;
}

/** The limits a service read back from its own cgroup (its health answer). */
export interface ReadBackLimits {
  cpus: number | null;
  memoryBytes: number | null;
  cgroupVersion: number | null;
}

/** What the method section is written from: the plan and how this run went. */
export interface MethodFacts {
  plan: Plan;
  /** run-constrained's method and (Docker) image. */
  limitMethod: string | null;
  image: string | null;
  node: string | null;
  pinning: string | null;
  checks: number;
  repeats: number;
}

export interface Analysis {
  schema: typeof REPORT_SCHEMA_ID;
  run: { id: string; startedAt: string; finishedAt: string | null; status: string; failure: string | null; profile: string; builtAt: string };
  methodFacts: MethodFacts;
  environment: Manifest['environment'] & {
    limits: {
      cpus: number | null;
      memoryBytes: number | null;
      method: string;
      constrained: ConstrainedLimits | null;
      readBack: ReadBackLimits;
      oomKilled: boolean;
      memoryPeakBytes: number | null;
    };
    service: {
      poolSize: number | null;
      queueMax: number | null;
      deadlineMs: number | null;
      uws: { native: boolean; version: string; package?: string; detail?: string; node: string } | null;
    };
    prometheus: Manifest['prometheus'];
  };
  slo: { hello: { p99Ms: number }; heavy: { p50Ms: number; p95Ms: number; p99Ms: number } };
  seed: typeof SEED_QUOTED;
  /** `reason`: why an engine is unavailable; null for one the service did not report at all. */
  engines: Record<string, { available: boolean; description: string | null; reason: string | null }>;
  verification: Manifest['verification'];
  hello: HelloResult & {
    /** Capacity / the seed's QUOTED 1500 req/s (context only). */
    vsSeed: number | null;
    /** Capacity and wrk req/s divided by each peer's, measured in this run. */
    vsPeers: Record<string, { capacityRatio: number | null; wrkRatio: number | null }>;
    /**
     * The /hello measurement's own ceiling in this run (bound.ts, from the bare uWS peer): null when
     * that peer was not measured, never failed, or failed at its own CPU limit.
     */
    ceiling: HelloCeiling | null;
  };
  heavy: HeavyResult[];
  peers: PeerResult[];
  mixed: { baseline: StepSummary | null; runs: MixedResult[] };
  timeline: { points: { t: number; cpu: number; rssMb: number; throttledMs: number | null }[]; phases: { label: string; start: number; end: number }[] };
  throttlingTotal: { periods: number; throttled: number; throttledMs: number } | null;
  /** Heavy capacity per CPU limit (a `SCALE=1` run only; null otherwise). */
  scaling?: ScalingReport | null;
  /** Cost per million requests from the measured capacities and the rates file (null: none measured at 1 CPU). */
  cost?: CostReport | null;
  notes: NoteFacts;
  commands: { at: string; command: string }[];
}

/** What the report's notes say, as facts. */
export interface NoteFacts {
  /** The run's own notes (manifest.json), as the run wrote them. */
  run: string[];
  /** Why there is no cost table: the rates file's problem, or the CPU limit it ran under. */
  noCost: { ratesError: string } | { quota: number } | null;
  /** Steps whose Prometheus numbers are not used, of all measured steps, and the first one's reason. */
  untrusted: { count: number; of: number; first: Distrust } | null;
  /** Steps that ran beside busy processes, of all, and the most cores those used. */
  noisy: { count: number; of: number; worstCores: number; limit: number } | null;
  /** A run that did not complete: its status and failure. */
  incomplete: { status: string; failure: string | null } | null;
}

/** Service time of one request alone (the warm-up medians), to compare a loaded step with. */
export interface Alone {
  totalSec: number | null;
  cpuSec: number | null;
  ioSec: number | null;
}
