/**
 * The lab's shared values and computations for shell scripts, so none repeats or recomputes them.
 * Every answer is `NAME=value` lines (no quoting; a value never holds a newline), which a script
 * reads without eval:
 *
 *   while IFS='=' read -r k v; do printf -v "$k" '%s' "$v"; done <<<"$(node dist/lab/cli.js shell)"
 *
 *   node dist/lab/cli.js shell                    # LAB_PRIME_LIMIT=500000 ... LAB_BASE_URL=http://127.0.0.1:8000
 *   node dist/lab/cli.js get base-url             # one value alone; HOST/PORT checked (loopback unless ALLOW_REMOTE=1)
 *   node dist/lab/cli.js constrained-plan [--service]   # run-constrained's limits from CPUS, MEMORY, HEAP_MB (lab/limits.ts)
 *   node dist/lab/cli.js cgroups [PID]            # where a process's cgroups are (exit 1: no usable hierarchy)
 *   node dist/lab/cli.js verify-cgroup PID QUOTA_US PERIOD_US MEMORY_BYTES   # exit 1: the kernel holds other limits
 *   node dist/lab/cli.js check-peer NAME          # exit 2 unless NAME is a peer (lab/peers.ts)
 *
 * A bad value (HOST, PORT, ENGINES, CPUS, MEMORY...) exits 2 with the reason on stderr.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { counterFiles, limitsHeld, pageSize, readCgroups, readHeldLimits, swapNote } from './cgroup.js';
import { baseUrl, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_WORKLOAD, heavyReference, MODES, readEngines, readHost, readPort, repoRoot } from './index.js';
import { constrainedPlan, CONTAINER_SETTINGS } from './limits.js';
import { isPeerName, PEER_NAMES } from './peers.js';

type Env = Readonly<Record<string, string | undefined>>;
type Result = { code: number; out: string; err: string };

/** Every value by name, computed only when asked (a bad HOST fails only what needs it). */
export const VALUES: Readonly<Record<string, (env: Env) => string>> = {
  'prime-limit': () => String(DEFAULT_WORKLOAD.primeLimit),
  'hash-rounds': () => String(DEFAULT_WORKLOAD.hashRounds),
  'io-kb': () => String(DEFAULT_WORKLOAD.ioKb),
  'primes-found': () => String(heavyReference().primesFound),
  digest: () => heavyReference().digest,
  engines: (env) => readEngines(env).join(' '),
  modes: () => MODES.join(' '),
  host: (env) => readHost(env),
  port: (env) => String(readPort(env)),
  'base-url': (env) => baseUrl(readHost(env), readPort(env)),
  'repo-root': () => repoRoot(),
};

/** `NAME=value` lines; refuses a name a shell cannot assign or a value a line cannot hold. */
export function assignments(values: Readonly<Record<string, string | number>>): string {
  return Object.entries(values)
    .map(([name, value]) => {
      if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) throw new Error(`not a shell variable name: "${name}"`);
      if (/[\n\r\0]/.test(String(value))) throw new Error(`${name}'s value holds a line break`);
      return `${name}=${value}\n`;
    })
    .join('');
}

/** `shell` output: every value as `LAB_NAME=value`. */
export function shellValues(env: Env): Record<string, string> {
  return Object.fromEntries(Object.entries(VALUES).map(([name, value]) => [`LAB_${name.toUpperCase().replaceAll('-', '_')}`, value(env)]));
}

/**
 * What scripts/run-constrained.sh applies: the limits in every unit a method needs, the service's
 * address (its config module's defaults; not checked here, the service checks its own), and the
 * service settings a container gets when they are set.
 */
export function constrainedValues(env: Env, service: boolean): Record<string, string | number> {
  const p = constrainedPlan(env, service);
  return {
    CPUS: p.cpus,
    QUOTA_US: p.quotaUs,
    PERIOD_US: p.periodUs,
    MEM_BYTES: p.memoryBytes,
    MEM_MIB: p.memoryMib,
    HEAP_MB: p.heapMb,
    NANO_CPUS: p.nanoCpus,
    CPU_PERCENT: p.cpuPercent,
    HOST: env['HOST'] || DEFAULT_HOST,
    PORT: env['PORT'] || DEFAULT_PORT,
    SERVICE_SETTINGS: CONTAINER_SETTINGS.join(' '),
  };
}

function pidArg(raw: string | undefined): number | 'self' {
  if (raw === undefined) return 'self';
  if (!/^[1-9][0-9]*$/.test(raw)) throw new Error(`not a pid: "${raw}"`);
  return Number(raw);
}

function wholeArg(name: string, raw: string | undefined): number {
  if (raw === undefined || !/^[0-9]+$/.test(raw)) throw new Error(`${name} must be a whole number (got "${raw ?? ''}")`);
  return Number(raw);
}

/** The cgroup directories of a process, or exit 1 when none is usable. */
function cgroups(pid: number | 'self'): Result {
  const dirs = readCgroups(pid);
  if (dirs === null) return { code: 1, out: '', err: '' };
  const values: Record<string, string | number> =
    dirs.version === 2 ? { CG_VERSION: 2, CG_PARENT: dirs.dir } : { CG_VERSION: 1, CG_CPU_PARENT: dirs.cpuDir, CG_MEM_PARENT: dirs.memoryDir };
  return { code: 0, out: assignments(values), err: '' };
}

/** The limits the kernel holds for a process, its cgroup version, counter files and swap; exit 1 when not the asked ones. */
function verifyCgroup(pid: number, want: { quotaUs: number; periodUs: number; memoryBytes: number }): Result {
  const dirs = readCgroups(pid);
  if (dirs === null) return { code: 1, out: assignments({ VERIFIED: 'no cgroup found' }), err: '' };
  let held: ReturnType<typeof readHeldLimits>;
  try {
    held = readHeldLimits(dirs);
  } catch (err) {
    return { code: 1, out: assignments({ VERIFIED: `unreadable (${(err as Error).message})` }), err: '' };
  }
  const files = counterFiles(dirs);
  const out = assignments({
    CG_VERSION: dirs.version,
    VERIFIED: `${held.quota} ${held.period} ${held.memory}`,
    VERIFIED_CPU_FILE: files.cpuStat,
    VERIFIED_MEM_DIR: files.memoryDir,
    SWAP_NOTE: swapNote(files.memoryDir),
  });
  return { code: limitsHeld(held, want, pageSize()) ? 0 : 1, out, err: '' };
}

const USAGE = `usage: lab/cli.js shell | get <${Object.keys(VALUES).join('|')}> | constrained-plan [--service] | cgroups [PID] | verify-cgroup PID QUOTA_US PERIOD_US MEMORY_BYTES | check-peer NAME`;

export function main(argv: readonly string[], env: Env): Result {
  try {
    const [cmd, ...args] = argv;
    const [name] = args;
    if (cmd === 'shell' && args.length === 0) return { code: 0, out: assignments(shellValues(env)), err: '' };
    if (cmd === 'get' && name !== undefined && args.length === 1) {
      const value = VALUES[name];
      if (!value) return { code: 2, out: '', err: `unknown value "${name}"\n${USAGE}\n` };
      return { code: 0, out: `${value(env)}\n`, err: '' };
    }
    if (cmd === 'constrained-plan' && (args.length === 0 || (args.length === 1 && name === '--service'))) {
      return { code: 0, out: assignments(constrainedValues(env, name === '--service')), err: '' };
    }
    if (cmd === 'cgroups' && args.length <= 1) return cgroups(pidArg(name));
    if (cmd === 'verify-cgroup' && args.length === 4) {
      const [pid, quota, period, memory] = args;
      return verifyCgroup(pidArg(pid) as number, { quotaUs: wholeArg('QUOTA_US', quota), periodUs: wholeArg('PERIOD_US', period), memoryBytes: wholeArg('MEMORY_BYTES', memory) });
    }
    if (cmd === 'check-peer' && args.length === 1) {
      return isPeerName(name!) ? { code: 0, out: '', err: '' } : { code: 2, out: '', err: `PEER must be one of: ${PEER_NAMES.join(' ')} (got '${name}')\n` };
    }
    return { code: 2, out: '', err: `${USAGE}\n` };
  } catch (err) {
    return { code: 2, out: '', err: `${(err as Error).message}\n` };
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = main(process.argv.slice(2), process.env);
  process.stdout.write(r.out);
  process.stderr.write(r.err);
  process.exitCode = r.code;
}
