/**
 * make bench-memory: peak RSS of the server with the pool at its default size (1 on one CPU) and
 * every heavy parameter at its cap, admission full (running + queued), for each engine and mode.
 * The service runs under a 256 MB limit; the target is a peak (VmHWM, whole process: main thread,
 * worker threads, wasm memories) of at most 200 MB.
 */
import { MODES, readEngines } from '../lab/index.js';
import { environment, peakRss, SERVER_MAIN, startPinned } from './lib/processes.js';

const engines = readEngines();
const CAPS = 'prime_limit=100000000&hash_rounds=10000000&io_kb=5120';
const MB = 1024 * 1024;

console.log('# bench-memory: peak RSS with requests at the caps');
console.log(
  `method: one server pinned to CPU 1, POOL_SIZE=1, QUEUE_MAX=4, DEADLINE_MS=60000 (so nothing is dropped early); for each engine x mode, 5 requests at once (1 running + 4 queued) with ${CAPS}; VmHWM read from /proc after all answered`,
);
console.log('environment:', JSON.stringify(environment()));

const server = await startPinned(SERVER_MAIN, 1, { POOL_SIZE: '1', QUEUE_MAX: '4', DEADLINE_MS: '60000', METRICS: '0' });
const afterStart = peakRss(server.pid);
console.log(`\nafter start: ${(afterStart / MB).toFixed(1)} MB`);
console.log('\n| engine | mode | statuses | peak RSS so far (MB) |\n|---|---|---|---:|');
try {
  for (const engine of engines) {
    for (const mode of MODES) {
      const answers = await Promise.all(Array.from({ length: 5 }, () => fetch(`${server.url}/heavy/cpu-io-no-db/?${CAPS}&impl=${engine}&mode=${mode}`)));
      const statuses = answers.map((r) => r.status);
      await Promise.all(answers.map((r) => r.arrayBuffer()));
      console.log(`| ${engine} | ${mode} | ${statuses.join(' ')} | ${(peakRss(server.pid) / MB).toFixed(1)} |`);
    }
  }
  const peak = peakRss(server.pid);
  console.log(`\npeak RSS ${(peak / MB).toFixed(1)} MB (target <= 200 MB): ${peak <= 200 * MB ? 'met' : 'MISSED'}`);
} finally {
  await server.stop();
}
