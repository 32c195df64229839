/**
 * The state file of scripts/run-constrained.sh (STATE_FILE), written here so the shell does no
 * JSON and no parsing: what runs, under which limits, where its cgroup counters are; at the end,
 * the throttling and memory counters and whether the kernel killed it for memory.
 *
 *   node dist/lab/constrained-state.js running FILE --method cgroup-v1 [--started-at T] --url URL --pid N \
 *        --cpus 1 --quota-us 100000 --period-us 100000 --memory-bytes N --heap-mb N \
 *        [--cgroup-version 1 --cpu-stat FILE --memory-dir DIR] [--container NAME --image NAME] [--unconstrained]
 *   node dist/lab/constrained-state.js stopped FILE --exit-status N [--cpu-stat FILE] [--memory-dir DIR] [--oom-killed]
 *   node dist/lab/constrained-state.js health URL
 *
 * `stopped` adds the end to the running state, prints `cpu.stat: ...` and `memory: ...` lines on
 * stderr and `oom` or `ok` on stdout. `health` prints the limits the service reports from inside.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuStatSummary, killedForMemory, readCpuStat, readMemoryStat } from './cgroup.js';

type Options = Map<string, string | true>;

const FLAGS = new Set(['unconstrained', 'oom-killed']);

export function parseOptions(args: readonly string[]): Options {
  const opts: Options = new Map();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument "${a}"`);
    const name = a.slice(2);
    if (FLAGS.has(name)) opts.set(name, true);
    else {
      const v = args[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      opts.set(name, v);
    }
  }
  return opts;
}

function str(o: Options, name: string): string | undefined {
  const v = o.get(name);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function num(o: Options, name: string): number | undefined {
  const v = str(o, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number (got "${v}")`);
  return n;
}

function need<T>(v: T | undefined, name: string): T {
  if (v === undefined) throw new Error(`--${name} is required`);
  return v;
}

/** The running state, as readers (compare/, loadtests/) expect it. */
export function runningState(o: Options, startedAt = new Date()): Record<string, unknown> {
  const state: Record<string, unknown> = {
    status: 'running',
    method: need(str(o, 'method'), 'method'),
    started_at: str(o, 'started-at') ?? startedAt.toISOString().replace(/\.\d+Z$/, 'Z'),
    url: need(str(o, 'url'), 'url'),
    pid: num(o, 'pid') ?? null,
    limits: {
      cpus: need(num(o, 'cpus'), 'cpus'),
      cpu_quota_us: need(num(o, 'quota-us'), 'quota-us'),
      cpu_period_us: need(num(o, 'period-us'), 'period-us'),
      memory_bytes: need(num(o, 'memory-bytes'), 'memory-bytes'),
      swap_bytes: 0,
      heap_mb: need(num(o, 'heap-mb'), 'heap-mb'),
    },
  };
  if (str(o, 'cpu-stat') !== undefined)
    state['cgroup'] = { version: need(num(o, 'cgroup-version'), 'cgroup-version'), cpu_stat: str(o, 'cpu-stat'), memory_dir: str(o, 'memory-dir') ?? null };
  if (str(o, 'container') !== undefined) Object.assign(state, { container: str(o, 'container'), image: str(o, 'image') ?? null });
  if (o.has('unconstrained')) state['unconstrained'] = true;
  return state;
}

/** The end: the running state plus exit status, counters and the OOM verdict, and the lines to print. */
export function stoppedState(running: Record<string, unknown>, o: Options): { state: Record<string, unknown>; lines: string[]; oom: boolean } {
  const exitStatus = need(num(o, 'exit-status'), 'exit-status');
  const limits = (running['limits'] ?? {}) as { memory_bytes?: number };
  const cpu = readCpuStat(str(o, 'cpu-stat') ?? null);
  const mem = readMemoryStat(str(o, 'memory-dir') ?? null);
  const oom = o.has('oom-killed') || killedForMemory(mem, exitStatus, limits.memory_bytes ?? Infinity);
  const lines: string[] = [];
  const end: Record<string, unknown> = { exit_status: exitStatus, oom_killed: oom };
  if (str(o, 'cpu-stat') !== undefined || str(o, 'container') !== undefined) {
    const summary = cpu ? cpuStatSummary(cpu) : str(o, 'container') ? 'unknown (the container was gone before it could be read)' : 'unreadable';
    lines.push(`cpu.stat: ${summary}`);
    end['cpu_stat'] = summary;
    end['throttling'] = cpu ? { nr_periods: cpu.nrPeriods, nr_throttled: cpu.nrThrottled, throttled_ms: Math.round(cpu.throttledMs) } : null;
  }
  if (str(o, 'memory-dir') !== undefined) {
    const mib = (b: number) => Math.floor(b / 2 ** 20);
    const kills = oom ? Math.max(1, mem?.oomKills ?? 0) : (mem?.oomKills ?? 0);
    lines.push(`memory: peak=${mib(mem?.peakBytes ?? 0)} MiB of ${mib(limits.memory_bytes ?? 0)} MiB, times at the limit=${mem?.atLimit ?? 0}, oom_kills=${kills}`);
    end['memory_peak_bytes'] = mem?.peakBytes ?? 0;
    end['memory_at_limit'] = mem?.atLimit ?? 0;
  }
  if (str(o, 'container') !== undefined) end['container'] = str(o, 'container');
  const { status: _s, cgroup: _c, ...rest } = running;
  // The cgroup is gone once stopped: its paths stay in the running state only.
  return { state: { status: 'stopped', ...rest, ...end }, lines, oom };
}

/** Writes the file whole or not at all (readers poll it). */
export function writeState(file: string, state: Record<string, unknown>): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
}

/** The limits the service reports from inside, one line, or null when it does not answer. */
export async function healthLine(url: string): Promise<string | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    const h = (await res.json()) as { pid?: number; limits?: { cpus?: number; memory_bytes?: number; cgroup_version?: number } };
    const l = h.limits ?? {};
    return `cpus=${l.cpus} memory_bytes=${l.memory_bytes} cgroup_version=${l.cgroup_version} pid=${h.pid}`;
  } catch {
    return null;
  }
}

async function main(argv: string[]): Promise<number> {
  const [cmd, target, ...rest] = argv;
  if (cmd === 'running' && target) {
    writeState(target, runningState(parseOptions(rest)));
    return 0;
  }
  if (cmd === 'stopped' && target) {
    let running: Record<string, unknown> = {};
    try {
      running = JSON.parse(readFileSync(target, 'utf8')) as Record<string, unknown>;
    } catch {
      // Stopped before it ran: the end alone.
    }
    const { state, lines, oom } = stoppedState(running, parseOptions(rest));
    writeState(target, state);
    for (const l of lines) process.stderr.write(`run-constrained: ${l}\n`);
    process.stdout.write(oom ? 'oom\n' : 'ok\n');
    return 0;
  }
  if (cmd === 'health' && target && rest.length === 0) {
    const line = await healthLine(target);
    if (line === null) return 1;
    process.stdout.write(`${line}\n`);
    return 0;
  }
  process.stderr.write('usage: constrained-state.js running|stopped STATE_FILE --option value... | health URL\n');
  return 2;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: Error) => {
      process.stderr.write(`constrained-state: ${err.message}\n`);
      process.exitCode = 2;
    },
  );
}
