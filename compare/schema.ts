/**
 * The report's schema: every number `make compare` computes (collect.ts) and the reporters
 * (text.ts, markdown.ts, html.ts) print. report.schema.json is its JSON Schema.
 */
import type { CostReport } from './cost.js';
import type { Manifest } from './manifest.js';
import type { CapacityBound, HelloCeiling } from './bound.js';
import type { ScalingReport } from './scaling.js';
import type { SEED_QUOTED } from '../lab/facts.js';
import type { StepSummary } from '../lab/generators/summary.js';
import type { HeavyBodies } from './heavy-bodies.js';

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
  wrk: { requestsPerSec: number; latencyMs: Record<string, number>; requests: number; errors: number; generatorCpuShare: number; serviceCpuCores: number | null; command: string } | null;
  diagnosis: Diagnosis;
}

/** A peer (peers/) measured in the same run, under the same limits, generator and checks. */
export interface PeerResult {
  name: string;
  /** What it is: stack and settings, from its health answer. */
  description: string;
  measured: boolean;
  failure: string | null;
  /** Known answers of its heavy endpoint before any load (Django), and its /hello primer. */
  verification: Manifest['verification'];
  helloCheck: string | null;
  limits: { method: string; detail: string };
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
  seed: typeof SEED_QUOTED;
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
  notes: string[];
  commands: { at: string; command: string }[];
}


/** Service time of one request alone (the warm-up medians), to compare a loaded step with. */
export interface Alone {
  totalSec: number | null;
  cpuSec: number | null;
  ioSec: number | null;
}

