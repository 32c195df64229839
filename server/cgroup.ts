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
  let lines: string[];
  try {
    lines = readFileSync(procCgroup, 'utf8').trim().split('\n');
  } catch {
    return { cpuQuota: null, cpusAvailable, cpus: cpusAvailable, memoryBytes: null, cgroupVersion: null };
  }
  const paths = new Map<string, string>(); // controller -> path
  for (const line of lines) {
    const [, controllers = '', path = '/'] = line.split(':');
    for (const c of controllers.split(',')) paths.set(c, path);
  }
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
