import { readFileSync, existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** The CPU and memory limits this process runs under, as its own cgroup states them. */
export interface Limits {
  /** cgroup CPU quota in CPUs (quota / period), or null when unlimited or unknown. */
  readonly cpuQuota: number | null;
  /** CPUs this process may be scheduled on (affinity / cpuset). */
  readonly cpusAvailable: number;
  /** Effective CPUs: the quota when set, else the scheduler's count. */
  readonly cpus: number;
  /** cgroup memory limit in bytes, or null when unlimited or unknown. */
  readonly memoryBytes: number | null;
  readonly cgroupVersion: 1 | 2 | null;
}

const ROOT = '/sys/fs/cgroup';
// cgroup v1 writes "no limit" as a huge page-aligned number rather than a word.
const V1_UNLIMITED = 2 ** 60;

/**
 * Reads the limits from /proc/self/cgroup and the cgroup files, walking up to the root because an
 * ancestor's limit binds too (the tightest one wins). Inside a container with its own cgroup
 * namespace the path is "/" and the files sit at the mount root, which the walk covers.
 * `root` and `procCgroup` are parameters so tests can point them at a fake tree.
 */
export function readLimits(root = ROOT, procCgroup = '/proc/self/cgroup'): Limits {
  const cpusAvailable = availableParallelism();
  let text: string;
  try {
    text = readFileSync(procCgroup, 'utf8');
  } catch {
    return { cpuQuota: null, cpusAvailable, cpus: cpusAvailable, memoryBytes: null, cgroupVersion: null };
  }
  const paths = parseProcCgroup(text);
  const unified = existsSync(`${root}/cgroup.controllers`);
  let cpuQuota: number | null = null;
  let memoryBytes: number | null = null;
  if (unified) {
    for (const dir of ancestors(root, paths.get('') ?? '/')) {
      const cpuMax = read(`${dir}/cpu.max`)?.split(' ');
      if (cpuMax && cpuMax[0] !== 'max') cpuQuota = min(cpuQuota, Number(cpuMax[0]) / Number(cpuMax[1]));
      const mem = read(`${dir}/memory.max`);
      if (mem && mem !== 'max') memoryBytes = min(memoryBytes, Number(mem));
    }
  } else {
    const cpuPath = paths.get('cpu') ?? paths.get('cpuacct');
    const cpuDir = [`${root}/cpu`, `${root}/cpu,cpuacct`].find(existsSync);
    if (cpuPath !== undefined && cpuDir) {
      for (const dir of ancestors(cpuDir, cpuPath)) {
        const quota = Number(read(`${dir}/cpu.cfs_quota_us`) ?? -1);
        const period = Number(read(`${dir}/cpu.cfs_period_us`) ?? 0);
        if (quota > 0 && period > 0) cpuQuota = min(cpuQuota, quota / period);
      }
    }
    const memPath = paths.get('memory');
    if (memPath !== undefined) {
      for (const dir of ancestors(`${root}/memory`, memPath)) {
        const limit = Number(read(`${dir}/memory.limit_in_bytes`) ?? NaN);
        if (Number.isFinite(limit) && limit < V1_UNLIMITED) memoryBytes = min(memoryBytes, limit);
      }
    }
  }
  const cpus = cpuQuota === null ? cpusAvailable : Math.min(cpuQuota, cpusAvailable);
  return { cpuQuota, cpusAvailable, cpus, memoryBytes, cgroupVersion: unified ? 2 : 1 };
}

/**
 * /proc/<pid>/cgroup as controller -> path: `hierarchy:controllers:path` lines, where cgroup v2's
 * one line has no controllers (its key here is ''). Shared with lab/cgroup.ts, which finds the
 * cgroup directories of any process for scripts/run-constrained.sh.
 */
export function parseProcCgroup(text: string): Map<string, string> {
  const paths = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    // The path may itself hold ':'; the first two fields never do.
    const [, controllers = '', ...rest] = line.split(':');
    const path = rest.length > 0 ? rest.join(':') : '/';
    for (const c of controllers.split(',')) paths.set(c, path);
  }
  return paths;
}

/** `root/a/b`, `root/a`, `root` — only those that exist (a namespaced path may not). */
function ancestors(root: string, path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  const dirs: string[] = [];
  for (let i = parts.length; i >= 0; i--) dirs.push([root, ...parts.slice(0, i)].join('/'));
  return dirs.filter(existsSync);
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function min(a: number | null, b: number): number {
  return a === null ? b : Math.min(a, b);
}
