/** Known answers before any load: every engine in every mode on three workloads (fixtures/vectors.json). */
import { DEFAULT_WORKLOAD, knownDigest, knownPrimes } from '../../lab/index.js';
import { getJson } from './exec.js';
import type { Verification } from './manifest.js';
import type { Run } from './runner.js';

/** The workloads checked: small, medium and the default one (which must be in the vectors). */
const WORKLOADS: readonly (readonly [number, number])[] = [
  [10_000, 1000],
  [100_000, 100_000],
  [DEFAULT_WORKLOAD.primeLimit, DEFAULT_WORKLOAD.hashRounds],
];

/** `modes`: the lab's by default; a peer has one (its URL carries no impl or mode). */
export async function verify(run: Run, engines: string[], unavailable: Record<string, string>, modes: readonly string[] = run.plan.modes): Promise<Verification> {
  const workloads = WORKLOADS.filter(([l, r]) => knownPrimes(l) !== undefined && knownDigest(r) !== undefined);
  if (!workloads.some(([l, r]) => l === DEFAULT_WORKLOAD.primeLimit && r === DEFAULT_WORKLOAD.hashRounds)) {
    throw new Error(`fixtures/vectors.json lacks the answer of the default workload (${DEFAULT_WORKLOAD.primeLimit} primes limit, ${DEFAULT_WORKLOAD.hashRounds} rounds)`);
  }
  const checks: Verification['checks'] = [];
  for (const engine of engines) {
    for (const mode of modes) {
      for (const [primeLimit, hashRounds] of workloads) {
        run.abort.signal.throwIfAborted();
        const url = run.heavyUrl(engine, mode, { primeLimit, hashRounds, ioKb: 4 });
        run.log(`GET ${url}`);
        const expected = `primes_found=${knownPrimes(primeLimit)} digest=${knownDigest(hashRounds)}`;
        let got: string;
        try {
          const { status, body } = await getJson<Record<string, unknown>>(url, 60_000);
          got = status === 200 ? `primes_found=${body['primes_found']} digest=${body['digest']}` : `HTTP ${status}: ${String(body['detail'] ?? '')}`;
        } catch (err) {
          got = `request failed: ${(err as Error).message}`;
        }
        checks.push({ engine, mode, primeLimit, hashRounds, ok: got === expected, expected, got });
      }
    }
  }
  run.trafficDone();
  return { ok: checks.every((c) => c.ok), checks, unavailable };
}

/** The failed checks, as the abort message shows them. */
export function verificationFailure(v: Verification): string {
  const bad = v.checks
    .filter((c) => !c.ok)
    .map((c) => `  ${c.engine}/${c.mode} prime_limit=${c.primeLimit} hash_rounds=${c.hashRounds}\n    expected ${c.expected}\n    got      ${c.got}`);
  return `verification failed, no load was sent:\n${bad.join('\n')}`;
}
