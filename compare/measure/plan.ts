/**
 * What a comparison run measures and for how long. Three profiles: `quick` (about 7 minutes with the peers, for
 * `make test`), `default` (about 20 minutes on a 2-core machine, 15 of them the lab) and `long` (more steps, longer
 * steps, every engine in the mixed scenario at two fractions). Every number here is written into
 * the run's manifest, so a report states the plan it was measured with.
 */
import { HELLO_SLO_P99_MS, PEER_NAMES, SEED_SLO, type PeerName } from '../../lab/facts.js';
import { ENGINES, MODES } from '../../lab/index.js';

export type ProfileName = 'quick' | 'default' | 'long';

/** Bounds of one capacity search: exponential stepping from `start`, then bisection. */
export interface SearchPlan {
  /** First offered rate (requests/s). For heavy this is a fraction of the calibrated estimate. */
  readonly start: number;
  /** Multiplier while stepping up; its inverse-ish `downFactor` while stepping down. */
  readonly upFactor: number;
  readonly downFactor: number;
  /** Never offer more than this (requests/s); reaching it while passing is reported as "capped". */
  readonly max: number;
  /** Never offer less: below it the search gives up and reports capacity 0. */
  readonly min: number;
  /** Measured steps in all, stepping and bisection together. */
  readonly maxSteps: number;
  /** Bisection stops once the failing rate is within this ratio of the passing one (0.1 = 10 %). */
  readonly resolution: number;
}

export interface Plan {
  readonly profile: ProfileName;
  /** Engines in the order of the first rotation; unavailable ones are reported and skipped. */
  readonly engines: readonly string[];
  readonly modes: readonly string[];
  readonly hello: {
    /** On pacer (lab/generators/pacer.ts): its ceiling on one core is above one uWS core's, so `max` can be too. */
    readonly search: SearchPlan;
    readonly stepSec: number;
    /** Latency objective of a passing /hello step, with 0 errors. */
    readonly sloP99Ms: number;
    /**
     * Measure a failing step once more at the same rate when the service had CPU to spare
     * (verdict.ts, worthRepeating); the search takes the repeat's verdict. Absent in older runs.
     */
    readonly repeatSpareFailures?: boolean;
    readonly warmupRate: number;
    readonly warmupSec: number;
    readonly wrk: { readonly threads: number; readonly connections: number; readonly durationSec: number };
  };
  readonly heavy: {
    /** The search starts at `startFraction` x (CPUs / median service time of the warm-up requests). */
    readonly startFraction: number;
    readonly search: Omit<SearchPlan, 'start'>;
    /** A step lasts long enough for `minRequests` at its rate, within [minStepSec, maxStepSec]. */
    readonly minRequests: number;
    readonly minStepSec: number;
    readonly maxStepSec: number;
    /** Sequential requests after the primer; their timings calibrate the search's start. */
    readonly warmupRequests: number;
    /** The seed's k6 thresholds: p95 < 3 s and p99 < 6 s (p50 < 1 s is reported, not required). */
    readonly sloP50Ms: number;
    readonly sloP95Ms: number;
    readonly sloP99Ms: number;
  };
  readonly mixed: {
    /** Which engines x modes run it; all available when null. */
    readonly engines: readonly string[] | null;
    /** Heavy load as fractions of each engine x mode's measured capacity. */
    readonly heavyFractions: readonly number[];
    /** Constant /hello rate measured alongside (requests/s), and alone as the baseline. */
    readonly helloRate: number;
    readonly durationSec: number;
  };
  /** Pause after the service has drained, before the next measured step. */
  readonly pauseSec: number;
  /** A scaling run (`make compare SCALE=1`): the CPU limits measured; absent in other runs. */
  readonly scale?: { readonly cpus: readonly number[] };
  /**
   * The peers measured after the lab in the same run, under the same limits, generator, searches
   * and checks (peers/): their figures are what every "vs" column divides by.
   */
  readonly peers: {
    /** In order; `PEERS=` overrides (a comma list, or `none`). */
    readonly names: readonly PeerName[];
    /**
     * Django's heavy search: the lab's SLO, its own rate ladder. At well under 1 req/s a step
     * needs tens of seconds to hold enough requests to say anything about p95.
     */
    readonly djangoHeavy: HeavyStepPlan & { readonly startFraction: number; readonly search: Omit<SearchPlan, 'start'>; readonly warmupRequests: number };
    /** Each peer's /hello search where it differs from the lab's (same steps, SLO and generator). */
    readonly hello: Readonly<Partial<Record<PeerName, Partial<SearchPlan>>>>;
  };
}

/** How long a heavy step lasts: long enough for `minRequests` at its rate, within the bounds. */
export interface HeavyStepPlan {
  readonly minRequests: number;
  readonly minStepSec: number;
  readonly maxStepSec: number;
}

/** The CPU limits a scaling run measures, and the engine x mode pairs it measures under each. */
export const SCALE_CPUS = [0.5, 1, 2] as const;
export const SCALE_PAIRS = [
  ['native', 'pool'],
  ['wasm', 'pool'],
] as const;

/** The seed's objectives (lab/facts.ts), in the plan's field names. */
const HEAVY_SLO = { sloP50Ms: SEED_SLO.p50Ms, sloP95Ms: SEED_SLO.p95Ms, sloP99Ms: SEED_SLO.p99Ms } as const;

export const PLANS: Readonly<Record<ProfileName, Plan>> = Object.freeze({
  quick: {
    profile: 'quick',
    // native (the compiled engine the lab leads with) and js (the slowest): enough to exercise every
    // code path, both modes and the peers in about 7 minutes on a 2-core machine.
    engines: ['native', 'js'],
    modes: MODES,
    hello: {
      search: { start: 4000, upFactor: 3, downFactor: 0.5, max: 200000, min: 100, maxSteps: 5, resolution: 0.2 },
      stepSec: 2,
      sloP99Ms: HELLO_SLO_P99_MS,
      repeatSpareFailures: true,
      warmupRate: 1000,
      warmupSec: 1,
      wrk: { threads: 1, connections: 64, durationSec: 3 },
    },
    heavy: {
      startFraction: 0.7,
      search: { upFactor: 1.5, downFactor: 0.6, max: 500, min: 0.05, maxSteps: 3, resolution: 0.15 },
      minRequests: 6,
      minStepSec: 3,
      maxStepSec: 4,
      warmupRequests: 2,
      ...HEAVY_SLO,
    },
    mixed: { engines: null, heavyFractions: [0.5], helloRate: 500, durationSec: 3 },
    pauseSec: 0.5,
    peers: {
      names: PEER_NAMES,
      // Shortened: two steps of a few requests, enough to run every code path on Django.
      djangoHeavy: {
        startFraction: 0.7,
        search: { upFactor: 1.5, downFactor: 0.6, max: 20, min: 0.05, maxSteps: 2, resolution: 0.2 },
        minRequests: 4,
        minStepSec: 4,
        maxStepSec: 6,
        warmupRequests: 1,
      },
      // gunicorn's sync Python answers /hello in the hundreds per second, node:http in the thousands.
      hello: { django: { start: 500, min: 25 }, 'node-http': { start: 2000 } },
    },
  },
  default: {
    profile: 'default',
    engines: ENGINES,
    modes: MODES,
    hello: {
      search: { start: 4000, upFactor: 2, downFactor: 0.5, max: 200000, min: 100, maxSteps: 8, resolution: 0.1 },
      stepSec: 5,
      sloP99Ms: HELLO_SLO_P99_MS,
      repeatSpareFailures: true,
      warmupRate: 1000,
      warmupSec: 3,
      wrk: { threads: 1, connections: 64, durationSec: 10 },
    },
    heavy: {
      startFraction: 0.7,
      search: { upFactor: 1.5, downFactor: 0.6, max: 500, min: 0.05, maxSteps: 4, resolution: 0.12 },
      minRequests: 16,
      minStepSec: 5,
      maxStepSec: 11,
      warmupRequests: 3,
      ...HEAVY_SLO,
    },
    mixed: { engines: null, heavyFractions: [0.5], helloRate: 500, durationSec: 5 },
    pauseSec: 0.5,
    peers: {
      names: PEER_NAMES,
      djangoHeavy: {
        startFraction: 0.7,
        search: { upFactor: 1.5, downFactor: 0.6, max: 20, min: 0.05, maxSteps: 4, resolution: 0.15 },
        minRequests: 12,
        minStepSec: 10,
        maxStepSec: 20,
        warmupRequests: 3,
      },
      hello: { django: { start: 500, min: 25, maxSteps: 7 }, 'node-http': { maxSteps: 7 } },
    },
  },
  long: {
    profile: 'long',
    engines: ENGINES,
    modes: MODES,
    hello: {
      search: { start: 2000, upFactor: 2, downFactor: 0.5, max: 200000, min: 100, maxSteps: 12, resolution: 0.05 },
      stepSec: 15,
      sloP99Ms: HELLO_SLO_P99_MS,
      repeatSpareFailures: true,
      warmupRate: 1000,
      warmupSec: 10,
      wrk: { threads: 1, connections: 64, durationSec: 30 },
    },
    heavy: {
      startFraction: 0.7,
      search: { upFactor: 1.25, downFactor: 0.6, max: 500, min: 0.05, maxSteps: 7, resolution: 0.06 },
      minRequests: 40,
      minStepSec: 10,
      maxStepSec: 45,
      warmupRequests: 5,
      ...HEAVY_SLO,
    },
    mixed: { engines: null, heavyFractions: [0.25, 0.75], helloRate: 1000, durationSec: 20 },
    pauseSec: 3,
    peers: {
      names: PEER_NAMES,
      djangoHeavy: {
        startFraction: 0.7,
        search: { upFactor: 1.25, downFactor: 0.6, max: 20, min: 0.05, maxSteps: 6, resolution: 0.08 },
        minRequests: 30,
        minStepSec: 20,
        maxStepSec: 60,
        warmupRequests: 5,
      },
      hello: { django: { start: 500, min: 25 } },
    },
  },
});

/** Seconds a heavy step lasts at `rate` requests/s (the lab's heavy plan, or a peer's). */
export function heavyStepSec(plan: Plan | HeavyStepPlan, rate: number): number {
  const h = 'heavy' in plan ? plan.heavy : plan;
  return Math.min(h.maxStepSec, Math.max(h.minStepSec, Math.ceil(h.minRequests / rate)));
}

/** `list` rotated left by `by`, so no engine is always measured right after the same other one. */
export function rotate<T>(list: readonly T[], by: number): T[] {
  if (list.length === 0) return [];
  const k = ((by % list.length) + list.length) % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

/** PEERS, checked: a comma list of peer names, `none`, or the profile's when unset. */
export function readPeers(env: Readonly<Record<string, string | undefined>>, fallback: readonly PeerName[]): PeerName[] {
  const raw = (env['PEERS'] ?? '').trim();
  if (raw === '') return [...fallback];
  if (raw === 'none') return [];
  const names = [
    ...new Set(
      raw
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    ),
  ];
  const unknown = names.filter((n) => !(PEER_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0) throw new Error(`PEERS names unknown peer(s) ${unknown.map((n) => `"${n}"`).join(', ')}; known: ${PEER_NAMES.join(', ')}, or none`);
  return names as PeerName[];
}
