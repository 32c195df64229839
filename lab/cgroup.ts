/**
 * What a cgroup says about the service in it: CPU throttling (cpu.stat) and memory (peak, times at
 * the limit, OOM kills), for cgroup v1 and v2 alike. One parser for compare/, the benchmarks and
 * scripts/run-constrained.sh (through lab/constrained-state.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

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
    return { oomKills: parseFlatKeyed(oomControl).get('oom_kill') ?? null, peakBytes: Number(read('memory.max_usage_in_bytes') ?? 0) || 0, atLimit: Number(read('memory.failcnt') ?? 0) || 0 };
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
