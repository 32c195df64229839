import { hostname, tmpdir } from 'node:os';
import { ENGINE_NAMES, isEngineName, type EngineName } from './engines/engine.js';
import type { MetricsConfig } from './metrics.js';

/** How heavy work runs: on the event loop, or off it (worker pool / libuv pool). */
export const MODES = ['inline', 'pool'] as const;
export type Mode = (typeof MODES)[number];

/** The whole configuration, parsed and validated once at start, then frozen. */
export interface Config {
  readonly host: string;
  readonly port: number;
  /** Largest accepted value of each heavy parameter (inclusive). */
  readonly caps: Readonly<{ primeLimit: number; hashRounds: number; ioKb: number }>;
  readonly defaultImpl: EngineName;
  readonly defaultMode: Mode;
  /** Folder for the heavy endpoint's temporary files. */
  readonly dataDir: string;
  /** The uWS builds to try, newest first (empty: every build package.json carries; server/uws.ts). */
  readonly uwsBuilds: readonly string[];
  /** On SIGTERM/SIGINT, how long in-flight requests may take before connections are closed. */
  readonly shutdownTimeoutMs: number;
  /**
   * Heavy jobs computing at once (any mode), and the worker-thread count of the pool. Defaults to
   * the CPUs this process may use (cgroup quota, at least 1): more would only time-slice one CPU.
   */
  readonly poolSize: number;
  /** Heavy jobs allowed to wait for a free slot; beyond it, 503 + Retry-After at once. */
  readonly queueMax: number;
  /** A heavy job still queued or (where it can be stopped) running after this is answered 503. */
  readonly deadlineMs: number;
  /** StatsD emission to statsd_exporter (see metrics.ts). */
  readonly metrics: MetricsConfig;
}

/** A configuration error: one line, naming the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The environment variables read, with their defaults: the documentation of the config. */
export const CONFIG_DEFAULTS = Object.freeze({
  HOST: '127.0.0.1',
  PORT: '8000',
  MAX_PRIME_LIMIT: '100000000',
  MAX_HASH_ROUNDS: '10000000',
  MAX_IO_KB: '5120',
  DEFAULT_IMPL: 'js',
  DEFAULT_MODE: 'inline',
  DATA_DIR: '', // empty: the OS temp dir
  UWS_BUILDS: '', // empty: every uWS build the lab carries, newest first; e.g. uws-20.51 to pin one
  SHUTDOWN_TIMEOUT_MS: '10000',
  POOL_SIZE: '', // empty: the CPUs this process may use (cgroup quota), at least 1
  QUEUE_MAX: '4',
  DEADLINE_MS: '5000',
  METRICS: '1', // 0: send no metrics at all
  STATSD_HOST: '127.0.0.1', // an IP, or a name resolved once at start
  STATSD_PORT: '9125',
  METRICS_FLUSH_MS: '1000',
  METRICS_INSTANCE: '', // empty: <host name>/<pid>; the service_instance label of every series
});

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Parses the environment. `cpus` is the CPU count the process may use (see cgroup.ts); it only
 * sets POOL_SIZE's default, and is a parameter so tests need no cgroup.
 */
export function loadConfig(env: Env = process.env, cpus = 1): Config {
  const get = (name: keyof typeof CONFIG_DEFAULTS): string => env[name] ?? CONFIG_DEFAULTS[name];
  const host = get('HOST').trim();
  if (host === '') throw new ConfigError('HOST must not be empty');
  const defaultImpl = get('DEFAULT_IMPL');
  if (!isEngineName(defaultImpl)) {
    throw new ConfigError(`DEFAULT_IMPL must be one of ${ENGINE_NAMES.join(', ')} (got "${defaultImpl}")`);
  }
  const defaultMode = get('DEFAULT_MODE');
  if (!(MODES as readonly string[]).includes(defaultMode)) {
    throw new ConfigError(`DEFAULT_MODE must be one of ${MODES.join(', ')} (got "${defaultMode}")`);
  }
  return Object.freeze({
    host,
    port: integer('PORT', get('PORT'), 0, 65535),
    caps: Object.freeze({
      // Upper bounds keep every engine's memory and int arithmetic in range (the sieve indexes
      // odd numbers in 32-bit words; 2^31 would overflow the TypeScript engine's p*p).
      primeLimit: integer('MAX_PRIME_LIMIT', get('MAX_PRIME_LIMIT'), 0, 2_000_000_000),
      hashRounds: integer('MAX_HASH_ROUNDS', get('MAX_HASH_ROUNDS'), 0, 1_000_000_000),
      ioKb: integer('MAX_IO_KB', get('MAX_IO_KB'), 0, 1_048_576),
    }),
    defaultImpl,
    defaultMode: defaultMode as Mode,
    dataDir: get('DATA_DIR') || tmpdir(),
    uwsBuilds: Object.freeze(uwsBuildList(get('UWS_BUILDS'))),
    shutdownTimeoutMs: integer('SHUTDOWN_TIMEOUT_MS', get('SHUTDOWN_TIMEOUT_MS'), 0, 600_000),
    poolSize: get('POOL_SIZE') === '' ? Math.max(1, Math.floor(cpus)) : integer('POOL_SIZE', get('POOL_SIZE'), 1, 64),
    queueMax: integer('QUEUE_MAX', get('QUEUE_MAX'), 0, 10_000),
    deadlineMs: integer('DEADLINE_MS', get('DEADLINE_MS'), 1, 600_000),
    metrics: Object.freeze({
      enabled: flag('METRICS', get('METRICS')),
      host: nonEmpty('STATSD_HOST', get('STATSD_HOST')),
      port: integer('STATSD_PORT', get('STATSD_PORT'), 1, 65535),
      flushMs: integer('METRICS_FLUSH_MS', get('METRICS_FLUSH_MS'), 10, 60_000),
      instance: instanceId(get('METRICS_INSTANCE')),
    }),
  });
}

function integer(name: string, raw: string, min: number, max: number): number {
  if (!/^[0-9]{1,10}$/.test(raw)) throw new ConfigError(`${name} must be a decimal integer (got "${raw}")`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max} (got ${value})`);
  return value;
}

/**
 * METRICS_INSTANCE, or `<host name>/<pid>`: unique per process on a machine and readable. Given
 * values must already be valid tag values (a pod name, a task id): refused, not rewritten, so a
 * dashboard filter typed from the environment matches the label.
 */
function instanceId(raw: string): string {
  if (raw === '')
    return `${
      hostname()
        .replace(/[^A-Za-z0-9_.-]/g, '_')
        .slice(0, 100) || 'host'
    }/${process.pid}`;
  if (!/^[A-Za-z0-9_./-]{1,128}$/.test(raw)) {
    throw new ConfigError(`METRICS_INSTANCE must be 1 to 128 characters among A-Z a-z 0-9 _ . / - (got "${raw}")`);
  }
  return raw;
}

/** UWS_BUILDS: a comma-separated list of package.json aliases like `uws-20.51` (which exist is checked at load). */
function uwsBuildList(raw: string): string[] {
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const bad = names.filter((n) => !/^uws-\d+\.\d+$/.test(n));
  if (bad.length > 0) throw new ConfigError(`UWS_BUILDS must list uWS builds like uws-20.51,uws-20.57 (got "${raw}")`);
  return names;
}

function nonEmpty(name: string, raw: string): string {
  const value = raw.trim();
  if (value === '') throw new ConfigError(`${name} must not be empty`);
  return value;
}

function flag(name: string, raw: string): boolean {
  if (raw === '1' || raw === 'true') return true;
  if (raw === '0' || raw === 'false' || raw === '') return false;
  throw new ConfigError(`${name} must be 1/true or 0/false (got "${raw}")`);
}
