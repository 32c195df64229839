/**
 * make bench-isolation: does heavy work stall the cheap requests? For each engine x mode, the
 * server runs pinned to ONE CPU while a closed loop keeps it saturated with heavy requests (the
 * seed's default workload, 2 outstanding so the CPU never idles between jobs) and vegeta sends
 * /hello at a constant rate (open model, so a stall shows as latency instead of being hidden).
 * Printed side by side: heavy throughput and /hello latency; then pool/inline throughput ratios.
 */
import { mkdirSync } from 'node:fs';
import { DEFAULT_WORKLOAD, heavyQuery, MODES, readEngines, type EngineName } from '../lab/index.js';
import { environment, ms, REPO, SERVER_MAIN, sleep, startPinned, vegeta } from './lib/processes.js';
import type { StepSummary } from '../lab/generators/summary.js';

const SECONDS = Number(process.env['SECONDS'] ?? 10);
const HELLO_RATE = Number(process.env['HELLO_RATE'] ?? 200);
const OUTSTANDING = 2;
const MIN_COMPLETIONS = 20;
const MAX_SECONDS = 60;
const engines = readEngines();
const modes = MODES;
const outDir = `${REPO}bench/results/isolation-${new Date().toISOString().replace(/[:.]/g, '-')}`;
mkdirSync(outDir, { recursive: true });

console.log('# bench-isolation: /hello latency while heavy work saturates the one CPU');
console.log(
  `method: server pinned to CPU 1 (POOL_SIZE=1); load on CPU 0: ${OUTSTANDING} heavy requests always outstanding (default workload), vegeta GET /hello at ${HELLO_RATE}/s for ${SECONDS} s or long enough for ${MIN_COMPLETIONS} heavy answers (<= ${MAX_SECONDS} s); heavy throughput = answers per second between the first and last answer; one heavy request + 1 s of /hello as warm-up before each measurement; raw vegeta results in ${outDir.replace(REPO, '')}`,
);
console.log('environment:', JSON.stringify(environment()));

interface Row {
  engine: EngineName;
  mode: (typeof modes)[number];
  heavyRps: number;
  heavyErrors: number;
  hello: StepSummary;
}
const rows: Row[] = [];

for (const engine of engines) {
  for (const mode of modes) {
    const server = await startPinned(SERVER_MAIN, 1, { POOL_SIZE: '1', METRICS: '0' });
    try {
      const heavyUrl = `${server.url}/heavy/cpu-io-no-db/?${heavyQuery(DEFAULT_WORKLOAD, engine, mode)}`;
      const warm = await fetch(heavyUrl);
      if (warm.status !== 200) {
        console.log(`  ${engine} ${mode}: skipped, warm-up answered ${warm.status}: ${await warm.text()}`);
        continue;
      }
      // Long enough for MIN_COMPLETIONS heavy answers, so one job more or less is not a 10% swing.
      const { total_time_sec: jobSec } = (await warm.json()) as { total_time_sec: number };
      const seconds = Math.min(MAX_SECONDS, Math.max(SECONDS, Math.ceil(MIN_COMPLETIONS * jobSec)));
      await vegeta(`${server.url}/hello`, 0, HELLO_RATE, 1, `${outDir}/warmup.bin`);
      let stop = false;
      const completions: number[] = [];
      let errors = 0;
      const loop = async () => {
        while (!stop) {
          const res = await fetch(heavyUrl);
          await res.arrayBuffer();
          if (stop) break;
          if (res.status === 200) completions.push(performance.now());
          else errors++;
        }
      };
      const loops = Array.from({ length: OUTSTANDING }, loop);
      await sleep(300); // let the heavy load reach a steady state before measuring /hello
      const hello = await vegeta(`${server.url}/hello`, 0, HELLO_RATE, seconds, `${outDir}/${engine}-${mode}.bin`);
      stop = true;
      await Promise.all(loops);
      // Completions per second between the first and the last answer: no partial job at either edge.
      const n = completions.length;
      const heavyRps = n >= 2 ? ((n - 1) * 1000) / (completions[n - 1]! - completions[0]!) : 0;
      rows.push({ engine, mode, heavyRps, heavyErrors: errors, hello });
      console.log(`  ${engine} ${mode}: ${seconds} s, ${n} heavy answers, ${heavyRps.toFixed(2)} req/s, /hello p99 ${ms(hello.latencyMs.p99)} ms`);
    } finally {
      await server.stop();
    }
  }
}

console.log('\n| engine | mode | heavy req/s | heavy errors | /hello p50 ms | /hello p99 ms | /hello max ms | /hello success |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  const l = r.hello.latencyMs;
  console.log(`| ${r.engine} | ${r.mode} | ${r.heavyRps.toFixed(2)} | ${r.heavyErrors} | ${ms(l.p50)} | ${ms(l.p99)} | ${ms(l.max)} | ${(r.hello.success * 100).toFixed(1)}% |`);
}
console.log('\n| engine | pool/inline heavy throughput (target >= 0.9) | pool /hello p99 ms (target <= 20) |');
console.log('|---|---:|---:|');
for (const engine of engines) {
  const inline = rows.find((r) => r.engine === engine && r.mode === 'inline');
  const pool = rows.find((r) => r.engine === engine && r.mode === 'pool');
  if (inline && pool) console.log(`| ${engine} | ${(pool.heavyRps / inline.heavyRps).toFixed(3)} | ${ms(pool.hello.latencyMs.p99)} |`);
}
