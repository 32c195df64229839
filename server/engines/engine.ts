/**
 * The one interface every compute engine implements. An engine does the CPU part of the heavy
 * workload (the prime sieve and the SHA-256 chain); file I/O and timing live in `heavy.ts` and
 * `io-check.ts`, so engines differ only in how they compute, never in what they measure.
 *
 * Named like node-rs in every layer (Rust, the napi addon, this interface): `sieveCount` is the
 * asynchronous one, `sieveCountSync` runs on the calling thread.
 */

/** Every engine name a request may ask for with `?impl=`. The registry maps each to a loader. */
export const ENGINE_NAMES = ['js', 'wasm', 'native', 'hash-wasm', 'node-crypto'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

export interface Engine {
  readonly name: EngineName;
  /** One line for health and reports: what runs, and how it was built. */
  readonly description: string;
  /** Count of primes p with 2 <= p <= limit, on the calling thread. `limit` is a non-negative safe integer. */
  sieveCountSync(limit: number): number;
  /** Lower-case hex of h_rounds, where h_0 is 32 zero bytes and h_i = SHA-256(h_{i-1}), on the calling thread. */
  sha256ChainSync(rounds: number): string;
  /**
   * Optional off-loop variants (the native engine's napi AsyncTask on the libuv pool). Engines
   * without them are moved off the event loop by the worker pool instead.
   */
  sieveCount?(limit: number): Promise<number>;
  sha256Chain?(rounds: number): Promise<string>;
}

/** Loads one engine; throws with a readable reason when it is not built or cannot load. */
export interface EngineLoader {
  readonly name: EngineName;
  load(): Promise<Engine>;
}

export function isEngineName(value: string): value is EngineName {
  return (ENGINE_NAMES as readonly string[]).includes(value);
}
