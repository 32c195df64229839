import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Throttling } from '../../lab/proc.js';
import type { Plan } from './plan.js';
import type { SearchEnd } from './search.js';

/**
 * The manifest of one run (`manifest.json` in the run folder): everything measured that is not in
 * the raw vegeta/wrk files, plus what each raw file is. The report is built from this and the raw
 * files only, so `make report RUN=...` rebuilds it with no load and no service.
 */
export interface Manifest {
  readonly version: 1;
  readonly plan: Plan;
  startedAt: string;
  finishedAt: string | null;
  status: 'running' | 'complete' | 'interrupted' | 'failed';
  failure: string | null;
  environment: Environment;
  /** The run-constrained state at start and at the end (limits, method, cgroup files, throttling, OOM). */
  constrained: { start: unknown; end: unknown };
  /** The service's /heavy/health/ answer once started: engines, limits, scheduler settings. */
  health: HealthAnswer | null;
  verification: Verification | null;
  /** Every command that ran, in order, exactly as echoed. */
  commands: { at: string; command: string }[];
  steps: StepRecord[];
  searches: SearchRecord[];
  /** Service CPU and RSS sampled from /proc, one line per second: `samples.jsonl`. */
  samplesFile: string;
  /**
   * `instance`: the service's METRICS_INSTANCE; every query keeps only its series. `startTime`: when
   * that Prometheus started (its runtimeinfo), to tell a restart during the run.
   */
  prometheus: { url: string; available: boolean; note: string; instance?: string; startTime?: string | null };
  notes: string[];
  /** The peers measured after the lab (peers/), each under its own run-constrained. */
  peers?: Record<string, PeerRecord>;
}

/** One peer of a run: how it ran, what it answered when checked, and its limits' counters. */
export interface PeerRecord {
  /** The run-constrained state at start and at the end (state file constrained-<peer>.json). */
  constrained: { start: unknown; end: unknown };
  /** Its /heavy/health/ answer once started. */
  health: Record<string, unknown> | null;
  /** Known answers of its heavy endpoint (Django), before any load on it. */
  verification: Verification | null;
  /** Its /hello primer answer, checked before any load: `ok` or what it answered instead. */
  hello: string | null;
  /** A peer that could not be measured says why; the run fails with it. */
  failure: string | null;
}

export interface Environment {
  cpuModel: string;
  cpus: number;
  kernel: string;
  node: string;
  rustc: string;
  vegeta: string;
  pacer: string;
  wrk: string;
  commit: string;
  /** Build flags of the compiled engines, from their build-info files. */
  builds: Record<string, unknown>;
  /** The core(s) the service and the load generators were pinned to, or null when not pinned. */
  pinning: { service: string | null; generator: string | null; why: string };
  serviceEnv: Record<string, string>;
  /** Cores busy over 2 s before anything started: other load on the machine. */
  busyCoresBeforeStart: number | null;
  loadAverage: number[];
}

export interface HealthAnswer {
  engines: Record<string, { available: boolean; description?: string; reason?: string }>;
  limits: { cpus: number | null; memory_bytes: number | null; cgroup_version: number | null };
  pool_size: number;
  queue_max: number;
  deadline_ms: number;
  node: string;
  pid: number;
  uws?: { native: boolean; version: string; package?: string; detail?: string };
  heavy: SchedulerStats;
}

export interface SchedulerStats {
  in_flight: number;
  running: number;
  queued: number;
  shed: number;
  deadlineDropped: number;
  clientCancelled: number;
}

export interface Verification {
  ok: boolean;
  /** One entry per engine x mode x workload checked. */
  checks: { engine: string; mode: string; primeLimit: number; hashRounds: number; ok: boolean; expected: string; got: string }[];
  unavailable: Record<string, string>;
}

export type { Throttling };

export type Scenario = 'hello-warmup' | 'hello' | 'hello-wrk' | 'heavy-warmup' | 'heavy' | 'mixed-baseline' | 'mixed';

export interface StepRecord {
  id: string;
  /** The service measured: absent or `lab` for the lab's server, else a peer's name. */
  target?: string;
  scenario: Scenario;
  engine: string | null;
  mode: string | null;
  /** Offered rate, requests/s (heavy rate in mixed; null for closed-loop wrk and sequential warm-ups). */
  rate: number | null;
  /** The /hello rate alongside heavy load (mixed only). */
  helloRate: number | null;
  /** Heavy rate as a fraction of the measured capacity (mixed only). */
  fraction: number | null;
  durationSec: number;
  /** The id of the failed step this one measures again at the same rate (verdict.ts, worthRepeating). */
  repeatOf?: string;
  /** Raw result files, relative to the run folder. */
  files: { bin?: string; helloBin?: string; heavyBin?: string; wrk?: string; json?: string /** pacer's JSON output (/hello search steps). */; pacer?: string };
  commands: string[];
  startMs: number;
  endMs: number;
  generators: GeneratorUse[];
  throttling: { before: Throttling | null; after: Throttling | null };
  /** Service CPU seconds (user+system, /proc) at start and end. */
  serviceCpuSec: { before: number | null; after: number | null };
  /** CPU seconds statsd_exporter + Prometheus used during the step: the metrics pipeline's own cost. */
  monitoringCpuSec?: number;
  serviceRssMaxBytes: number | null;
  /** /proc/stat busy and total jiffies of each core before and after: who else used the machine. */
  coreTimes: { before: { busy: number; total: number }[]; after: { busy: number; total: number }[] };
  /** TCP listen-queue overflows and drops (machine-wide) before and after. */
  listen: { before: { overflows: number; drops: number } | null; after: { overflows: number; drops: number } | null };
  health: { before: SchedulerStats | null; after: SchedulerStats | null };
  /** Instant Prometheus queries over the step's window, with the queries themselves. */
  prometheus: Record<string, { query: string; value: number | null }>;
  /** The service's CPU limit, where a scaling run varies it (absent: the run's one limit). */
  cpus?: number;
  /** Answers counted in the same window per route x engine x mode: whose they were. */
  prometheusSeries?: { query: string; series: AnsweredSeries[] | null };
}

/** Answers of one route x engine x mode in a step's window, as statsd_exporter counted them. */
export interface AnsweredSeries {
  route: string;
  engine: string;
  mode: string;
  count: number;
}

export interface GeneratorUse {
  tool: string;
  command: string;
  exitCode: number;
  wallSec: number;
  cpuSec: number;
  cpuShare: number;
}

export interface SearchRecord {
  scenario: 'hello' | 'heavy';
  /** As in StepRecord: absent or `lab`, else a peer's name. */
  target?: string;
  engine: string | null;
  mode: string | null;
  /** Heavy: the rate the warm-up timings predicted (CPUs / median service time). */
  estimate: number | null;
  end: SearchEnd;
  stepIds: string[];
  /** The service's CPU limit during this search, in a scaling run. */
  cpus?: number;
}

export function manifestPath(runDir: string): string {
  return join(runDir, 'manifest.json');
}

/** Writes atomically: a run stopped mid-write still leaves the previous complete manifest. */
export function writeManifest(runDir: string, m: Manifest): void {
  const file = manifestPath(runDir);
  writeFileSync(`${file}.tmp`, JSON.stringify(m, null, 1));
  renameSync(`${file}.tmp`, file);
}

export function readManifest(runDir: string): Manifest {
  return JSON.parse(readFileSync(manifestPath(runDir), 'utf8')) as Manifest;
}

/** The service a step or search measured: `lab` or a peer's name. */
export function targetOf(x: { target?: string }): string {
  return x.target ?? 'lab';
}
