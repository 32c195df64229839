/**
 * make bench-metrics: what metrics cost. /hello requests/s with metrics off, on, and on with the
 * exporter down, in one run.
 *
 *   node dist/bench/metrics.js                              # 5 rounds x (off, on, down), 4 s each
 *   SECONDS_PER_RUN=10 ROUNDS=7 PIPELINE=8 node dist/bench/metrics.js
 *
 * Method: the server runs on CPU 1 (taskset); wrk and statsd_exporter share CPU 0. One wrk core
 * sending one request per connection at a time cannot keep one server core busy (each side pays a
 * syscall pair per request), so the server's "busy" column is printed: below ~95%, req/s measure wrk
 * more than the server. PIPELINE=8 sends 8 requests per write (TechEmpower's plaintext way): the
 * server saturates, and its own cost per request drops ~4x, so metrics weigh more there. Each run
 * starts a fresh server, warms it up 1 s, then measures; the order of the settings rotates between
 * rounds so none always runs first. Per setting: the median over rounds. The ratios are medians over
 * rounds of on/off (and down/off) within a round, whose runs are seconds apart and so share whatever
 * else the machine was doing. `on` sends to a real statsd_exporter, whose /hello count is printed
 * next to wrk's; `down` sends to a UDP port where nothing listens. The exporter does one histogram
 * observation per request (that is what makes the histograms exact), so at hundreds of thousands of
 * requests/s it takes a good part of CPU 0 from wrk: `down` is the server's own cost without that,
 * `on` the whole pipeline on two CPUs.
 * requests/s only show the server's cost while the server is the bottleneck; on a machine shared
 * with other work, CPU 0 may be, and then req/s swing with it. The server's own CPU time per request
 * (from /proc over the measured run) does not, so it is printed too: its off/on ratio is the ratio of
 * what the server can serve with one CPU. RSS after each run shows memory does not grow. Raw wrk
 * outputs and server logs: .data/bench-metrics/.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { echo, median, processCpuSec, REPO, rss, SERVER_MAIN, sleep, startPinned, wrkRun } from './lib/processes.js';

const SECONDS_PER_RUN = Number(process.env['SECONDS_PER_RUN'] ?? 4);
const ROUNDS = Number(process.env['ROUNDS'] ?? 5);
const PIPELINE = Number(process.env['PIPELINE'] ?? 1);
const CONNECTIONS = Number(process.env['CONNECTIONS'] ?? 32);
const STATSD_UDP_PORT = Number(process.env['BENCH_STATSD_PORT'] ?? 19125);
const DOWN_UDP_PORT = Number(process.env['BENCH_DOWN_PORT'] ?? 19126);
const EXPORTER_WEB_PORT = Number(process.env['BENCH_EXPORTER_PORT'] ?? 19102);
const TARGET_RATIO = 0.9;
const SERVER_CPU = 1;
const LOAD_CPU = 0;
const OUT = `${REPO}.data/bench-metrics`;

const SETTINGS = ['off', 'on', 'down'] as const;
type Setting = (typeof SETTINGS)[number];

/** One measured run of a setting. */
interface Run {
  readonly rps: number;
  /** Server CPU microseconds per completed request over the measured run. */
  readonly cpuUs: number;
  /** Percent of one CPU the server used: under ~95%, something else limited the run. */
  readonly busy: number;
  readonly rssMb: number;
  /** Requests wrk completed, warm-up included (for the pipeline check). */
  readonly sent: number;
}

/** Whether something listens on a UDP port of 127.0.0.1 (binding it fails then). */
async function udpPortFree(port: number): Promise<boolean> {
  const socket = createSocket('udp4');
  return new Promise((resolve) => {
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

async function waitHttp(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  throw new Error(`${url} did not answer in 10 s`);
}

/** What the pipeline counted: /hello requests answered 200, from statsd_exporter's /metrics. */
function helloCount(metrics: string): number {
  let n = 0;
  for (const line of metrics.split('\n')) {
    if (line.startsWith('http_requests_total{') && line.includes('route="/hello"') && line.includes('status="200"')) n += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return n;
}

async function exporterHelloCount(): Promise<number> {
  return helloCount(await (await fetch(`http://127.0.0.1:${EXPORTER_WEB_PORT}/metrics`)).text());
}

async function measure(setting: Setting, round: number): Promise<Run> {
  const env = { METRICS: setting === 'off' ? '0' : '1', STATSD_HOST: '127.0.0.1', STATSD_PORT: String(setting === 'down' ? DOWN_UDP_PORT : STATSD_UDP_PORT) };
  const server = await startPinned(SERVER_MAIN, SERVER_CPU, env);
  const log = `${OUT}/${setting}-${round}`;
  let serverOut = '';
  server.child.stdout!.on('data', (d: string) => (serverOut += d));
  server.child.stderr!.on('data', (d: string) => (serverOut += d));
  try {
    const url = `${server.url}/hello`;
    const warm = await wrkRun(url, LOAD_CPU, 1, CONNECTIONS, PIPELINE);
    writeFileSync(`${log}.warmup.txt`, warm.stdout);
    const cpu0 = processCpuSec(server.pid);
    const run = await wrkRun(url, LOAD_CPU, SECONDS_PER_RUN, CONNECTIONS, PIPELINE);
    const cpuSec = processCpuSec(server.pid) - cpu0;
    writeFileSync(`${log}.wrk.txt`, run.stdout);
    return {
      rps: Math.round(run.rps),
      cpuUs: (cpuSec * 1e6) / run.requests,
      busy: Math.round((cpuSec / SECONDS_PER_RUN) * 100),
      rssMb: Math.floor(rss(server.pid) / 2 ** 20),
      // startPinned's readiness is its log line, not a request: the warm-up and the run are all.
      sent: warm.requests + run.requests,
    };
  } finally {
    await server.stop();
    writeFileSync(`${log}.server.log`, serverOut);
  }
}

const ratio = (a: number, b: number) => Number((a / b).toFixed(3));

async function main(): Promise<void> {
  if (!(await udpPortFree(DOWN_UDP_PORT))) throw new Error(`UDP port ${DOWN_UDP_PORT} is in use; set BENCH_DOWN_PORT to a port where nothing listens`);
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const bin = existsSync(`${REPO}.tools/bin/statsd_exporter`) ? `${REPO}.tools/bin/statsd_exporter` : 'statsd_exporter';
  const exporterArgs = [
    '-c',
    String(LOAD_CPU),
    bin,
    '--statsd.mapping-config=statsd.conf',
    `--web.listen-address=127.0.0.1:${EXPORTER_WEB_PORT}`,
    `--statsd.listen-udp=127.0.0.1:${STATSD_UDP_PORT}`,
    '--statsd.listen-tcp=',
    '--log.level=warn',
  ];
  echo(`taskset ${exporterArgs.join(' ').replace(REPO, '')}`);
  const exporter = spawn('taskset', exporterArgs, { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'] });
  try {
    await waitHttp(`http://127.0.0.1:${EXPORTER_WEB_PORT}/metrics`);
    console.log(
      `bench-metrics: GET /hello, wrk -t1 -c${CONNECTIONS} with ${PIPELINE} pipelined, ${SECONDS_PER_RUN}s x ${ROUNDS} rounds per setting; server on CPU ${SERVER_CPU}, wrk + statsd_exporter on CPU ${LOAD_CPU}`,
    );
    console.log('  off: METRICS=0   on: to statsd_exporter   down: to a UDP port where nothing listens');
    const countedBefore = await exporterHelloCount();
    const runs: Record<Setting, Run[]> = { off: [], on: [], down: [] };
    const onRatios: number[] = [];
    const downRatios: number[] = [];
    const cpuRatios: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const shift = (round - 1) % SETTINGS.length;
      const byRound = {} as Record<Setting, Run>;
      for (const setting of [...SETTINGS.slice(shift), ...SETTINGS.slice(0, shift)]) {
        const r = await measure(setting, round);
        console.log(
          `  round ${round}  ${setting.padEnd(4)}  ${String(r.rps).padStart(8)} req/s  ${r.cpuUs.toFixed(2).padStart(6)} us server CPU/request  server busy ${String(r.busy).padStart(3)}%  RSS ${r.rssMb} MB`,
        );
        runs[setting].push(r);
        byRound[setting] = r;
      }
      onRatios.push(ratio(byRound.on.rps, byRound.off.rps));
      downRatios.push(ratio(byRound.down.rps, byRound.off.rps));
      cpuRatios.push(ratio(byRound.off.cpuUs, byRound.on.cpuUs));
    }
    const counted = (await exporterHelloCount()) - countedBefore;
    const sent = runs.on.reduce((n, r) => n + r.sent, 0);

    console.log('');
    for (const setting of SETTINGS) {
      const rps = runs[setting].map((r) => r.rps);
      console.log(
        `${setting.padEnd(4)}  ${String(median(rps)).padStart(8)} req/s (median of ${rps.join(' ')}), ${median(runs[setting].map((r) => Number(r.cpuUs.toFixed(2))))} us server CPU/request`,
      );
    }
    const onRatio = median(onRatios);
    console.log(`ratio on/off:   ${onRatio} req/s (rounds: ${onRatios.join(' ')}), ${onRatio >= TARGET_RATIO ? 'meets' : 'BELOW'} the target ${TARGET_RATIO}`);
    console.log(`ratio down/off: ${median(downRatios)} req/s (rounds: ${downRatios.join(' ')})`);
    console.log(`server CPU per request, off/on: ${median(cpuRatios)} (rounds: ${cpuRatios.join(' ')})`);
    const notBusy = SETTINGS.flatMap((s) => runs[s]).filter((r) => r.busy < 90).length;
    if (notBusy > 0) {
      console.log(
        `NOTE: in ${notBusy} run(s) the server used under 90% of its CPU: something else (wrk, or other work on this machine) limited them, and their req/s understate the server; the CPU per request still holds.`,
      );
    }
    console.log(
      `pipeline check: statsd_exporter counted ${counted} /hello requests from the 'on' runs; wrk completed ${sent} (answers still in flight when wrk stops are not in its count)`,
    );
  } finally {
    exporter.kill('SIGTERM');
  }
}

await main();
