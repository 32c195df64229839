/**
 * The lab's shared facts, in one place for every tool (compare/, bench/, loadtests/, scripts/):
 * the workload defaults and the engine and mode names (taken from server/, never repeated), the
 * known answers, the repository root, medians and percentiles, and the checked readers of HOST,
 * PORT and ENGINES with the one loopback guard. Shell scripts read the same values through
 * `node dist/lab/cli.js` (lab/cli.ts).
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { CONFIG_DEFAULTS, MODES as SERVER_MODES, type Mode } from '../server/config.js';
import { ENGINE_NAMES, type EngineName } from '../server/engines/engine.js';
import { repoRoot as findRepoRoot } from '../server/engines/rust-artifacts.js';
import { HEAVY_DEFAULTS } from '../server/params.js';

export type { EngineName, Mode };

/** Every engine the server registers, in the server's order. */
export const ENGINES: readonly EngineName[] = ENGINE_NAMES;
/** How heavy work runs: on the event loop or off it. */
export const MODES: readonly Mode[] = SERVER_MODES;

export interface Workload {
  readonly primeLimit: number;
  readonly hashRounds: number;
  readonly ioKb: number;
}

/** The seed's heavy request, as the server defaults it (server/params.ts). */
export const DEFAULT_WORKLOAD: Workload = Object.freeze({ primeLimit: HEAVY_DEFAULTS.prime_limit, hashRounds: HEAVY_DEFAULTS.hash_rounds, ioKb: HEAVY_DEFAULTS.io_kb });

/** The service's default port and host, from its own config module (server/config.ts). */
export const DEFAULT_PORT = Number(CONFIG_DEFAULTS.PORT);
export const DEFAULT_HOST = CONFIG_DEFAULTS.HOST;

/** The query string of a heavy request (without `?`). */
export function heavyQuery(w: Workload, engine?: string, mode?: string): string {
  return `prime_limit=${w.primeLimit}&hash_rounds=${w.hashRounds}&io_kb=${w.ioKb}${engine ? `&impl=${engine}` : ''}${mode ? `&mode=${mode}` : ''}`;
}

/** The repository root (the folder holding package.json), wherever the compiled file runs from. */
export function repoRoot(): string {
  return findRepoRoot(new URL('.', import.meta.url));
}

// ---- known answers ----------------------------------------------------------------------------

/** fixtures/vectors.json: shared by cargo test (kernel/), the conformance suite, bench and compare. */
export interface Vectors {
  readonly primes: readonly { readonly limit: number; readonly count: number }[];
  readonly sha256_chain: readonly { readonly rounds: number; readonly digest: string }[];
}

let vectorsCache: Vectors | null = null;

export function loadVectors(): Vectors {
  vectorsCache ??= JSON.parse(readFileSync(join(repoRoot(), 'fixtures', 'vectors.json'), 'utf8')) as Vectors;
  return vectorsCache;
}

/** pi(limit) from the vectors, or undefined when they lack it. */
export function knownPrimes(limit: number): number | undefined {
  return loadVectors().primes.find((p) => p.limit === limit)?.count;
}

/** hex(SHA-256^rounds(32 zero bytes)) from the vectors, or undefined when they lack it. */
export function knownDigest(rounds: number): string | undefined {
  return loadVectors().sha256_chain.find((c) => c.rounds === rounds)?.digest;
}

/** What a heavy request with this workload must answer. */
export interface HeavyReference {
  primesFound: number;
  digest: string;
}

/** The known answer of a workload; throws naming what fixtures/vectors.json lacks. */
export function heavyReference(w: Workload = DEFAULT_WORKLOAD): HeavyReference {
  const primesFound = knownPrimes(w.primeLimit);
  const digest = knownDigest(w.hashRounds);
  if (primesFound === undefined) throw new Error(`fixtures/vectors.json has no prime count for limit ${w.primeLimit}`);
  if (digest === undefined) throw new Error(`fixtures/vectors.json has no chain digest for ${w.hashRounds} rounds`);
  return { primesFound, digest };
}

// ---- statistics -------------------------------------------------------------------------------

/** The median, or null for no values. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The q-th percentile (0..100), nearest rank (as vegeta and wrk report them), or null for no values. */
export function percentile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  if (!(q >= 0 && q <= 100)) throw new RangeError(`percentile must be within 0..100 (got ${q})`);
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((q / 100) * s.length) - 1))]!;
}

// ---- the target: HOST, PORT, ENGINES ------------------------------------------------------------

type Env = Readonly<Record<string, string | undefined>>;

/** Loopback: 127.0.0.0/8, ::1 (bare or bracketed) and localhost. */
export function isLoopback(host: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === 'localhost' || host === '::1' || host === '[::1]';
}

/**
 * HOST, checked: the lab loads only this machine unless ALLOW_REMOTE=1 says otherwise (a
 * distributed run's generators, for example).
 */
export function readHost(env: Env = process.env): string {
  const host = (env['HOST'] ?? '').trim() || DEFAULT_HOST;
  if (env['ALLOW_REMOTE'] !== '1' && !isLoopback(host)) {
    throw new Error(`HOST must be a loopback address (127.0.0.0/8, ::1, localhost; got "${host}"): the lab loads only this machine unless ALLOW_REMOTE=1`);
  }
  return host;
}

/** PORT, checked: a whole number 1-65535. */
export function readPort(env: Env = process.env, fallback = DEFAULT_PORT): number {
  const raw = (env['PORT'] ?? '').trim();
  if (raw === '') return fallback;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535) throw new Error(`PORT must be a whole number from 1 to 65535 (got "${raw}")`);
  return Number(raw);
}

/** http://host:port, with an IPv6 address in brackets. */
export function baseUrl(host: string, port: number): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}

/**
 * ENGINES, checked: a comma list of known names (the server's engines, plus `extra` names a tool
 * also knows), or `fallback` when unset or empty.
 */
export function readEngines<T extends string = EngineName>(
  env: Env = process.env,
  fallback: readonly T[] = ENGINES as readonly string[] as readonly T[],
  extra: readonly string[] = [],
): T[] {
  const raw = (env['ENGINES'] ?? '').trim();
  if (raw === '') return [...fallback];
  const known = [...ENGINES, ...extra];
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) throw new Error(`ENGINES names unknown engine(s) ${unknown.map((n) => `"${n}"`).join(', ')}; known: ${known.join(', ')}`);
  return [...new Set(names)] as T[];
}

/** A TCP port free on 127.0.0.1 right now (for servers a test or benchmark starts on its own port). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, DEFAULT_HOST, resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
