/**
 * What loadtests/vegeta/attack.sh asks before and after an attack, so the shell parses no JSON:
 *
 *   node dist/loadtests/vegeta/checks.js values        # BASE_URL=... LAB_ENGINES=... LAB_PRIME_LIMIT=... (NAME=value lines)
 *   node dist/loadtests/vegeta/checks.js primer URL    # one heavy request, checked against fixtures/vectors.json
 *   node dist/loadtests/vegeta/checks.js report FILE   # vegeta's report.json against MIN_SUCCESS and MAX_P99_MS
 *
 * primer exits 0 when the answer is the known one (primes_found AND digest), 1 when no 200 came
 * (the engine is skipped), 3 when the answer is wrong or cannot be checked (fails the attack).
 * report exits 1 when a limit that is set is missed. A bad value exits 2.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assignments } from '../../lab/cli.js';
import { DEFAULT_WORKLOAD, heavyReference, readEngines } from '../../lab/index.js';
import { readBaseUrl } from '../config.js';

type Env = Readonly<Record<string, string | undefined>>;
type Result = { code: number; out: string; err: string };

/** The target (BASE_URL, else HOST:PORT, loopback unless ALLOW_REMOTE=1) and the lab's defaults for the heavy attack. */
export function attackValues(env: Env): Record<string, string | number> {
  return {
    BASE_URL: readBaseUrl(env),
    LAB_ENGINES: readEngines(env).join(' '),
    LAB_PRIME_LIMIT: DEFAULT_WORKLOAD.primeLimit,
    LAB_HASH_ROUNDS: DEFAULT_WORKLOAD.hashRounds,
    LAB_IO_KB: DEFAULT_WORKLOAD.ioKb,
  };
}

/** A whole number query parameter of a heavy URL. */
function queryInt(url: URL, name: string): number {
  const raw = url.searchParams.get(name);
  if (raw === null || !/^[0-9]+$/.test(raw)) throw new Error(`the primer URL has no whole ${name} (${url.search})`);
  return Number(raw);
}

/**
 * Why a heavy answer is wrong for the request that asked it, or [] when it is the known answer:
 * pi(prime_limit) and the SHA-256 chain's digest after hash_rounds, from fixtures/vectors.json.
 * Throws when the vectors have no answer for that workload (nothing to check against).
 */
export function wrongAnswers(url: string, body: unknown): string[] {
  const u = new URL(url);
  const want = heavyReference({ primeLimit: queryInt(u, 'prime_limit'), hashRounds: queryInt(u, 'hash_rounds'), ioKb: 0 });
  const got = (body ?? {}) as { primes_found?: unknown; digest?: unknown };
  const wrong: string[] = [];
  if (got.primes_found !== want.primesFound) wrong.push(`primes_found=${JSON.stringify(got.primes_found)}, known answer ${want.primesFound}`);
  if (got.digest !== want.digest) wrong.push(`digest=${JSON.stringify(got.digest)}, known answer ${want.digest}`);
  return wrong;
}

/** One heavy request before any load: the engine must answer, and answer right. */
export async function primer(url: string): Promise<Result> {
  let status: number;
  let body: unknown;
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(60_000) });
    status = r.status;
    body = await r.json();
  } catch (err) {
    return { code: 1, out: '', err: `${(err as Error).message}\n` };
  }
  if (status !== 200) return { code: 1, out: '', err: `${status} ${(body as { detail?: string } | null)?.detail ?? ''}\n` };
  let wrong: string[];
  try {
    wrong = wrongAnswers(url, body);
  } catch (err) {
    return { code: 3, out: '', err: `WRONG: cannot check the answer: ${(err as Error).message}\n` };
  }
  if (wrong.length > 0) return { code: 3, out: '', err: `WRONG ANSWER: ${wrong.join('; ')}\n` };
  const b = body as { primes_found: number; digest: string };
  return { code: 0, out: `primes_found=${b.primes_found} digest=${b.digest} (the known answers)\n`, err: '' };
}

/** The fields of vegeta's `report -type=json` read here. */
interface VegetaReportJson {
  readonly success: number;
  readonly latencies: { readonly '99th': number };
}

function limit(env: Env, name: string): number | null {
  const raw = env[name]?.trim();
  if (!raw) return null;
  if (!/^[0-9]*\.?[0-9]+$/.test(raw)) throw new Error(`${name} must be a number (got "${raw}")`);
  return Number(raw);
}

/** The limits a report misses: MIN_SUCCESS (a ratio, e.g. 1) and MAX_P99_MS, each only when set. */
export function reportFailures(report: VegetaReportJson, env: Env): string[] {
  const minSuccess = limit(env, 'MIN_SUCCESS');
  const maxP99 = limit(env, 'MAX_P99_MS');
  const p99Ms = (report.latencies['99th'] / 1e6).toFixed(3);
  const failures: string[] = [];
  if (minSuccess !== null && report.success < minSuccess) failures.push(`FAIL: success ratio ${report.success} < ${minSuccess}`);
  if (maxP99 !== null && Number(p99Ms) >= maxP99) failures.push(`FAIL: p99 ${p99Ms} ms >= ${maxP99} ms`);
  return failures;
}

const USAGE = 'usage: checks.js values | primer URL | report REPORT_JSON\n';

export async function main(argv: readonly string[], env: Env): Promise<Result> {
  const [cmd, arg, ...rest] = argv;
  try {
    if (cmd === 'values' && arg === undefined) return { code: 0, out: assignments(attackValues(env)), err: '' };
    if (cmd === 'primer' && arg !== undefined && rest.length === 0) return await primer(arg);
    if (cmd === 'report' && arg !== undefined && rest.length === 0) {
      const failures = reportFailures(JSON.parse(readFileSync(arg, 'utf8')) as VegetaReportJson, env);
      return { code: failures.length > 0 ? 1 : 0, out: '', err: failures.map((f) => `${f}\n`).join('') };
    }
    return { code: 2, out: '', err: USAGE };
  } catch (err) {
    return { code: 2, out: '', err: `${(err as Error).message}\n` };
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await main(process.argv.slice(2), process.env);
  process.stdout.write(r.out);
  process.stderr.write(r.err);
  process.exitCode = r.code;
}
