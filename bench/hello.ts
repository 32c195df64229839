/**
 * make bench-hello: wrk against /hello of this server and of a bare uWS hello server, in the same
 * run, each server pinned to CPU 1 and wrk to CPU 0. Servers alternate (A B B A ...) so neither is
 * always measured second on a warmer machine. Prints median req/s of each and the ratio.
 */
import { environment, median, REPO, SERVER_MAIN, startPinned, wrk } from './lib/processes.js';

const ROUNDS = Number(process.env['ROUNDS'] ?? 3);
const SECONDS = Number(process.env['SECONDS'] ?? 8);
const PIPELINE = Number(process.env['PIPELINE'] ?? 8);
const SERVER_CPU = 1;
const LOAD_CPU = 0;

const targets = {
  lab: { script: SERVER_MAIN, env: { METRICS: process.env['METRICS'] ?? '1' } },
  'bare-uws': { script: `${REPO}dist/peers/uws-bare/server.js`, env: {} },
} as const;
type Name = keyof typeof targets;

console.log('# bench-hello: GET /hello, closed loop (wrk -t1 -c64, plain and pipelined), this server vs a bare uWS hello server');
console.log(
  `method: ${ROUNDS} rounds of ${SECONDS} s each per server, order alternating; server pinned to CPU ${SERVER_CPU}, wrk to CPU ${LOAD_CPU}; 2 s warm-up per start; median of rounds`,
);
console.log('environment:', JSON.stringify(environment()));

// Two loads: one request per connection at a time (what most clients do; one wrk core may then be
// the limit, not the server), and PIPELINE requests per write (the server's core saturates).
const loads = [
  { label: 'wrk -c64', pipeline: 1 },
  { label: `wrk -c64, ${PIPELINE} pipelined`, pipeline: PIPELINE },
] as const;
const results: Record<string, Record<Name, number[]>> = Object.fromEntries(loads.map((l) => [l.label, { lab: [], 'bare-uws': [] }]));
for (let round = 0; round < ROUNDS; round++) {
  const order: Name[] = round % 2 === 0 ? ['lab', 'bare-uws'] : ['bare-uws', 'lab'];
  for (const name of order) {
    const t = targets[name];
    const server = await startPinned(t.script, SERVER_CPU, t.env);
    try {
      await wrk(`${server.url}/hello`, LOAD_CPU, 2); // warm-up: JIT, connection setup
      for (const load of loads) {
        const rps = await wrk(`${server.url}/hello`, LOAD_CPU, SECONDS, 64, load.pipeline);
        results[load.label]![name].push(rps);
        console.log(`  round ${round + 1} ${name} (${load.label}): ${rps.toFixed(0)} req/s`);
      }
    } finally {
      await server.stop();
    }
  }
}
console.log('\n| load | server | median req/s | min | max |\n|---|---|---:|---:|---:|');
for (const load of loads) {
  for (const name of ['lab', 'bare-uws'] as const) {
    const xs = results[load.label]![name];
    console.log(`| ${load.label} | ${name} | ${median(xs).toFixed(0)} | ${Math.min(...xs).toFixed(0)} | ${Math.max(...xs).toFixed(0)} |`);
  }
}
console.log('');
for (const load of loads) {
  const r = results[load.label]!;
  console.log(`ratio lab / bare-uws (${load.label}) = ${(median(r.lab) / median(r['bare-uws'])).toFixed(3)} (target >= 0.9)`);
}
