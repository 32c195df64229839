/**
 * The run's context and its one step runner: every scenario (scenarios/*.ts) creates steps with
 * `newStep` and runs their load generators with `measure`, which reads every counter before and
 * after (cgroup throttling, the service's CPU and RSS, its scheduler stats, the cores of the
 * machine, the listen queue) and records the step in the manifest.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { DEFAULT_WORKLOAD, heavyQuery, readEngines, readHost, readPort, type Workload } from '../../lab/index.js';
import { runGenerator, sleep, type GeneratorRun } from './exec.js';
import { writeManifest, type Environment, type GeneratorUse, type HealthAnswer, type Manifest, type Scenario, type StepRecord } from './manifest.js';
import type { MonitoringHandle } from './monitoring.js';
import { PLANS, readPeers, SCALE_CPUS, SCALE_PAIRS, type Plan, type ProfileName } from './plan.js';
import type { Progress } from './progress.js';
import { cpuBetween, monitoringPids, processesCpuSec, serviceUsage, readCoreTimes, readListenDrops, readThrottling, type Sampler } from '../../lab/proc.js';
import { METRICS_LAG_MS, Prometheus } from './prometheus.js';
import { ConstrainedService } from './service.js';
import type { StepSummary } from '../../lab/generators/summary.js';
import { vegetaPath } from '../../lab/generators/vegeta.js';
import { NOISE_CORES, type MachineLoad } from './verdict.js';

export interface RunOptions {
  profile: ProfileName;
  /** The run folder, relative to the repository root or absolute. */
  out: string;
  /** A scaling run (scenarios/scale.ts): heavy pool engines at several CPU limits, nothing else. */
  scale?: boolean;
}

/** One load generator of a step: its argv and the file its stdout goes to. */
export interface GeneratorSpec {
  tool: string;
  argv: string[];
  out: string;
}

export class Run {
  readonly dir: string;
  readonly plan: Plan;
  readonly manifest: Manifest;
  /** The service being measured: the lab's, then each peer's in turn (scenarios/peers.ts). */
  service: ConstrainedService;
  /** `lab`, or the name of the peer being measured: steps, raw files and URLs follow it. */
  target = 'lab';
  readonly prom: Prometheus;
  readonly abort = new AbortController();
  readonly vegeta = vegetaPath();
  readonly wrk = process.env['WRK'] ?? 'wrk';
  /** Core of the load generators (and monitoring), or null on a 1-core machine. */
  readonly genCpu: string | null;
  /** The service's METRICS_INSTANCE: Prometheus numbers are this server's alone (prometheus.ts). */
  readonly metricsInstance = `compare-${process.pid}-${Date.now().toString(36)}`;
  readonly serviceCpu: string | null;
  sampler: Sampler | null = null;
  monitoring: MonitoringHandle | null = null;
  health: HealthAnswer | null = null;
  /** Set once the available engines are known (run.ts). */
  progress: Progress | null = null;
  #stepNo = 0;
  /** When the run's last traffic to the service ended (ms), to keep the steps' metrics apart. */
  #trafficEndMs = 0;

  constructor(opts: RunOptions) {
    // Relative to the repository root (every tool runs from it), so the recorded commands read
    // the same on any machine.
    this.dir = relative(process.cwd(), resolve(opts.out)) || '.';
    mkdirSync(join(this.dir, 'runs'), { recursive: true });
    const base = PLANS[opts.profile];
    this.plan = opts.scale
      ? {
          ...base,
          engines: SCALE_PAIRS.map(([e]) => e),
          modes: ['pool'],
          // Two more steps per search, and steps of at least 8 s: a rate just above capacity must
          // build a queue long enough to fail within one step, or the table shows lower bounds.
          heavy: {
            ...base.heavy,
            minStepSec: Math.max(8, base.heavy.minStepSec),
            maxStepSec: Math.max(12, base.heavy.maxStepSec),
            search: { ...base.heavy.search, maxSteps: base.heavy.search.maxSteps + 2 },
          },
          peers: { ...base.peers, names: readPeers(process.env, []) },
          scale: { cpus: SCALE_CPUS },
        }
      : { ...base, engines: readEngines(process.env, base.engines), peers: { ...base.peers, names: readPeers(process.env, base.peers.names) } };
    this.service = new ConstrainedService(readHost(), readPort(), this.dir);
    this.prom = new Prometheus(process.env['PROMETHEUS_URL'] ?? 'http://127.0.0.1:9090');
    const twoCores = availableParallelism() >= 2;
    // The service is not pinned by default: like `docker --cpus=1`, its threads may run on any core
    // and the CFS quota throttles them, which is part of what the lab shows. PIN_SERVICE=1 pins it
    // to core 0, where the quota can never bite (one core cannot exceed one CPU).
    this.serviceCpu = twoCores && process.env['PIN_SERVICE'] === '1' ? '0' : null;
    this.genCpu = twoCores ? '1' : null;
    this.manifest = {
      version: 1,
      plan: this.plan,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      status: 'running',
      failure: null,
      environment: {} as Environment,
      constrained: { start: null, end: null },
      health: null,
      verification: null,
      commands: [],
      steps: [],
      searches: [],
      samplesFile: 'samples.jsonl',
      prometheus: { url: this.prom.url, available: false, note: 'not started' },
      notes: [],
    };
    this.save();
  }

  save(): void {
    writeManifest(this.dir, this.manifest);
  }

  log = (command: string): void => {
    console.log(`+ ${command}`);
    this.manifest.commands.push({ at: new Date().toISOString(), command });
  };

  note(text: string): void {
    console.log(`! ${text}`);
    this.manifest.notes.push(text);
  }

  /** A path relative to the run folder, as the manifest records files. */
  rel(file: string): string {
    return relative(this.dir, file);
  }

  /** A folder under runs/ for one scenario's raw results. */
  runsDir(name: string): string {
    const dir = this.target === 'lab' ? join(this.dir, 'runs', name) : join(this.dir, 'runs', this.target, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** Writes a vegeta targets file under runs/ and returns its path. */
  targets(name: string, lines: string[]): string {
    const file = join(this.dir, 'runs', `${this.target === 'lab' ? '' : `${this.target}-`}${name}.targets`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  }

  heavyUrl(engine: string, mode: string, w: Workload = DEFAULT_WORKLOAD): string {
    // A peer has one implementation: the seed's URL, without the lab's impl and mode.
    if (this.target !== 'lab') return `${this.service.baseUrl}/heavy/cpu-io-no-db/?${heavyQuery(w)}`;
    return `${this.service.baseUrl}/heavy/cpu-io-no-db/?${heavyQuery(w, engine, mode)}`;
  }

  get helloUrl(): string {
    return `${this.service.baseUrl}/hello`;
  }

  /** Marks the end of traffic sent outside `measure` (verification, warm-ups), for the next step's wait. */
  /**
   * Waits until the metrics of the run's earlier traffic are in Prometheus (with Prometheus up):
   * before every measured step and every unmeasured request (primers, warm-ups), so no step's
   * window holds answers that are not its own.
   */
  async quiet(): Promise<void> {
    if (this.manifest.prometheus.available) await sleep(this.#trafficEndMs + METRICS_LAG_MS - Date.now(), this.abort.signal);
  }

  trafficDone(): void {
    this.#trafficEndMs = Date.now();
  }

  newStep(scenario: Scenario, engine: string | null, mode: string | null, label: string): StepRecord {
    this.#stepNo++;
    const id = `${String(this.#stepNo).padStart(3, '0')}-${this.target === 'lab' ? '' : `${this.target}-`}${label}`;
    return {
      id,
      ...(this.target === 'lab' ? {} : { target: this.target }),
      scenario,
      engine,
      mode,
      rate: null,
      helloRate: null,
      fraction: null,
      durationSec: 0,
      files: {},
      commands: [],
      startMs: 0,
      endMs: 0,
      generators: [],
      throttling: { before: null, after: null },
      serviceCpuSec: { before: null, after: null },
      serviceRssMaxBytes: null,
      coreTimes: { before: [], after: [] },
      listen: { before: null, after: null },
      health: { before: null, after: null },
      prometheus: {},
    };
  }

  /**
   * Runs one step's generators together, with every counter read before and after: cgroup
   * throttling, the service's CPU, its scheduler stats, its RSS peak; the step's Prometheus
   * numbers are asked at the end of the run (prometheus.ts). With Prometheus up, a step starts
   * no sooner than METRICS_LAG_MS after the previous traffic, so no window holds two steps.
   */
  async measure(step: StepRecord, generators: GeneratorSpec[]): Promise<GeneratorRun[]> {
    this.abort.signal.throwIfAborted();
    // The previous traffic's metrics must be in Prometheus before this step starts, or its window
    // would count them (prometheus.ts).
    await this.quiet();
    if (this.progress) console.log(this.progress.begin(step));
    const pid = this.service.pid;
    const cpuStat = this.service.cpuStatFile;
    step.health.before = (await this.service.health())?.heavy ?? null;
    step.throttling.before = readThrottling(cpuStat);
    step.serviceCpuSec.before = serviceUsage(pid, cpuStat)?.cpuSec ?? null;
    this.sampler?.takeRssMax();
    const monitors = monitoringPids();
    const monBefore = processesCpuSec(monitors);
    step.coreTimes.before = readCoreTimes();
    step.listen.before = readListenDrops();
    step.startMs = Date.now();
    const runs = await Promise.all(generators.map((g) => runGenerator(g.argv, g.out, this.genCpu, this.abort.signal)));
    step.endMs = Date.now();
    step.coreTimes.after = readCoreTimes();
    step.listen.after = readListenDrops();
    step.monitoringCpuSec = cpuBetween(monBefore, processesCpuSec(monitors));
    step.throttling.after = readThrottling(cpuStat);
    step.serviceCpuSec.after = serviceUsage(pid, cpuStat)?.cpuSec ?? null;
    step.serviceRssMaxBytes = this.sampler?.takeRssMax() ?? null;
    step.commands = runs.map((r) => r.command);
    for (const r of runs) this.manifest.commands.push({ at: new Date(step.startMs).toISOString(), command: r.command });
    step.generators = runs.map(
      (r, i): GeneratorUse => ({ tool: generators[i]!.tool, command: r.command, exitCode: r.exitCode, wallSec: r.wallSec, cpuSec: r.userSec + r.sysSec, cpuShare: r.cpuShare }),
    );
    for (const r of runs) {
      if (r.exitCode !== 0 && !this.abort.signal.aborted) throw new Error(`load generator failed (exit ${r.exitCode}): ${r.command}\n${r.stderr}`);
    }
    // Heavy work still queued when the attack ends would spill into the next step.
    step.health.after = await this.service.drain(40_000, this.abort.signal);
    this.trafficDone();
    this.manifest.steps.push(step);
    this.save();
    await sleep(this.plan.pauseSec * 1000, this.abort.signal);
    return runs;
  }
}

/** The console line of one measured step of a capacity search. */
export function stepLine(what: string, s: StepSummary, pass: boolean, limited: boolean, runs: GeneratorRun[], why: string[], load: MachineLoad | null): void {
  const gen = Math.max(...runs.map((r) => r.cpuShare));
  const verdict = limited ? 'GENERATOR-LIMITED' : pass ? 'pass' : `FAIL (${why.join('; ')})`;
  const core = load?.generatorCoreBusy != null ? `, its core ${(load.generatorCoreBusy * 100).toFixed(0)}% busy` : '';
  const other = load?.otherCores != null && load.otherCores > NOISE_CORES ? `; NOISY: other processes used ${load.otherCores.toFixed(2)} cores` : '';
  console.log(
    `   ${what}: ${s.requests} req, sent ${s.sentRate.toFixed(1)}/s, ok ${(s.success * 100).toFixed(1)}%, p50 ${s.latencyMs.p50.toFixed(2)} ms, p99 ${s.latencyMs.p99.toFixed(2)} ms; generator ${(gen * 100).toFixed(0)}% of a core${core}${other} -> ${verdict}`,
  );
}
