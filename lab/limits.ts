/**
 * The limits scripts/run-constrained.sh applies, computed here so the shell does no parsing and no
 * arithmetic: CPUS and MEMORY read in Docker's notation, the CFS quota, V8's heap cap, and the same
 * figures as Docker (NanoCpus) and systemd (CPUQuota=%) spell them. The shell asks for them with
 * `node dist/lab/cli.js constrained-plan` and only writes them where they belong.
 */
import { CONFIG_DEFAULTS } from '../server/config.js';

type Env = Readonly<Record<string, string | undefined>>;

const MiB = 2 ** 20;
/** The CFS period every method uses: CPUS is a quota per 100 ms. */
export const PERIOD_US = 100_000;
/** Below this Node itself does not start. */
const MIN_MEMORY_BYTES = 16 * MiB;
/** A quota under 1 ms per period is refused (the kernel's own floor is 1 ms). */
const MIN_QUOTA_US = 1000;

/** A limit that cannot be applied: one line, naming the variable. */
export class LimitError extends Error {
  override readonly name = 'LimitError';
}

/** Docker's byte notation: a whole number with an optional b, k, m or g suffix (binary units, any case). */
export function parseMemory(raw: string): number {
  const m = /^([0-9]+)([bkmg]?)$/.exec(raw.toLowerCase());
  if (!m) throw new LimitError(`MEMORY must look like 256m, 1g or a byte count (got '${raw}')`);
  const unit = { '': 1, b: 1, k: 1024, m: MiB, g: 1024 * MiB }[m[2] as '' | 'b' | 'k' | 'm' | 'g'];
  const bytes = Number(m[1]) * unit;
  if (!Number.isSafeInteger(bytes)) throw new LimitError(`MEMORY is too large (got '${raw}')`);
  return bytes;
}

/**
 * CPUS, a positive decimal, as the limits use it: 6 significant digits (C's `%g`, which the
 * script's awk applied before this moved here), so `docker --cpus`, the quota and the state file
 * all carry the same figure.
 */
export function parseCpus(raw: string): number {
  if (!/^[0-9]+(\.[0-9]+)?$/.test(raw)) throw new LimitError(`CPUS must be a positive decimal like 1 or 0.5 (got '${raw}')`);
  return Number(Number(raw).toPrecision(6));
}

/** Microseconds of CPU per period for `cpus` CPUs, rounded to the nearest. */
export function quotaUs(cpus: number, periodUs = PERIOD_US): number {
  return Math.floor(cpus * periodUs + 0.5);
}

/** What run-constrained applies, in every unit a method needs. */
export interface ConstrainedPlan {
  readonly cpus: number;
  readonly quotaUs: number;
  readonly periodUs: number;
  readonly memoryBytes: number;
  readonly memoryMib: number;
  /** V8's old-space cap (--max-old-space-size), in MiB. */
  readonly heapMb: number;
  /** `docker run --cpus` as docker inspect reports it back (HostConfig.NanoCpus). */
  readonly nanoCpus: number;
  /** systemd's CPUQuota= percentage (per 100 ms), e.g. `50` for half a CPU. */
  readonly cpuPercent: number;
}

/**
 * The limits from CPUS (default 1), MEMORY (default 256m) and HEAP_MB. Node sizes V8's heap from the
 * memory it sees: under a 256 MiB cgroup it allows a 259 MiB heap (Node 20, measured), so the heap
 * alone may fill the cap, and with code, uWS buffers, the young generation, WebAssembly and native
 * memory on top the kernel kills the process before V8 has collected hard. A heap limit below the
 * cap makes V8 collect (or fail with its own heap error) first, the same way in Docker and in a
 * cgroup. Measured under the cap: 40 MiB at rest and under /hello load, 81 MiB peak at the request
 * caps on every engine; 5/8 leaves 96 MiB of 256 outside the old space. HEAP_MB overrides; with
 * `service` (the lab's server, which gets the cap) it must be at least 16.
 */
export function constrainedPlan(env: Env, service: boolean): ConstrainedPlan {
  const memoryRaw = env['MEMORY'] || '256m';
  const memoryBytes = parseMemory(memoryRaw);
  if (memoryBytes < MIN_MEMORY_BYTES) throw new LimitError(`MEMORY must be at least 16m (got '${memoryRaw}'): Node itself needs more`);
  const cpus = parseCpus(env['CPUS'] || '1');
  const quota = quotaUs(cpus);
  if (quota < MIN_QUOTA_US) throw new LimitError(`CPUS must be at least 0.01 (got '${cpus}')`);
  const memoryMib = Math.floor(memoryBytes / MiB);
  const heapRaw = env['HEAP_MB'] || String(Math.floor((memoryMib * 5) / 8));
  if (!/^[0-9]+$/.test(heapRaw) || (service && Number(heapRaw) < 16)) {
    throw new LimitError(`HEAP_MB must be an integer${service ? ' >= 16' : ''} (got '${heapRaw}'; MEMORY too small?)`);
  }
  return {
    cpus,
    quotaUs: quota,
    periodUs: PERIOD_US,
    memoryBytes,
    memoryMib,
    heapMb: Number(heapRaw),
    nanoCpus: Math.floor(cpus * 1e9 + 0.5),
    cpuPercent: Number(((100 * quota) / PERIOD_US).toPrecision(6)),
  };
}

/**
 * The service's own settings (server/config.ts) that pass into a container when set: every one
 * but HOST, PORT and DATA_DIR, which belong to the container.
 */
export const CONTAINER_SETTINGS: readonly string[] = Object.keys(CONFIG_DEFAULTS).filter((k) => !['HOST', 'PORT', 'DATA_DIR'].includes(k));
