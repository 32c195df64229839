/**
 * `make compare`: verify every engine, then find where each breaks under 1 CPU and 256 MB.
 *
 *   node dist/compare/run.js [--profile quick|default|long] [--out reports/<UTC time>]
 *
 * Environment: HOST/PORT (the service, loopback only), ENGINES (comma list, overrides the
 * profile's), PROMETHEUS_URL (default http://127.0.0.1:9090), VEGETA/WRK (tool paths).
 *
 * Order of a run, TechEmpower's: start monitoring and the service, verify answers, then per
 * scenario a primer, a warm-up, and the measured steps; raw results of every step are kept under
 * runs/, the rest in manifest.json, and the report is built from those files alone (report.ts).
 */
import { mkdirSync, readFileSync, writeFileSync, symlinkSync, rmSync, lstatSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { PLANS, heavyStepSec, rotate, type Plan, type ProfileName } from './plan.js';
import { CapacitySearch, roundHeavyRate, roundHelloRate } from './search.js';
import { runGenerator, outputOr, sleep, type GeneratorRun } from './exec.js';
import { attackArgs, heavyBodies, summarize, median, vegetaPath, type HeavyReference, type VegetaSummary } from './vegeta.js';
import { ConstrainedService, Prometheus, Sampler, getJson, cpuBetween, monitoringPids, procUsage, processesCpuSec, readCoreTimes, readListenDrops, readThrottling, startMonitoring, stopMonitoring, stepQueries, type MonitoringHandle } from './lab.js';
import { writeManifest, type Environment, type GeneratorUse, type HealthAnswer, type Manifest, type StepRecord, type Verification, type Scenario } from './manifest.js';
import { failureReasons, generatorLimited, heavyPasses, helloPasses, machineLoad, NOISE_CORES, type MachineLoad } from './verdict.js';
import { buildReport, printSummary } from './report.js';

/** Rest after a failed /hello step, before the next one. */
const SETTLE_AFTER_FAILURE_MS = 5000;

/** The heavy workload every capacity is measured with: the seed's defaults. */
export const DEFAULT_WORKLOAD = { primeLimit: 500_000, hashRounds: 1_000_000, ioKb: 128 } as const;

interface Args {
  profile: ProfileName;
  out: string;
}

function parseArgs(argv: string[]): Args {
  let profile: ProfileName = 'default';
  let out = '';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--profile') {
      const p = argv[++i];
      if (p !== 'quick' && p !== 'default' && p !== 'long') throw new Error(`--profile must be quick, default or long (got "${p}")`);
      profile = p;
    } else if (a === '--out') {
      out = argv[++i] ?? '';
    } else {
      throw new Error(`unknown argument "${a}"; usage: run.js [--profile quick|default|long] [--out DIR]`);
    }
  }
  if (out === '') out = join('reports', new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z'));
  return { profile, out };
}

class Run {
  readonly dir: string;
  readonly plan: Plan;
  readonly manifest: Manifest;
  readonly service: ConstrainedService;
  readonly prom: Prometheus;
  readonly abort = new AbortController();
  readonly vegeta = vegetaPath();
  readonly wrk = process.env['WRK'] ?? 'wrk';
  /** Core of the load generators (and monitoring), or null on a 1-core machine. */
  readonly genCpu: string | null;
  readonly serviceCpu: string | null;
  sampler: Sampler | null = null;
  monitoring: MonitoringHandle | null = null;
  health: HealthAnswer | null = null;
  #stepNo = 0;

  constructor(args: Args) {
    // Relative to the repository root (every tool runs from it), so the recorded commands read
    // the same on any machine.
    this.dir = relative(process.cwd(), resolve(args.out)) || '.';
    mkdirSync(join(this.dir, 'runs'), { recursive: true });
    const base = PLANS[args.profile];
    const engines = process.env['ENGINES'] ? process.env['ENGINES'].split(',').map((s) => s.trim()).filter(Boolean) : base.engines;
    this.plan = { ...base, engines };
    const host = process.env['HOST'] ?? '127.0.0.1';
    if (!/^127\.\d+\.\d+\.\d+$|^localhost$/.test(host)) throw new Error(`HOST must be a loopback address (got "${host}"): this tool attacks only this machine`);
    this.service = new ConstrainedService(host, Number(process.env['PORT'] ?? 8000), this.dir);
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

  rel(file: string): string {
    return relative(this.dir, file);
  }

  async environment(): Promise<Environment> {
    const builds: Record<string, unknown> = {};
    for (const [name, file] of [['native', 'native/build-info.json'], ['wasm', 'wasm/pkg/build-info.json']] as const) {
      try {
        builds[name] = JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        builds[name] = null;
      }
    }
    const dirty = (await outputOr('git', ['status', '--porcelain', '--untracked-files=no'], '')) !== '';
    const env: Record<string, string> = {};
    for (const k of ['POOL_SIZE', 'QUEUE_MAX', 'DEADLINE_MS', 'DEFAULT_IMPL', 'DEFAULT_MODE', 'CPUS', 'MEMORY', 'METHOD', 'HEAP_MB']) {
      if (process.env[k] !== undefined) env[k] = process.env[k]!;
    }
    return {
      cpuModel: cpus()[0]?.model ?? 'unknown',
      cpus: availableParallelism(),
      kernel: release(),
      node: process.version,
      rustc: await outputOr('rustc', ['--version'], 'not installed'),
      vegeta: readVersionStamp('vegeta') ?? (await outputOr(this.vegeta, ['-version'], 'unknown')).split('\n')[0]!,
      wrk: (await outputOr('sh', ['-c', `${this.wrk} -v 2>&1 | head -1`], 'unknown')).trim(),
      commit: `${await outputOr('git', ['rev-parse', '--short', 'HEAD'], 'unknown')}${dirty ? ' (with uncommitted changes)' : ''}`,
      builds,
      pinning: {
        service: this.serviceCpu,
        generator: this.genCpu,
        why: !this.genCpu
          ? 'one core only: generator and service share it, so every number is a lower bound for the service'
          : this.serviceCpu
            ? 'PIN_SERVICE=1: service on core 0 (so its 1-CPU quota never throttles); vegeta and wrk on core 1; statsd_exporter and Prometheus not pinned'
            : 'vegeta and wrk pinned to core 1; the service limited by its cgroup quota only (may run on either core, throttled per 100 ms period, as under docker --cpus=1); statsd_exporter and Prometheus not pinned, their CPU measured per step',
      },
      serviceEnv: env,
      busyCoresBeforeStart: await busyCores(2000),
      loadAverage: loadavg(),
    };
  }

  // ---- steps -------------------------------------------------------------------------------------

  newStep(scenario: Scenario, engine: string | null, mode: string | null, label: string): StepRecord {
    this.#stepNo++;
    const id = `${String(this.#stepNo).padStart(3, '0')}-${label}`;
    return {
      id,
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
   * throttling, the service's CPU, its scheduler stats, its RSS peak, and (after the scrape lag)
   * Prometheus over the step's window.
   */
  async measure(step: StepRecord, generators: { tool: string; argv: string[]; out: string }[]): Promise<GeneratorRun[]> {
    this.abort.signal.throwIfAborted();
    const pid = this.service.pid;
    const cpuStat = this.service.cpuStatFile;
    step.health.before = (await this.service.health())?.heavy ?? null;
    step.throttling.before = readThrottling(cpuStat);
    step.serviceCpuSec.before = pid !== null ? (procUsage(pid)?.cpuSec ?? null) : null;
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
    step.serviceCpuSec.after = pid !== null ? (procUsage(pid)?.cpuSec ?? null) : null;
    step.serviceRssMaxBytes = this.sampler?.takeRssMax() ?? null;
    step.commands = runs.map((r) => r.command);
    for (const r of runs) this.manifest.commands.push({ at: new Date(step.startMs).toISOString(), command: r.command });
    step.generators = runs.map((r, i): GeneratorUse => ({ tool: generators[i]!.tool, command: r.command, exitCode: r.exitCode, wallSec: r.wallSec, cpuSec: r.userSec + r.sysSec, cpuShare: r.cpuShare }));
    for (const r of runs) {
      if (r.exitCode !== 0 && !this.abort.signal.aborted) throw new Error(`load generator failed (exit ${r.exitCode}): ${r.command}\n${r.stderr}`);
    }
    // Heavy work still queued when the attack ends would spill into the next step.
    step.health.after = await this.service.drain(40_000, this.abort.signal);
    this.manifest.steps.push(step);
    this.save();
    await sleep(this.plan.pauseSec * 1000, this.abort.signal);
    return runs;
  }

  targets(name: string, lines: string[]): string {
    const file = join(this.dir, 'runs', `${name}.targets`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  }

  heavyUrl(engine: string, mode: string, w: { primeLimit: number; hashRounds: number; ioKb: number } = DEFAULT_WORKLOAD): string {
    return `${this.service.baseUrl}/heavy/cpu-io-no-db/?prime_limit=${w.primeLimit}&hash_rounds=${w.hashRounds}&io_kb=${w.ioKb}&impl=${engine}&mode=${mode}`;
  }

  // ---- verification ---------------------------------------------------------------------------------

  /** Known answers from fixtures/vectors.json on three workloads, every engine in every mode. */
  async verify(engines: string[], unavailable: Record<string, string>): Promise<Verification> {
    const vectors = JSON.parse(readFileSync('fixtures/vectors.json', 'utf8')) as { primes: { limit: number; count: number }[]; sha256_chain: { rounds: number; digest: string }[] };
    const prime = (l: number) => vectors.primes.find((p) => p.limit === l)?.count;
    const chain = (r: number) => vectors.sha256_chain.find((c) => c.rounds === r)?.digest;
    const workloads = [
      [10_000, 1000],
      [100_000, 100_000],
      [DEFAULT_WORKLOAD.primeLimit, DEFAULT_WORKLOAD.hashRounds],
    ].filter(([l, r]) => prime(l!) !== undefined && chain(r!) !== undefined) as [number, number][];
    if (!workloads.some(([l, r]) => l === DEFAULT_WORKLOAD.primeLimit && r === DEFAULT_WORKLOAD.hashRounds)) {
      throw new Error('fixtures/vectors.json lacks the answer of the default workload (500000 primes limit, 1000000 rounds)');
    }
    const checks: Verification['checks'] = [];
    for (const engine of engines) {
      for (const mode of this.plan.modes) {
        for (const [primeLimit, hashRounds] of workloads) {
          this.abort.signal.throwIfAborted();
          const url = this.heavyUrl(engine, mode, { primeLimit, hashRounds, ioKb: 4 });
          this.log(`GET ${url}`);
          const expected = `primes_found=${prime(primeLimit)} digest=${chain(hashRounds)}`;
          let got: string;
          try {
            const { status, body } = await getJson<Record<string, unknown>>(url, 60_000);
            got = status === 200 ? `primes_found=${body['primes_found']} digest=${body['digest']}` : `HTTP ${status}: ${String(body['detail'] ?? '')}`;
          } catch (err) {
            got = `request failed: ${(err as Error).message}`;
          }
          checks.push({ engine, mode, primeLimit, hashRounds, ok: got === expected, expected, got });
        }
      }
    }
    return { ok: checks.every((c) => c.ok), checks, unavailable };
  }

  // ---- scenarios ---------------------------------------------------------------------------------------

  async hello(): Promise<void> {
    const p = this.plan.hello;
    const dir = join(this.dir, 'runs', 'hello');
    mkdirSync(dir, { recursive: true });
    const url = `${this.service.baseUrl}/hello`;
    // Primer: one request that must answer as expected before any load.
    this.log(`GET ${url}`);
    const res = await fetch(url);
    const text = await res.text();
    if (res.status !== 200 || text !== 'Hello, World!') throw new Error(`/hello primer answered ${res.status} "${text.slice(0, 80)}"`);
    const targets = this.targets('hello', [`GET ${url}`]);
    const warm = this.newStep('hello-warmup', null, null, 'hello-warmup');
    warm.rate = p.warmupRate;
    warm.durationSec = p.warmupSec;
    warm.files.bin = this.rel(join(dir, 'warmup.bin'));
    await this.measure(warm, [{ tool: 'vegeta', argv: attackArgs(this.vegeta, targets, { perSecond: p.warmupRate }, p.warmupSec, 5, false), out: join(this.dir, warm.files.bin) }]);

    const search = new CapacitySearch(p.search, roundHelloRate);
    const ids: string[] = [];
    for (let rate = search.next(); rate !== null; rate = search.next()) {
      const step = this.newStep('hello', null, null, `hello-${rate}rps`);
      step.rate = rate;
      step.durationSec = p.stepSec;
      step.files.bin = this.rel(join(dir, `${step.id}.bin`));
      const runs = await this.measure(step, [{ tool: 'vegeta', argv: attackArgs(this.vegeta, targets, { perSecond: rate }, p.stepSec, 5, false), out: join(this.dir, step.files.bin) }]);
      const s = await summarize(this.vegeta, join(this.dir, step.files.bin));
      const pass = helloPasses(s, p.sloP99Ms);
      const limited = generatorLimited(step.generators, s, rate, machineLoad(step, this.genCpu), p.sloP99Ms);
      ids.push(step.id);
      // A collapsed step leaves thousands of sockets in TIME_WAIT and a StatsD backlog: give the
      // machine a moment, or the next step measures the residue.
      if (!pass || limited) await sleep(SETTLE_AFTER_FAILURE_MS, this.abort.signal);
      stepLine(`hello ${rate}/s`, s, pass, limited, runs, failureReasons(s, { p99: p.sloP99Ms }), machineLoad(step, this.genCpu));
      search.record({ rate, pass, generatorLimited: limited });
    }
    const r = search.result();
    this.manifest.searches.push({ scenario: 'hello', engine: null, mode: null, estimate: null, end: r.end, stepIds: ids });
    console.log(`== /hello capacity: ${r.capacity} req/s (${r.end})`);

    const wrkStep = this.newStep('hello-wrk', null, null, 'hello-wrk');
    wrkStep.durationSec = p.wrk.durationSec;
    wrkStep.files.wrk = this.rel(join(dir, 'wrk.txt'));
    const argv = [this.wrk, `-t${p.wrk.threads}`, `-c${p.wrk.connections}`, `-d${p.wrk.durationSec}s`, '--latency', url];
    await this.measure(wrkStep, [{ tool: 'wrk', argv, out: join(this.dir, wrkStep.files.wrk) }]);
  }

  /** Primer, calibrating warm-up and capacity search of one engine x mode. Returns the capacity. */
  async heavy(engine: string, mode: string, reference: HeavyReference): Promise<number> {
    const h = this.plan.heavy;
    const name = `heavy-${engine}-${mode}`;
    const dir = join(this.dir, 'runs', name);
    mkdirSync(dir, { recursive: true });
    const url = this.heavyUrl(engine, mode);
    // Primer + warm-up: sequential, so each timing is the service time alone.
    const warm = this.newStep('heavy-warmup', engine, mode, `${name}-warmup`);
    warm.files.json = this.rel(join(dir, 'warmup.json'));
    const answers: unknown[] = [];
    warm.startMs = Date.now();
    for (let i = 0; i < 1 + h.warmupRequests; i++) {
      this.abort.signal.throwIfAborted();
      this.log(`GET ${url}`);
      const { status, body } = await getJson<Record<string, unknown>>(url, 60_000);
      if (status !== 200) throw new Error(`${name}: primer answered HTTP ${status}: ${String(body['detail'] ?? '')}`);
      if (body['primes_found'] !== reference.primesFound || body['digest'] !== reference.digest) {
        throw new Error(`${name}: WRONG answer under the default workload: primes_found=${body['primes_found']} digest=${body['digest']}, expected ${reference.primesFound} ${reference.digest}`);
      }
      answers.push(body);
    }
    warm.endMs = Date.now();
    warm.durationSec = (warm.endMs - warm.startMs) / 1000;
    writeFileSync(join(this.dir, warm.files.json), JSON.stringify(answers, null, 1));
    this.manifest.steps.push(warm);
    // The primer (first answer) may include one-time costs (JIT, worker start): calibrate on the rest.
    const service = median(answers.slice(1).map((a) => Number((a as Record<string, unknown>)['total_time_sec']) - Number((a as Record<string, unknown>)['queue_time_sec'] ?? 0)));
    const cpus = this.health?.limits.cpus ?? 1;
    const estimate = service && service > 0 ? cpus / service : 1;
    console.log(`== ${name}: service time ${service?.toFixed(3)} s alone -> estimate ${estimate.toFixed(2)} req/s on ${cpus} CPU`);

    const targets = this.targets(name, [`GET ${url}`]);
    const search = new CapacitySearch({ ...h.search, start: h.startFraction * estimate }, roundHeavyRate);
    const ids: string[] = [];
    for (let rate = search.next(); rate !== null; rate = search.next()) {
      const perMinute = Math.round(rate * 60);
      const step = this.newStep('heavy', engine, mode, `${name}-${perMinute}rpm`);
      step.rate = rate;
      step.durationSec = heavyStepSec(this.plan, rate);
      step.files.bin = this.rel(join(dir, `${step.id}.bin`));
      const runs = await this.measure(step, [{ tool: 'vegeta', argv: attackArgs(this.vegeta, targets, { perMinute }, step.durationSec, 30, true), out: join(this.dir, step.files.bin) }]);
      const s = await summarize(this.vegeta, join(this.dir, step.files.bin));
      const bodies = await heavyBodies(this.vegeta, join(this.dir, step.files.bin), reference);
      if (bodies.wrongAnswers > 0) throw new Error(`${name}: ${bodies.wrongAnswers} WRONG answer(s) under load at ${rate.toFixed(2)} req/s (raw results in ${step.files.bin})`);
      const pass = heavyPasses(s, bodies.wrongAnswers, h);
      const limited = generatorLimited(step.generators, s, rate, machineLoad(step, this.genCpu), h.sloP99Ms);
      ids.push(step.id);
      stepLine(`${name} ${rate.toFixed(2)}/s`, s, pass, limited, runs, failureReasons(s, { p95: h.sloP95Ms, p99: h.sloP99Ms }, bodies.wrongAnswers), machineLoad(step, this.genCpu));
      search.record({ rate, pass, generatorLimited: limited });
    }
    const r = search.result();
    this.manifest.searches.push({ scenario: 'heavy', engine, mode, estimate, end: r.end, stepIds: ids });
    console.log(`== ${name}: capacity ${r.capacity.toFixed(2)} req/s (${r.end})`);
    return r.capacity;
  }

  async mixed(capacities: Map<string, number>): Promise<void> {
    const m = this.plan.mixed;
    const dir = join(this.dir, 'runs', 'mixed');
    mkdirSync(dir, { recursive: true });
    const helloTargets = this.targets('mixed-hello', [`GET ${this.service.baseUrl}/hello`]);
    const base = this.newStep('mixed-baseline', null, null, 'mixed-baseline');
    base.helloRate = m.helloRate;
    base.durationSec = m.durationSec;
    base.files.helloBin = this.rel(join(dir, `${base.id}.hello.bin`));
    await this.measure(base, [{ tool: 'vegeta', argv: attackArgs(this.vegeta, helloTargets, { perSecond: m.helloRate }, m.durationSec, 10, false), out: join(this.dir, base.files.helloBin) }]);
    const pairs = [...capacities.entries()].filter(([key]) => m.engines === null || m.engines.includes(key.split(' ')[0]!));
    for (const fraction of m.heavyFractions) {
      for (const [key, capacity] of rotate(pairs, 2)) {
        const [engine, mode] = key.split(' ') as [string, string];
        if (capacity <= 0) {
          this.note(`mixed ${engine}/${mode}: skipped, no heavy capacity was measured`);
          continue;
        }
        const rate = roundHeavyRate(fraction * capacity);
        const step = this.newStep('mixed', engine, mode, `mixed-${engine}-${mode}-${Math.round(fraction * 100)}pct`);
        step.rate = rate;
        step.fraction = fraction;
        step.helloRate = m.helloRate;
        step.durationSec = m.durationSec;
        step.files.helloBin = this.rel(join(dir, `${step.id}.hello.bin`));
        step.files.heavyBin = this.rel(join(dir, `${step.id}.heavy.bin`));
        const heavyTargets = this.targets(`mixed-heavy-${engine}-${mode}`, [`GET ${this.heavyUrl(engine, mode)}`]);
        await this.measure(step, [
          { tool: 'vegeta', argv: attackArgs(this.vegeta, helloTargets, { perSecond: m.helloRate }, m.durationSec, 10, false), out: join(this.dir, step.files.helloBin) },
          { tool: 'vegeta', argv: attackArgs(this.vegeta, heavyTargets, { perMinute: Math.round(rate * 60) }, m.durationSec, 30, false), out: join(this.dir, step.files.heavyBin) },
        ]);
        const s = await summarize(this.vegeta, join(this.dir, step.files.helloBin));
        console.log(`   mixed ${engine}/${mode}: heavy ${rate.toFixed(2)}/s (${Math.round(fraction * 100)}% of capacity) + /hello ${m.helloRate}/s -> /hello p50 ${s.latencyMs.p50.toFixed(2)} ms, p99 ${s.latencyMs.p99.toFixed(2)} ms, max ${s.latencyMs.max.toFixed(1)} ms`);
      }
    }
  }

  // ---- the whole run -------------------------------------------------------------------------------

  async main(): Promise<void> {
    this.manifest.environment = await this.environment();
    const busy = this.manifest.environment.busyCoresBeforeStart;
    if (busy !== null && busy > NOISE_CORES) {
      this.note(`the machine was already busy before the run: ${busy.toFixed(2)} cores used by other processes (load average ${this.manifest.environment.loadAverage.map((x) => x.toFixed(2)).join(' ')}); expect NOISY steps`);
    }
    this.save();
    // Not pinned: at high /hello rates statsd_exporter needs a good part of a core, which on the
    // generators' core would starve vegeta; elsewhere it uses what the service leaves idle, and
    // its CPU is measured per step either way.
    const mon = await startMonitoring(this.log, this.prom.url, null, this.dir);
    this.monitoring = mon;
    this.manifest.prometheus = { url: this.prom.url, available: mon.available, note: mon.note };
    if (!mon.available) this.note(mon.note);
    this.save();
    this.abort.signal.throwIfAborted();
    this.health = await this.service.start(this.log, this.serviceCpu, { STATSD_HOST: '127.0.0.1', STATSD_PORT: '9125' }, this.abort.signal);
    this.manifest.health = this.health;
    this.manifest.constrained.start = this.service.readState();
    this.save();
    this.sampler = new Sampler(join(this.dir, 'samples.jsonl'), this.service.pid, this.service.cpuStatFile);
    this.sampler.start();
    if (this.service.pid === null) this.note('the service pid is unknown (Docker method?): no /proc CPU/RSS samples; Prometheus only');
    if (this.service.cpuStatFile === null) this.note('no cgroup cpu.stat path in the run-constrained state: throttling counters not sampled');

    const available: string[] = [];
    const unavailable: Record<string, string> = {};
    for (const e of this.plan.engines) {
      const st = this.health.engines[e];
      if (st?.available) available.push(e);
      else unavailable[e] = st?.reason ?? 'not registered by the server';
    }
    for (const [e, why] of Object.entries(unavailable)) this.note(`ENGINE ${e} UNAVAILABLE: ${why}; no numbers for it`);

    console.log('== verify: known answers, every engine x mode');
    const v = await this.verify(available, unavailable);
    this.manifest.verification = v;
    this.save();
    if (!v.ok) {
      const bad = v.checks.filter((c) => !c.ok).map((c) => `  ${c.engine}/${c.mode} prime_limit=${c.primeLimit} hash_rounds=${c.hashRounds}\n    expected ${c.expected}\n    got      ${c.got}`);
      throw new Error(`verification failed, no load was sent:\n${bad.join('\n')}`);
    }
    console.log(`   ${v.checks.length} checks passed`);
    const vectors = JSON.parse(readFileSync('fixtures/vectors.json', 'utf8')) as { primes: { limit: number; count: number }[]; sha256_chain: { rounds: number; digest: string }[] };
    const reference: HeavyReference = {
      primesFound: vectors.primes.find((p) => p.limit === DEFAULT_WORKLOAD.primeLimit)!.count,
      digest: vectors.sha256_chain.find((c) => c.rounds === DEFAULT_WORKLOAD.hashRounds)!.digest,
    };

    console.log('== /hello: primer, warm-up, capacity search, closed loop');
    await this.hello();

    const capacities = new Map<string, number>();
    for (const [mi, mode] of this.plan.modes.entries()) {
      // Each mode starts with a different engine, so none is always measured after the same one.
      for (const engine of rotate(available, mi)) {
        console.log(`== heavy ${engine}/${mode}: primer, warm-up, capacity search`);
        capacities.set(`${engine} ${mode}`, await this.heavy(engine, mode, reference));
      }
    }
    console.log(`== mixed: /hello at ${this.plan.mixed.helloRate}/s alone, then beside heavy load`);
    await this.mixed(capacities);
  }

  /**
   * Prometheus over every step's window, asked once at the end: the TSDB keeps the samples, so
   * no step waits for the scrape lag. A step's last second reaches Prometheus after the server's
   * flush (1 s) and a scrape (1 s), hence the window reaching 2.5 s past the step's end.
   */
  async queryPrometheus(): Promise<void> {
    if (!this.manifest.prometheus.available) return;
    const lag = 2500;
    const wait = Math.max(0, ...this.manifest.steps.map((s) => s.endMs + lag - Date.now()));
    if (wait > 0) await sleep(wait);
    for (const step of this.manifest.steps) {
      if (step.startMs === 0 || step.generators.length === 0) continue;
      const sec = (step.endMs - step.startMs) / 1000;
      for (const [name, q] of Object.entries(stepQueries(sec + lag / 1000))) {
        // cpuCores divides by the window; the idle lag in it would understate a busy step.
        const query = name === 'cpuCores' ? q.replace(/\/ \d+$/, `/ ${sec.toFixed(3)}`) : q;
        step.prometheus[name] = { query, value: await this.prom.query(query, step.endMs + lag) };
      }
    }
  }

  async finish(status: Manifest['status'], failure: string | null): Promise<void> {
    this.sampler?.stop();
    try {
      await this.queryPrometheus();
    } catch (err) {
      this.note(`Prometheus queries failed: ${(err as Error).message}`);
    }
    await this.service.stop();
    stopMonitoring(this.log, this.monitoring, this.dir);
    this.manifest.constrained.end = this.service.readState();
    this.manifest.status = status;
    this.manifest.failure = failure;
    this.manifest.finishedAt = new Date().toISOString();
    this.save();
  }
}

/** Busy cores of the whole machine over `ms`, from /proc/stat. */
async function busyCores(ms: number): Promise<number | null> {
  const a = readCoreTimes();
  await sleep(ms);
  const b = readCoreTimes();
  if (a.length === 0 || a.length !== b.length) return null;
  return a.reduce((sum, x, i) => sum + (b[i]!.busy - x.busy) / Math.max(1, b[i]!.total - x.total), 0);
}

function readVersionStamp(tool: string): string | null {
  try {
    return `${tool} ${readFileSync(join('.tools', 'bin', `.${tool}.version`), 'utf8').trim()}`;
  } catch {
    return null;
  }
}

function stepLine(what: string, s: VegetaSummary, pass: boolean, limited: boolean, runs: GeneratorRun[], why: string[], load: MachineLoad | null): void {
  const gen = Math.max(...runs.map((r) => r.cpuShare));
  const verdict = limited ? 'GENERATOR-LIMITED' : pass ? 'pass' : `FAIL (${why.join('; ')})`;
  const core = load?.generatorCoreBusy != null ? `, its core ${(load.generatorCoreBusy * 100).toFixed(0)}% busy` : '';
  const other = load?.otherCores != null && load.otherCores > NOISE_CORES ? `; NOISY: other processes used ${load.otherCores.toFixed(2)} cores` : '';
  console.log(`   ${what}: ${s.requests} req, sent ${s.sentRate.toFixed(1)}/s, ok ${(s.success * 100).toFixed(1)}%, p50 ${s.latencyMs.p50.toFixed(2)} ms, p99 ${s.latencyMs.p99.toFixed(2)} ms; generator ${(gen * 100).toFixed(0)}% of a core${core}${other} -> ${verdict}`);
}

/** Points reports/latest at the run (relative, so the tree can move). */
function linkLatest(runDir: string): void {
  const link = join(dirname(runDir), 'latest');
  try {
    if (lstatSync(link)) rmSync(link, { force: true });
  } catch {
    // No previous link.
  }
  symlinkSync(basename(runDir), link);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const run = new Run(args);
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
    await run.main();
    if (run.abort.signal.aborted) throw run.abort.signal.reason;
  } catch (err) {
    status = run.abort.signal.aborted ? 'interrupted' : 'failed';
    failure = err instanceof Error ? err.message : String(err);
    console.error(`\n${status.toUpperCase()}: ${failure}`);
  }
  await run.finish(status, failure);
  // A stopped or failed run still has a report of what it measured: the raw files are there.
  let reportOk = true;
  if (run.manifest.steps.length > 0 || run.manifest.verification) {
    try {
      const report = await buildReport(run.dir);
      printSummary(report);
      // `latest` is the newest finished comparison; a stopped run keeps its report in its folder.
      if (status === 'complete') linkLatest(run.dir);
      console.log(`\nreport: ${relative(process.cwd(), join(run.dir, 'report.md'))}, report.html, report.json${status === 'complete' ? ` (reports/latest -> ${basename(run.dir)})` : ''}`);
    } catch (err) {
      reportOk = false;
      console.error(`building the report failed: ${(err as Error).stack}`);
    }
  }
  process.exit(status === 'complete' && reportOk ? 0 : status === 'interrupted' ? 130 : 1);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  main().catch((err) => {
    console.error('fatal:', err);
    process.exit(1);
  });
}
