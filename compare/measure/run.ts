/**
 * The measuring half of `make compare` (compare/run.ts): verify every engine, then find where each
 * breaks under 1 CPU and 256 MB, writing the run folder. Arguments of `node dist/compare/run.js`:
 *
 *   [--profile quick|default|long] [--scale] [--out reports/<UTC time>]
 *
 * --scale (`make compare SCALE=1`): heavy native/pool and wasm/pool at CPU limits 0.5, 1 and 2
 * instead of the usual scenarios (scenarios/scale.ts); the report adds the scaling table.
 *
 * Environment: HOST/PORT (the service, loopback only), ENGINES (comma list, overrides the
 * profile's), PROMETHEUS_URL (default http://127.0.0.1:9090), VEGETA/WRK (tool paths).
 *
 * Order of a run, TechEmpower's: start monitoring and the service, verify answers, then per
 * scenario a primer, a warm-up, and the measured steps; raw results of every step are kept under
 * runs/, the rest in manifest.json; the report is built from those files alone (compare/report.ts).
 *
 * The parts: runner.ts (the run's context and its one step runner), environment.ts, verify.ts,
 * scenarios/ (hello, heavy, mixed, peers, scale), prometheus.ts.
 */
import { join, relative } from 'node:path';
import { heavyReference } from '../../lab/index.js';
import { captureEnvironment } from './environment.js';
import type { Manifest } from './manifest.js';
import { startMonitoring, stopMonitoring } from './monitoring.js';
import { rotate, type ProfileName } from './plan.js';
import { Sampler } from '../../lab/proc.js';
import { plannedPhases, Progress } from './progress.js';
import { queryPrometheus } from './prometheus.js';
import { Run, type RunOptions } from './runner.js';
import { heavy } from './scenarios/heavy.js';
import { hello } from './scenarios/hello.js';
import { mixed } from './scenarios/mixed.js';
import { scale } from './scenarios/scale.js';
import { peers, stopPeer } from './scenarios/peers.js';
import { targetOf } from './manifest.js';
import { NOISE_CORES } from './verdict.js';
import { verificationFailure, verify } from './verify.js';

export function parseArgs(argv: string[]): RunOptions {
  let profile: ProfileName = 'default';
  let out = '';
  let scale = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--profile') {
      const p = argv[++i];
      if (p !== 'quick' && p !== 'default' && p !== 'long') throw new Error(`--profile must be quick, default or long (got "${p}")`);
      profile = p;
    } else if (a === '--scale') {
      scale = true;
    } else if (a === '--out') {
      out = argv[++i] ?? '';
    } else {
      throw new Error(`unknown argument "${a}"; usage: run.js [--profile quick|default|long] [--scale] [--out DIR]`);
    }
  }
  if (out === '')
    out = join(
      'reports',
      new Date()
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d+Z$/, 'Z'),
    );
  return { profile, out, scale };
}

/** The whole measured part of a run: monitoring, service, verification, then the scenarios. */
async function execute(run: Run): Promise<void> {
  run.manifest.environment = await captureEnvironment(run);
  const busy = run.manifest.environment.busyCoresBeforeStart;
  if (busy !== null && busy > NOISE_CORES) {
    run.note(
      `the machine was already busy before the run: ${busy.toFixed(2)} cores used by other processes (load average ${run.manifest.environment.loadAverage.map((x) => x.toFixed(2)).join(' ')}); expect NOISY steps`,
    );
  }
  run.save();
  // Not pinned: at high /hello rates statsd_exporter needs a good part of a core, which on the
  // generators' core would starve vegeta; elsewhere it uses what the service leaves idle, and
  // its CPU is measured per step either way.
  const mon = await startMonitoring(run.log, run.prom.url, null, run.dir);
  run.monitoring = mon;
  run.manifest.prometheus = {
    url: run.prom.url,
    available: mon.available,
    note: mon.note,
    instance: run.metricsInstance,
    startTime: mon.available ? await run.prom.startTime() : null,
  };
  if (!mon.available) run.note(mon.note);
  run.save();
  run.abort.signal.throwIfAborted();
  run.health = await run.service.start(run.log, run.serviceCpu, { STATSD_HOST: '127.0.0.1', STATSD_PORT: '9125', METRICS_INSTANCE: run.metricsInstance }, run.abort.signal);
  run.manifest.health = run.health;
  run.manifest.constrained.start = run.service.readState();
  run.save();
  run.sampler = new Sampler(join(run.dir, 'samples.jsonl'), run.service.pid, run.service.cpuStatFile);
  run.sampler.start();
  if (run.service.pid === null) run.note('the service pid is unknown (Docker method?): no /proc CPU/RSS samples; Prometheus only');
  if (run.service.cpuStatFile === null) run.note('no cgroup cpu.stat path in the run-constrained state: throttling counters not sampled');

  const available: string[] = [];
  const unavailable: Record<string, string> = {};
  for (const e of run.plan.engines) {
    const st = run.health.engines[e];
    if (st?.available) available.push(e);
    else unavailable[e] = st?.reason ?? 'not registered by the server';
  }
  for (const [e, why] of Object.entries(unavailable)) run.note(`ENGINE ${e} UNAVAILABLE: ${why}; no numbers for it`);
  if (!run.plan.scale) run.progress = new Progress(plannedPhases(run.plan, available));

  console.log('== verify: known answers, every engine x mode');
  const v = await verify(run, available, unavailable);
  run.manifest.verification = v;
  run.save();
  if (!v.ok) throw new Error(verificationFailure(v));
  console.log(`   ${v.checks.length} checks passed`);
  const reference = heavyReference();

  if (run.plan.scale) {
    await scale(run, available, reference);
    // PEERS=django adds the Django peer at 1 CPU, so the cost table has it too.
    if (run.plan.peers.names.length > 0) await peers(run);
    return;
  }
  console.log('== /hello: primer, warm-up, capacity search, closed loop');
  await hello(run);

  const capacities = new Map<string, number>();
  for (const [mi, mode] of run.plan.modes.entries()) {
    // Each mode starts with a different engine, so none is always measured after the same one.
    for (const engine of rotate(available, mi)) {
      console.log(`== heavy ${engine}/${mode}: primer, warm-up, capacity search`);
      capacities.set(`${engine} ${mode}`, await heavy(run, engine, mode, reference));
    }
  }
  console.log(`== mixed: /hello at ${run.plan.mixed.helloRate}/s alone, then beside heavy load`);
  await mixed(run, capacities);

  // The baselines, measured in this run under the same limits: every "vs" column divides by them.
  await peers(run);
}

/** Stops what the run started and records how it ended; Prometheus is asked here, once. */
async function finish(run: Run, status: Manifest['status'], failure: string | null): Promise<void> {
  run.sampler?.stop();
  try {
    // A reused stack belongs to someone else, who may restart it meanwhile: its TSDB would then
    // hold nothing of this run, and every step would read as missing metrics.
    const started = run.manifest.prometheus.startTime;
    const now = run.manifest.prometheus.available ? await run.prom.startTime() : null;
    if (run.manifest.prometheus.available && started && now !== started) {
      run.manifest.prometheus.available = false;
      run.note(
        now === null
          ? `Prometheus at ${run.prom.url} no longer answers at the end of the run: no Prometheus numbers`
          : `the Prometheus at ${run.prom.url} was restarted during the run (started ${started}, now ${now}): its samples of this run are gone, no Prometheus numbers`,
      );
    }
    // Only the lab's server sends StatsD (scoped to its instance): a peer's steps have no metrics to ask for.
    if (run.manifest.prometheus.available)
      await queryPrometheus(
        run.prom,
        run.manifest.steps.filter((s) => targetOf(s) === 'lab'),
        run.manifest.prometheus.instance,
      );
  } catch (err) {
    run.note(`Prometheus queries failed: ${(err as Error).message}`);
  }
  if (run.target === 'lab') {
    await run.service.stop();
    run.manifest.constrained.end = run.service.readState();
  } else {
    await stopPeer(run);
  }
  stopMonitoring(run.log, run.monitoring, run.dir);
  run.manifest.status = status;
  run.manifest.failure = failure;
  run.manifest.finishedAt = new Date().toISOString();
  run.save();
}

/** How a run ended: its folder, status, and whether it measured anything a report can show. */
export interface Measured {
  dir: string;
  status: Manifest['status'];
  measuredAnything: boolean;
}

/** The measured part of `make compare`, from its arguments: writes the run folder and says how it ended. */
export async function measure(argv: string[]): Promise<Measured> {
  const run = new Run(parseArgs(argv));
  console.log(`== make compare (${run.plan.profile}): results in ${relative(process.cwd(), run.dir)}`);
  let stopping = false;
  const onSignal = (sig: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${sig}: stopping the load, the service and the monitoring stack...`);
    run.abort.abort(new Error(`interrupted by ${sig}`));
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  let status: Manifest['status'] = 'complete';
  let failure: string | null = null;
  try {
    await execute(run);
    if (run.abort.signal.aborted) throw run.abort.signal.reason;
  } catch (err) {
    status = run.abort.signal.aborted ? 'interrupted' : 'failed';
    failure = err instanceof Error ? err.message : String(err);
    console.error(`\n${status.toUpperCase()}: ${failure}`);
  }
  await finish(run, status, failure);
  return { dir: run.dir, status, measuredAnything: run.manifest.steps.length > 0 || run.manifest.verification !== null };
}
