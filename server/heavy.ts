import { performance } from 'node:perf_hooks';
import type { Config, Mode } from './config.js';
import type { Engine, EngineName } from './engines/engine.js';
import { fileRoundTrip } from './io-check.js';
import type { HeavyParams } from './params.js';

/** What the compute stage produced, with its stage timings in milliseconds. */
export interface ComputeResult {
  readonly primesFound: number;
  readonly digest: string;
  readonly sieveMs: number;
  readonly hashMs: number;
}

/** The JSON answer of `/heavy/cpu-io-no-db/`: the seed's fields first, then ours. */
export interface HeavyAnswer {
  primes_found: number;
  prime_limit: number;
  hash_rounds: number;
  io_kb: number;
  cpu_time_sec: number;
  io_time_sec: number;
  total_time_sec: number;
  impl: EngineName;
  mode: Mode;
  digest: string;
  sieve_time_sec: number;
  hash_time_sec: number;
  queue_time_sec: number;
}

/** Runs the compute stage on the calling thread. */
export function computeOnThisThread(engine: Engine, primeLimit: number, hashRounds: number): ComputeResult {
  const t0 = performance.now();
  const primesFound = engine.sieveCountSync(primeLimit);
  const t1 = performance.now();
  const digest = engine.sha256ChainSync(hashRounds);
  const t2 = performance.now();
  return { primesFound, digest, sieveMs: t1 - t0, hashMs: t2 - t1 };
}

/** Seconds, rounded to the microsecond: the timings' real resolution. */
export function seconds(ms: number): number {
  return Math.round(ms * 1000) / 1e6;
}

/**
 * The I/O stage and the answer, given a finished compute stage. `startedAt` is the handler's
 * performance.now() on arrival, so total_time_sec includes any queueing.
 */
export async function finishHeavy(config: Config, params: HeavyParams, compute: ComputeResult, startedAt: number, queueMs: number): Promise<HeavyAnswer> {
  const io0 = performance.now();
  await fileRoundTrip(config.dataDir, params.ioKb);
  const ioMs = performance.now() - io0;
  return {
    primes_found: compute.primesFound,
    prime_limit: params.primeLimit,
    hash_rounds: params.hashRounds,
    io_kb: params.ioKb,
    cpu_time_sec: seconds(compute.sieveMs + compute.hashMs),
    io_time_sec: seconds(ioMs),
    total_time_sec: seconds(performance.now() - startedAt),
    impl: params.impl,
    mode: params.mode,
    digest: compute.digest,
    sieve_time_sec: seconds(compute.sieveMs),
    hash_time_sec: seconds(compute.hashMs),
    queue_time_sec: seconds(queueMs),
  };
}
