/**
 * What a cgroup says about the service in it: CPU throttling (cpu.stat) and memory (peak, times at
 * the limit, OOM kills), for cgroup v1 and v2 alike. One parser for compare/, the benchmarks and
 * scripts/run-constrained.sh (through lab/constrained-state.ts). Also where a process's cgroups are
 * (from mountinfo and /proc/<pid>/cgroup) and the limits the kernel holds there, which
 * run-constrained asks through `node dist/lab/cli.js cgroups|verify-cgroup`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseProcCgroup } from '../server/cgroup.js';

export interface CpuStat {
  nrPeriods: number;
  nrThrottled: number;
  throttledMs: number;
  /** CPU used by the cgroup (v2 `usage_usec`; v1 keeps it in cpuacct, not here), or null. */
  usageMs: number | null;
}

/** `key value` lines, as cpu.stat, memory.events and memory.oom_control hold them. */
export function parseFlatKeyed(text: string): Map<string, number> {
  const kv = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && v !== '' && Number.isFinite(Number(v))) kv.set(k, Number(v));
  }
  return kv;
}

/** Parses cgroup cpu.stat: v1 `throttled_time` is in ns, v2 `throttled_usec` in us. */
export function parseCpuStat(text: string): CpuStat {
  const kv = parseFlatKeyed(text);
  const throttledMs = kv.has('throttled_usec') ? kv.get('throttled_usec')! / 1e3 : (kv.get('throttled_time') ?? 0) / 1e6;
  return { nrPeriods: kv.get('nr_periods') ?? 0, nrThrottled: kv.get('nr_throttled') ?? 0, throttledMs, usageMs: kv.has('usage_usec') ? kv.get('usage_usec')! / 1e3 : null };
}

/** cpu.stat of a file, or null when it cannot be read (a cgroup already gone). */
export function readCpuStat(file: string | null): CpuStat | null {
  if (!file) return null;
  try {
    return parseCpuStat(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** The one-line summary run-constrained prints (and keeps in its state file). */
export function cpuStatSummary(s: CpuStat): string {
  let line = `nr_periods=${s.nrPeriods} nr_throttled=${s.nrThrottled} throttled_ms=${Math.round(s.throttledMs)}`;
  if (s.nrPeriods > 0) line += ` throttled_share=${((100 * s.nrThrottled) / s.nrPeriods).toFixed(1)}%`;
  if (s.usageMs !== null) line += ` cpu_usage_ms=${Math.round(s.usageMs)}`;
  return line;
}

export interface MemoryStat {
  /** OOM kills the kernel recorded, or null when this kernel keeps no count (v1 before 4.13). */
  oomKills: number | null;
  peakBytes: number;
  /** Times the usage hit the limit (v2 memory.events `max`, v1 memory.failcnt). */
  atLimit: number;
}

/** The memory counters of a cgroup directory (v2 or v1), or null when unreadable. */
export function readMemoryStat(dir: string | null): MemoryStat | null {
  if (!dir) return null;
  const read = (name: string): string | null => {
    const file = join(dir, name);
    return existsSync(file) ? readFileSync(file, 'utf8') : null;
  };
  try {
    const events = read('memory.events');
    if (events !== null) {
      const kv = parseFlatKeyed(events);
      return { oomKills: kv.get('oom_kill') ?? 0, peakBytes: Number(read('memory.peak') ?? 0) || 0, atLimit: kv.get('max') ?? 0 };
    }
    const oomControl = read('memory.oom_control');
    if (oomControl === null) return null;
    return {
      oomKills: parseFlatKeyed(oomControl).get('oom_kill') ?? null,
      peakBytes: Number(read('memory.max_usage_in_bytes') ?? 0) || 0,
      atLimit: Number(read('memory.failcnt') ?? 0) || 0,
    };
  } catch {
    return null;
  }
}

/**
 * Whether the kernel killed the process for memory: its own count, or, where the kernel keeps
 * none, a SIGKILL (status 137) with the peak within 1 MiB of the limit.
 */
export function killedForMemory(m: MemoryStat | null, exitStatus: number, limitBytes: number): boolean {
  if (!m) return false;
  if (m.oomKills !== null) return m.oomKills > 0;
  return exitStatus === 137 && m.peakBytes + 2 ** 20 >= limitBytes;
}

// ---- where a process's cgroups are ------------------------------------------------------------

/** One cgroup hierarchy mounted on this machine, from /proc/self/mountinfo. */
export interface CgroupMount {
  readonly fsType: 'cgroup' | 'cgroup2';
  /** The part of the hierarchy mounted here: '/' for all of it. */
  readonly root: string;
  readonly mountPoint: string;
  /** Super options; for v1 they name the controllers (`rw,cpu,cpuacct`). */
  readonly options: readonly string[];
}

/** mountinfo escapes space, tab, newline and backslash in paths as octal (`\040`). */
function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/**
 * The cgroup mounts of a mountinfo text: `id parent major:minor root mount-point options
 * [optional fields...] - fstype source super-options` (proc(5)).
 */
export function parseMountinfo(text: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    const dash = f.indexOf('-', 6);
    if (dash < 0) continue;
    const fsType = f[dash + 1];
    if (fsType !== 'cgroup' && fsType !== 'cgroup2') continue;
    mounts.push({ fsType, root: unescapeMountPath(f[3]!), mountPoint: unescapeMountPath(f[4]!), options: (f[dash + 3] ?? '').split(',') });
  }
  return mounts;
}

/**
 * The directory of a cgroup path in a mount: the mount point plus the path, less the mount's own
 * root when the mount is a sub-tree (as in a container), without a trailing '/'.
 */
export function cgroupDir(mount: Pick<CgroupMount, 'root' | 'mountPoint'>, path: string): string {
  const rel = mount.root !== '/' && path.startsWith(mount.root) ? path.slice(mount.root.length) : path;
  return `${mount.mountPoint.replace(/\/$/, '')}${rel}`.replace(/\/$/, '');
}

/** A process's cgroup: the one v2 directory, or v1's cpu and memory directories. */
export type CgroupDirs = { readonly version: 2; readonly dir: string } | { readonly version: 1; readonly cpuDir: string; readonly memoryDir: string };

/**
 * Where a process's CPU and memory limits live. A v2 tree counts only when its root offers both cpu
 * and memory: a hybrid host mounts an empty v2 tree beside the v1 controllers, and that one limits
 * nothing. `controllersOf` reads a v2 mount's cgroup.controllers (null when absent). Null when no
 * usable hierarchy is mounted.
 */
export function findCgroups(mounts: readonly CgroupMount[], procCgroup: string, controllersOf: (mountPoint: string) => string | null): CgroupDirs | null {
  const paths = parseProcCgroup(procCgroup);
  for (const m of mounts) {
    if (m.fsType !== 'cgroup2') continue;
    const controllers = controllersOf(m.mountPoint)?.trim().split(/\s+/) ?? [];
    const path = paths.get('');
    if (controllers.includes('cpu') && controllers.includes('memory') && path !== undefined) return { version: 2, dir: cgroupDir(m, path) };
  }
  const v1 = (controller: string): string | null => {
    const path = paths.get(controller);
    const m = mounts.find((x) => x.fsType === 'cgroup' && x.options.includes(controller));
    return m && path !== undefined ? cgroupDir(m, path) : null;
  };
  const cpuDir = v1('cpu');
  const memoryDir = v1('memory');
  return cpuDir !== null && memoryDir !== null ? { version: 1, cpuDir, memoryDir } : null;
}

function readOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/**
 * The cgroups of a process on this machine (`self` or a pid, a container's seen from the host):
 * mounts as this process sees them, the path as /proc/<pid>/cgroup gives it.
 */
export function readCgroups(pid: number | 'self' = 'self'): CgroupDirs | null {
  const procCgroup = readOrNull(`/proc/${pid}/cgroup`);
  if (procCgroup === null) return null;
  return findCgroups(parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8')), procCgroup, (mnt) => readOrNull(join(mnt, 'cgroup.controllers')));
}

/** The cpu.stat file and memory directory of a process's cgroups. */
export function counterFiles(dirs: CgroupDirs): { cpuStat: string; memoryDir: string } {
  return dirs.version === 2 ? { cpuStat: join(dirs.dir, 'cpu.stat'), memoryDir: dirs.dir } : { cpuStat: join(dirs.cpuDir, 'cpu.stat'), memoryDir: dirs.memoryDir };
}

// ---- the limits the kernel holds -------------------------------------------------------------------

/** The limits as the kernel's files hold them, unparsed: quota (`max` when none), period, memory. */
export interface HeldLimits {
  readonly quota: string;
  readonly period: string;
  readonly memory: string;
}

/** Reads back a process's CPU quota, period and memory limit (v2 cpu.max and memory.max, v1 cfs files and limit_in_bytes). */
export function readHeldLimits(dirs: CgroupDirs, read: (file: string) => string = (f) => readFileSync(f, 'utf8')): HeldLimits {
  if (dirs.version === 2) {
    const [quota = '', period = ''] = read(join(dirs.dir, 'cpu.max')).trim().split(/\s+/);
    return { quota, period, memory: read(join(dirs.dir, 'memory.max')).trim() };
  }
  return {
    quota: read(join(dirs.cpuDir, 'cpu.cfs_quota_us')).trim(),
    period: read(join(dirs.cpuDir, 'cpu.cfs_period_us')).trim(),
    memory: read(join(dirs.memoryDir, 'memory.limit_in_bytes')).trim(),
  };
}

/** Whether the held limits are the asked ones; the kernel rounds a memory limit down to whole pages. */
export function limitsHeld(held: HeldLimits, want: { quotaUs: number; periodUs: number; memoryBytes: number }, pageSize: number): boolean {
  const m = Number(held.memory);
  return held.quota === String(want.quotaUs) && held.period === String(want.periodUs) && /^[0-9]+$/.test(held.memory) && m <= want.memoryBytes && m > want.memoryBytes - pageSize;
}

/** This machine's memory page size (getconf PAGESIZE). */
export function pageSize(): number {
  const r = spawnSync('getconf', ['PAGESIZE'], { encoding: 'utf8' });
  const n = Number(r.stdout?.trim());
  if (!Number.isInteger(n) || n <= 0) throw new Error(`getconf PAGESIZE gave no page size (${r.stderr?.trim() || r.error?.message || 'no output'})`);
  return n;
}

/**
 * How swap stands for a memory cgroup: capped at zero, none on the machine, or (loudly) uncapped.
 * `read` gives a file's text or null when absent; /proc/meminfo tells whether the machine swaps.
 */
export function swapNote(memoryDir: string, read: (file: string) => string | null = readOrNull): string {
  let limit: string | null = null;
  const v2 = read(join(memoryDir, 'memory.swap.max'));
  const memsw = read(join(memoryDir, 'memory.memsw.limit_in_bytes'));
  if (v2 !== null) limit = v2.trim();
  // memsw counts memory plus swap: equal to the memory limit means no swap.
  else if (memsw !== null) limit = String(Number(memsw) - Number(read(join(memoryDir, 'memory.limit_in_bytes'))));
  if (limit === '0') return 'swap capped at 0';
  if (/^SwapTotal:\s+0\b/m.test(read('/proc/meminfo') ?? '')) return 'no swap on this machine';
  return `WARNING: swap is not capped (swap limit ${limit ?? 'absent'}): under memory pressure the service may swap instead of being killed`;
}
