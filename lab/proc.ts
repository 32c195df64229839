/**
 * What the kernel says about the service, the generators and the machine: /proc readers and the
 * once-a-second sampler. Plain reads, no side effects; a missing file reads as null or empty.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { readCpuStat } from './cgroup.js';

/** cgroup cpu.stat throttling counters (throttled time in ms whatever the cgroup version). */
export interface Throttling {
  nrPeriods: number;
  nrThrottled: number;
  throttledMs: number;
}

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

/** The pids in the cgroup whose cpu.stat the service's state names (a gunicorn master and its workers). */
export function cgroupPids(cpuStatFile: string | null): number[] {
  if (!cpuStatFile) return [];
  try {
    const dir = cpuStatFile.slice(0, cpuStatFile.lastIndexOf('/'));
    return readFileSync(`${dir}/cgroup.procs`, 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * CPU seconds and resident bytes of the whole service: every process of its cgroup summed (the
 * lab's one Node process, or gunicorn's master and workers), else `pid` alone. The RSS sum counts
 * pages that forked workers share once per worker: an upper bound; the cgroup's own peak is in
 * run-constrained's state.
 */
export function serviceUsage(pid: number | null, cpuStatFile: string | null): { cpuSec: number; rssBytes: number } | null {
  const pids = cgroupPids(cpuStatFile);
  if (pids.length === 0) return pid !== null ? procUsage(pid) : null;
  let cpuSec = 0;
  let rssBytes = 0;
  let any = false;
  for (const p of pids) {
    const u = procUsage(p);
    if (!u) continue;
    any = true;
    cpuSec += u.cpuSec;
    rssBytes += u.rssBytes;
  }
  return any ? { cpuSec, rssBytes } : null;
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
    const lines = readFileSync('/proc/net/netstat', 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('TcpExt:'));
    const names = lines[0]!.split(/\s+/);
    const values = lines[1]!.split(/\s+/).map(Number);
    return { overflows: values[names.indexOf('ListenOverflows')] ?? 0, drops: values[names.indexOf('ListenDrops')] ?? 0 };
  } catch {
    return null;
  }
}

/** The throttling counters of a cgroup cpu.stat (lab/cgroup.ts parses it), or null. */
export function readThrottling(file: string | null): Throttling | null {
  const s = readCpuStat(file);
  return s && { nrPeriods: s.nrPeriods, nrThrottled: s.nrThrottled, throttledMs: s.throttledMs };
}

/** Samples the service's CPU and RSS from /proc once a second into a JSON-lines file. */
export class Sampler {
  #timer: NodeJS.Timeout | null = null;
  #rssMax = 0;

  constructor(
    readonly file: string,
    readonly pid: number | null,
    readonly cpuStat: string | null,
    /** The service sampled: `lab`, or a peer's name (a timeline never joins two services' counters). */
    readonly target = 'lab',
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
    const now = serviceUsage(this.pid, this.cpuStat);
    const max = Math.max(this.#rssMax, now?.rssBytes ?? 0);
    this.#rssMax = 0;
    return max || null;
  }

  #sample(): void {
    if (this.pid === null) return;
    const u = serviceUsage(this.pid, this.cpuStat);
    if (!u) return;
    this.#rssMax = Math.max(this.#rssMax, u.rssBytes);
    const t = readThrottling(this.cpuStat);
    appendFileSync(
      this.file,
      `${JSON.stringify({ t: Date.now(), target: this.target, cpuSec: u.cpuSec, rssBytes: u.rssBytes, nrThrottled: t?.nrThrottled ?? null, throttledMs: t?.throttledMs ?? null })}\n`,
    );
  }
}
