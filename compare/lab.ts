import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { shellLine, sleep } from './exec.js';
import type { HealthAnswer, SchedulerStats, Throttling } from './manifest.js';

/** Records every command before it runs: the manifest's `commands` and the console's `+ ` lines. */
export type CommandLog = (command: string) => void;

const CLK_TCK = 100;
const PAGE = 4096;

function readClkTck(): number {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  return Number(r.stdout?.trim()) || CLK_TCK;
}
function readPageSize(): number {
  const r = spawnSync('getconf', ['PAGESIZE'], { encoding: 'utf8' });
  return Number(r.stdout?.trim()) || PAGE;
}
const TICKS = readClkTck();
const PAGE_SIZE = readPageSize();

/** CPU seconds (user + system, all threads) and resident bytes of a process, from /proc. */
export function procUsage(pid: number): { cpuSec: number; rssBytes: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields are counted after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the name: state is field 3 of the man page, so utime (14) is index 11 here.
    const utime = Number(f[11]);
    const stime = Number(f[12]);
    const rssPages = Number(f[21]);
    return { cpuSec: (utime + stime) / TICKS, rssBytes: rssPages * PAGE_SIZE };
  } catch {
    return null;
  }
}

/** Pids of the running statsd_exporter and Prometheus, whoever started them (from /proc/<pid>/comm). */
export function monitoringPids(): number[] {
  const pids: number[] = [];
  try {
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const comm = readFileSync(`/proc/${d}/comm`, 'utf8').trim();
        if (comm === 'statsd_exporter' || comm === 'prometheus') pids.push(Number(d));
      } catch {
        // Exited meanwhile.
      }
    }
  } catch {
    // No /proc: not Linux.
  }
  return pids;
}

/** CPU seconds used so far by each of a set of processes (those still alive). */
export function processesCpuSec(pids: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    const u = procUsage(pid);
    if (u) out.set(pid, u.cpuSec);
  }
  return out;
}

/** CPU seconds used between two readings, by the processes alive at both (a pid that came or went counts 0). */
export function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, a] of after) {
    const b = before.get(pid);
    if (b !== undefined && a >= b) sum += a - b;
  }
  return sum;
}

/** Busy and total jiffies of every core, from /proc/stat (`cpu0`, `cpu1`...). */
export function readCoreTimes(): { busy: number; total: number }[] {
  try {
    const cores: { busy: number; total: number }[] = [];
    for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
      const m = /^cpu(\d+)\s+(.*)$/.exec(line);
      if (!m) continue;
      const v = m[2]!.trim().split(/\s+/).map(Number);
      // user nice system idle iowait irq softirq steal (guest time is already inside user).
      const idle = (v[3] ?? 0) + (v[4] ?? 0);
      const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
      cores[Number(m[1])] = { busy: total - idle, total };
    }
    return cores;
  } catch {
    return [];
  }
}

/**
 * The kernel's TCP listen-queue counters (machine-wide, /proc/net/netstat): a full accept queue
 * drops SYNs, and the client retries after 1 s, 3 s...: latencies of whole seconds from a server
 * whose CPU is not busy.
 */
export function readListenDrops(): { overflows: number; drops: number } | null {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((l) => l.startsWith('TcpExt:'));
    const names = lines[0]!.split(/\s+/);
    const values = lines[1]!.split(/\s+/).map(Number);
    return { overflows: values[names.indexOf('ListenOverflows')] ?? 0, drops: values[names.indexOf('ListenDrops')] ?? 0 };
  } catch {
    return null;
  }
}

/** Parses cgroup cpu.stat: v1 `throttled_time` is in ns, v2 `throttled_usec` in us. */
export function readThrottling(file: string | null): Throttling | null {
  if (!file) return null;
  try {
    const kv = new Map<string, number>();
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const [k, v] = line.split(' ');
      if (k && v) kv.set(k, Number(v));
    }
    const ms = kv.has('throttled_usec') ? kv.get('throttled_usec')! / 1e3 : (kv.get('throttled_time') ?? 0) / 1e6;
    return { nrPeriods: kv.get('nr_periods') ?? 0, nrThrottled: kv.get('nr_throttled') ?? 0, throttledMs: ms };
  } catch {
    return null;
  }
}

/** True when something accepts connections on host:port. */
export function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.setTimeout(1000);
    s.on('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.on('timeout', () => {
      s.destroy();
      resolve(false);
    });
    s.on('error', () => resolve(false));
  });
}

export async function getJson<T>(url: string, timeoutMs = 5000): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as T };
}

/** `make <target>` exists in this tree (a part may not be merged yet). */
export function makeTargetExists(target: string): boolean {
  const r = spawnSync('make', ['-n', '--no-print-directory', target], { encoding: 'utf8', env: process.env });
  return r.status === 0;
}

/** How the monitoring stack was obtained, so the end of the run stops only what it started. */
export interface MonitoringHandle {
  available: boolean;
  note: string;
  how: 'make' | 'reused' | 'own' | 'none';
  pids: number[];
}

async function prometheusReady(promUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${promUrl}/-/ready`, { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

async function waitReady(promUrl: string, seconds: number): Promise<boolean> {
  for (let i = 0; i < seconds * 2; i++) {
    if (await prometheusReady(promUrl)) return true;
    await sleep(500);
  }
  return false;
}

/**
 * statsd_exporter + Prometheus: a stack already answering is reused; else `make monitoring` (and
 * `make monitoring-stop` at the end); where that part is missing, both are started here from the
 * repository's statsd.conf and prom.yml (and stopped at the end). A stack that cannot start is a loud note, not an abort: /proc sampling
 * still gives CPU and RSS.
 */
export async function startMonitoring(log: CommandLog, promUrl: string, pin: string | null, runDir: string): Promise<MonitoringHandle> {
  const logFile = join(runDir, 'monitoring.log');
  const pinned = (argv: string[]) => [...(pin ? ['taskset', '-c', pin] : []), ...argv];
  // A stack someone already runs is used as it is, and left running at the end.
  if (await prometheusReady(promUrl)) {
    return { available: true, how: 'reused', pids: [], note: `reused the Prometheus already answering at ${promUrl} (not started, so not stopped, by this run)` };
  }
  if (makeTargetExists('monitoring')) {
    const argv = pinned(['make', '--no-print-directory', 'monitoring']);
    log(shellLine(argv));
    const out = openSync(logFile, 'a');
    const r = spawnSync(argv[0]!, argv.slice(1), { stdio: ['ignore', out, out], env: process.env, timeout: 180_000 });
    closeSync(out);
    if (r.status !== 0) return { available: false, how: 'none', pids: [], note: `\`make monitoring\` failed (exit ${r.status}; see monitoring.log): no Prometheus data` };
    if (await waitReady(promUrl, 30)) return { available: true, how: 'make', pids: [], note: 'statsd_exporter + Prometheus started by `make monitoring`' };
    return { available: false, how: 'make', pids: [], note: `Prometheus did not answer at ${promUrl}/-/ready within 30 s: no Prometheus data` };
  }
  const exporter = existsSync('.tools/bin/statsd_exporter') ? '.tools/bin/statsd_exporter' : 'statsd_exporter';
  const commands = [
    pinned([exporter, '--statsd.mapping-config=statsd.conf', '--statsd.listen-udp=127.0.0.1:9125', '--statsd.listen-tcp=127.0.0.1:9125', '--web.listen-address=127.0.0.1:9102']),
    pinned(['prometheus', '--config.file=prom.yml', `--storage.tsdb.path=${join(runDir, 'prometheus-data')}`, '--web.listen-address=127.0.0.1:9090', '--storage.tsdb.retention.time=1d']),
  ];
  const pids: number[] = [];
  for (const argv of commands) {
    log(`${shellLine(argv)} &`);
    const out = openSync(logFile, 'a');
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', out, out], detached: true });
    closeSync(out);
    child.on('error', () => undefined);
    child.unref();
    if (child.pid !== undefined) pids.push(child.pid);
  }
  if (await waitReady(promUrl, 30)) {
    return { available: true, how: 'own', pids, note: '`make monitoring` is not in this tree; statsd_exporter and Prometheus were started by compare from statsd.conf and prom.yml' };
  }
  return { available: false, how: 'own', pids, note: `\`make monitoring\` is not in this tree and the stack started here did not answer (see monitoring.log): no Prometheus data` };
}

export function stopMonitoring(log: CommandLog, handle: MonitoringHandle | null, runDir: string): void {
  if (!handle) return;
  if (handle.how === 'make' && makeTargetExists('monitoring-stop')) {
    const argv = ['make', '--no-print-directory', 'monitoring-stop'];
    log(shellLine(argv));
    const out = openSync(join(runDir, 'monitoring.log'), 'a');
    spawnSync(argv[0]!, argv.slice(1), { stdio: ['ignore', out, out], env: process.env, timeout: 60_000 });
    closeSync(out);
  }
  if (handle.how === 'own') {
    for (const pid of handle.pids) {
      log(`kill ${pid}`);
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
    // Its numbers are in the manifest; the TSDB itself is not kept.
    spawnSync('sleep', ['1']);
    rmSync(join(runDir, 'prometheus-data'), { recursive: true, force: true });
  }
}

interface ConstrainedState {
  status?: string;
  method?: string;
  pid?: number | null;
  cgroup?: { cpu_stat?: string };
}

/** The service under `make run-constrained`, in its own process group so Ctrl-C reaches only us. */
export class ConstrainedService {
  readonly baseUrl: string;
  readonly stateFile: string;
  #child: ChildProcess | null = null;
  #state: ConstrainedState = {};

  constructor(
    readonly host: string,
    readonly port: number,
    readonly runDir: string,
  ) {
    this.baseUrl = `http://${host}:${port}`;
    this.stateFile = join(runDir, 'constrained.json');
  }

  get pid(): number | null {
    return typeof this.#state.pid === 'number' ? this.#state.pid : null;
  }

  get cpuStatFile(): string | null {
    return this.#state.cgroup?.cpu_stat ?? null;
  }

  readState(): unknown {
    try {
      return JSON.parse(readFileSync(this.stateFile, 'utf8'));
    } catch {
      return null;
    }
  }

  async start(log: CommandLog, pin: string | null, env: Record<string, string>, signal?: AbortSignal): Promise<HealthAnswer> {
    if (await listening(this.host, this.port)) {
      throw new Error(`something already listens on ${this.host}:${this.port}; stop it or choose another PORT=`);
    }
    // `make run-constrained` when its part is merged; the script it wraps otherwise.
    const base = makeTargetExists('run-constrained') ? ['make', '--no-print-directory', 'run-constrained'] : ['scripts/run-constrained.sh'];
    const argv = [...(pin ? ['taskset', '-c', pin] : []), ...base];
    const envLine = Object.entries({ ...env, STATE_FILE: this.stateFile }).map(([k, v]) => `${k}=${v}`);
    log(shellLine(['env', ...envLine, ...argv]));
    const out = openSync(join(this.runDir, 'service.log'), 'a');
    this.#child = spawn(argv[0]!, argv.slice(1), {
      stdio: ['ignore', out, out],
      env: { ...process.env, ...env, STATE_FILE: this.stateFile, HOST: this.host, PORT: String(this.port) },
      detached: true,
    });
    closeSync(out);
    const exited = new Promise<number>((resolve) => this.#child!.on('close', (code) => resolve(code ?? -1)));
    let done: number | null = null;
    void exited.then((c) => (done = c));
    // The first build of a Docker image or a cold start can be slow; 120 s is generous.
    for (let i = 0; i < 240; i++) {
      // The caller's finally stops what was started; here only stop waiting.
      signal?.throwIfAborted();
      if (done !== null) throw new Error(`run-constrained exited with status ${done} before the service answered; see service.log`);
      try {
        const state = JSON.parse(readFileSync(this.stateFile, 'utf8')) as ConstrainedState;
        if (state.status === 'running') {
          this.#state = state;
          const h = await getJson<HealthAnswer>(`${this.baseUrl}/heavy/health/`, 2000);
          if (h.status === 200) return h.body;
        }
      } catch {
        // Not up yet.
      }
      await sleep(500);
    }
    throw new Error('the service did not answer /heavy/health/ within 120 s; see service.log');
  }

  /** SIGTERM to the group (run-constrained forwards it and the server drains), SIGKILL after 30 s. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || child.pid === undefined) return;
    this.#child = null;
    const group = -child.pid;
    try {
      process.kill(group, 'SIGTERM');
    } catch {
      return;
    }
    for (let i = 0; i < 60; i++) {
      await sleep(500);
      const state = this.readState() as ConstrainedState | null;
      let alive = true;
      try {
        process.kill(group, 0);
      } catch {
        alive = false;
      }
      if (!alive || (state?.status === 'stopped' && !alive)) return;
    }
    try {
      process.kill(group, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }

  async health(): Promise<HealthAnswer | null> {
    try {
      const h = await getJson<HealthAnswer>(`${this.baseUrl}/heavy/health/`, 3000);
      return h.status === 200 ? h.body : null;
    } catch {
      return null;
    }
  }

  /** Waits until no heavy request is running or queued, so one step's backlog never spills into the next. */
  async drain(maxMs: number, signal?: AbortSignal): Promise<SchedulerStats | null> {
    const until = Date.now() + maxMs;
    let last: SchedulerStats | null = null;
    while (Date.now() < until) {
      const h = await this.health();
      last = h?.heavy ?? null;
      if (last && last.in_flight === 0 && last.running === 0 && last.queued === 0) return last;
      await sleep(250, signal);
    }
    return last;
  }
}

/** Samples the service's CPU and RSS from /proc once a second into a JSON-lines file. */
export class Sampler {
  #timer: NodeJS.Timeout | null = null;
  #rssMax = 0;

  constructor(
    readonly file: string,
    readonly pid: number | null,
    readonly cpuStat: string | null,
  ) {}

  start(): void {
    if (this.pid === null) return;
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), 1000);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Largest RSS since the last call; resets it, so each step gets its own maximum. */
  takeRssMax(): number | null {
    if (this.pid === null) return null;
    const now = procUsage(this.pid);
    const max = Math.max(this.#rssMax, now?.rssBytes ?? 0);
    this.#rssMax = 0;
    return max || null;
  }

  #sample(): void {
    if (this.pid === null) return;
    const u = procUsage(this.pid);
    if (!u) return;
    this.#rssMax = Math.max(this.#rssMax, u.rssBytes);
    const t = readThrottling(this.cpuStat);
    appendFileSync(this.file, `${JSON.stringify({ t: Date.now(), cpuSec: u.cpuSec, rssBytes: u.rssBytes, nrThrottled: t?.nrThrottled ?? null, throttledMs: t?.throttledMs ?? null })}\n`);
  }
}

/** Prometheus HTTP API, instant queries only: the report's per-step numbers. */
export class Prometheus {
  constructor(readonly url: string) {}

  async query(expr: string, atMs: number): Promise<number | null> {
    try {
      const u = `${this.url}/api/v1/query?query=${encodeURIComponent(expr)}&time=${(atMs / 1000).toFixed(3)}`;
      const { body } = await getJson<{ status: string; data?: { result: { value: [number, string] }[] } }>(u, 5000);
      const v = body.data?.result[0]?.value[1];
      if (v === undefined) return null;
      const n = Number(v);
      return Number.isFinite(n) ? n : null;
    } catch {
      return null;
    }
  }
}

/**
 * The Prometheus expressions evaluated at the end of each step over its window `w` seconds.
 * Metric names are those of statsd.conf.
 */
export function stepQueries(w: number): Record<string, string> {
  const win = `${Math.max(2, Math.round(w))}s`;
  return {
    cpuCores: `sum(increase(process_cpu_seconds_total[${win}])) / ${Math.max(2, Math.round(w))}`,
    rssMaxBytes: `max(max_over_time(process_resident_memory_bytes[${win}]))`,
    eventLoopP99MaxSec: `max(max_over_time(nodejs_eventloop_lag_p99_seconds[${win}]))`,
    eventLoopMaxSec: `max(max_over_time(nodejs_eventloop_lag_max_seconds[${win}]))`,
    shed: `sum(increase(http_requests_shed_total[${win}]))`,
    answered: `sum(increase(http_requests_total[${win}]))`,
    answered5xx: `sum(increase(http_requests_total{status=~"5.."}[${win}]))`,
    heavyQueueDepthMax: `max(max_over_time(heavy_queue_depth[${win}]))`,
  };
}
