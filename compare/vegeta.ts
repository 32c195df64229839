import { existsSync } from 'node:fs';
import { median, type HeavyReference } from '../lab/index.js';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { output } from './exec.js';

/** VEGETA, else the copy `scripts/tools.sh` installs into .tools/bin, else the one on PATH. */
export function vegetaPath(): string {
  return process.env['VEGETA'] ?? (existsSync('.tools/bin/vegeta') ? '.tools/bin/vegeta' : 'vegeta');
}

/** The numbers of `vegeta report -type=json`, latencies converted to milliseconds. */
export interface VegetaSummary {
  readonly requests: number;
  /** Rate the attack actually sent at (requests/s): below the asked rate, the generator fell behind. */
  readonly sentRate: number;
  /** Successful responses per second over the attack plus the wait for the last answers. */
  readonly throughput: number;
  /** Share of 2xx answers. */
  readonly success: number;
  readonly durationSec: number;
  readonly latencyMs: { readonly min: number; readonly mean: number; readonly p50: number; readonly p90: number; readonly p95: number; readonly p99: number; readonly max: number };
  readonly statusCodes: Readonly<Record<string, number>>;
  /** Distinct transport errors (timeouts, refused connections), at most 5. */
  readonly errors: readonly string[];
}

interface VegetaJsonReport {
  latencies: Record<string, number>;
  duration: number;
  requests: number;
  rate: number;
  throughput: number;
  success: number;
  status_codes: Record<string, number> | null;
  errors: string[] | null;
}

/** Summarises one raw results file with vegeta itself, so every number comes from the kept .bin. */
export async function summarize(vegeta: string, binFile: string): Promise<VegetaSummary> {
  const r = JSON.parse(await output(vegeta, ['report', '-type=json', binFile])) as VegetaJsonReport;
  const ms = (key: string) => (r.latencies[key] ?? 0) / 1e6;
  return {
    requests: r.requests,
    sentRate: r.rate,
    throughput: r.throughput,
    success: r.success,
    durationSec: r.duration / 1e9,
    latencyMs: { min: ms('min'), mean: ms('mean'), p50: ms('50th'), p90: ms('90th'), p95: ms('95th'), p99: ms('99th'), max: ms('max') },
    statusCodes: r.status_codes ?? {},
    errors: (r.errors ?? []).slice(0, 5),
  };
}

/** What the heavy answers inside one results file say, decoded from their bodies. */
export interface HeavyBodies {
  readonly answers: number;
  /** Answers whose primes_found or digest differ from the reference: any is a failed run. */
  readonly wrongAnswers: number;
  readonly medianCpuSec: number | null;
  readonly medianQueueSec: number | null;
  readonly medianTotalSec: number | null;
  readonly medianIoSec: number | null;
  /** Problem codes of the non-2xx answers (OVERLOADED, DEADLINE_EXCEEDED...), counted. */
  readonly problems: Readonly<Record<string, number>>;
}

/** Decodes every response of a heavy results file (`vegeta encode --to json`, one object a line). */
export async function heavyBodies(vegeta: string, binFile: string, reference: HeavyReference): Promise<HeavyBodies> {
  const child = spawn(vegeta, ['encode', '--to', 'json', binFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const cpu: number[] = [];
  const queue: number[] = [];
  const total: number[] = [];
  const io: number[] = [];
  const problems: Record<string, number> = {};
  let answers = 0;
  let wrong = 0;
  for await (const line of createInterface({ input: child.stdout })) {
    if (line === '') continue;
    const r = JSON.parse(line) as { code: number; body?: string; error?: string };
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.from(r.body ?? '', 'base64').toString('utf8')) as Record<string, unknown>;
    } catch {
      // A transport error has no body; it is counted by the summary's errors.
    }
    if (r.code === 200) {
      answers++;
      if (body['primes_found'] !== reference.primesFound || body['digest'] !== reference.digest) wrong++;
      if (typeof body['cpu_time_sec'] === 'number') cpu.push(body['cpu_time_sec']);
      if (typeof body['queue_time_sec'] === 'number') queue.push(body['queue_time_sec']);
      if (typeof body['total_time_sec'] === 'number') total.push(body['total_time_sec']);
      if (typeof body['io_time_sec'] === 'number') io.push(body['io_time_sec']);
    } else {
      const code = typeof body['code'] === 'string' ? body['code'] : r.code === 0 ? 'TRANSPORT_ERROR' : `HTTP_${r.code}`;
      problems[code] = (problems[code] ?? 0) + 1;
    }
  }
  await new Promise<void>((resolve, reject) => {
    if (child.exitCode !== null) return child.exitCode === 0 ? resolve() : reject(new Error(`vegeta encode ${binFile} exited ${child.exitCode}`));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`vegeta encode ${binFile} exited ${code}`))));
  });
  return { answers, wrongAnswers: wrong, medianCpuSec: median(cpu), medianQueueSec: median(queue), medianTotalSec: median(total), medianIoSec: median(io), problems };
}

/** Connections per vegeta attack at most. */
export const MAX_CONNECTIONS = 1000;

/** The argv of one constant-rate attack. `ratePerMinute` for heavy rates below 1/s. */
export function attackArgs(vegeta: string, targetsFile: string, rate: { perSecond: number } | { perMinute: number }, durationSec: number, timeoutSec: number, keepBodies: boolean): string[] {
  const r = 'perSecond' in rate ? `${rate.perSecond}/1s` : `${rate.perMinute}/1m`;
  return [
    vegeta,
    'attack',
    `-targets=${targetsFile}`,
    `-rate=${r}`,
    `-duration=${durationSec}s`,
    `-timeout=${timeoutSec}s`,
    // HTTP/1.1 with keep-alive, like the seed's vegeta runs; bodies only where they are checked.
    '-http2=false',
    // Bounded sockets: when answers slow down, vegeta adds workers, each with a new connection;
    // unbounded, a collapsed step leaves tens of thousands of sockets in TIME_WAIT, and the next
    // step's connect() spends its CPU searching for a free port. 1000 covers /hello at 500/s
    // behind a 1 s stall.
    `-max-connections=${MAX_CONNECTIONS}`,
    `-max-body=${keepBodies ? -1 : 0}`,
  ];
}

/** Parses wrk's text output: Requests/sec and its latency distribution (needs `--latency`). */
export function parseWrk(text: string): { requestsPerSec: number; latencyMs: Record<string, number>; requests: number; errors: number } | null {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text);
  if (!rps) return null;
  const latencyMs: Record<string, number> = {};
  for (const m of text.matchAll(/^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$/gm)) {
    const unit = m[3] === 'us' ? 1e-3 : m[3] === 'ms' ? 1 : 1e3;
    latencyMs[`p${m[1]}`] = Number(m[2]) * unit;
  }
  const req = /(\d+) requests in/.exec(text);
  let errors = 0;
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  if (sock) errors += Number(sock[1]) + Number(sock[2]) + Number(sock[3]) + Number(sock[4]);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  if (non2xx) errors += Number(non2xx[1]);
  return { requestsPerSec: Number(rps[1]), latencyMs, requests: req ? Number(req[1]) : 0, errors };
}
