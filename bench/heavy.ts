/**
 * make bench-heavy: the seed's default request (prime_limit=500000, hash_rounds=1000000,
 * io_kb=128) through the real server, one request at a time, engines rotated every round. Prints
 * the median and min of the server-side total_time_sec and cpu_time_sec per engine, every answer
 * checked; the reference is the Django service's ~1.2 s per request.
 */
import { DEFAULT_WORKLOAD, heavyQuery, heavyReference, MODES, readEngines, type EngineName } from '../lab/index.js';
import { environment, median, SERVER_MAIN, startPinned } from './lib/processes.js';

const ROUNDS = Number(process.env['ROUNDS'] ?? 7);
const MODE = process.env['MODE'] ?? 'inline';
if (!(MODES as readonly string[]).includes(MODE)) throw new Error(`MODE must be one of ${MODES.join(', ')} (got "${MODE}")`);
const engines = readEngines();
const reference = heavyReference();
const EXPECTED = { primes_found: reference.primesFound, digest: reference.digest };

console.log('# bench-heavy: GET /heavy/cpu-io-no-db/ with the seed defaults, server-side timings');
console.log(
  `method: server pinned to CPU 1, mode=${MODE}, one request at a time, ${ROUNDS} rounds, engine order rotated each round, one unmeasured request per engine first; every answer checked against fixtures/vectors.json (pi(${DEFAULT_WORKLOAD.primeLimit})=${reference.primesFound} and the ${DEFAULT_WORKLOAD.hashRounds}-round digest)`,
);
console.log('environment:', JSON.stringify(environment()));

const server = await startPinned(SERVER_MAIN, 1, { METRICS: '0' });
const total: Record<string, number[]> = {};
const cpu: Record<string, number[]> = {};
try {
  const available: EngineName[] = [];
  for (const e of engines) {
    const res = await fetch(`${server.url}/heavy/cpu-io-no-db/?${heavyQuery(DEFAULT_WORKLOAD, e, MODE)}`);
    if (res.status === 200) available.push(e);
    else console.log(`  ${e}: not measured, answered ${res.status}: ${await res.text()}`);
  }
  for (let round = 0; round < ROUNDS; round++) {
    const order = available.map((_, i) => available[(i + round) % available.length]!);
    for (const e of order) {
      const res = await fetch(`${server.url}/heavy/cpu-io-no-db/?${heavyQuery(DEFAULT_WORKLOAD, e, MODE)}`);
      const body = (await res.json()) as { primes_found: number; digest: string; total_time_sec: number; cpu_time_sec: number };
      if (res.status !== 200 || body.primes_found !== EXPECTED.primes_found || body.digest !== EXPECTED.digest) {
        throw new Error(`${e} answered wrong: ${res.status} ${JSON.stringify(body)}`);
      }
      total[e] = [...(total[e] ?? []), body.total_time_sec];
      cpu[e] = [...(cpu[e] ?? []), body.cpu_time_sec];
    }
  }
  console.log('\n| engine | total_time_sec median | min | cpu_time_sec median | min | vs Django 1.2 s |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const e of available) {
    const t = median(total[e]!);
    console.log(
      `| ${e} | ${t.toFixed(4)} | ${Math.min(...total[e]!).toFixed(4)} | ${median(cpu[e]!).toFixed(4)} | ${Math.min(...cpu[e]!).toFixed(4)} | ${(1.2 / t).toFixed(1)}x faster |`,
    );
  }
} finally {
  await server.stop();
}
