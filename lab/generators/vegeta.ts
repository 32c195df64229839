/**
 * vegeta (MIT, pinned in scripts/tools.sh): its attack arguments and the ONE decoder of its results,
 * for compare/ (heavy steps, mixed) and loadtests/ (make smoke, make load). Every number comes from
 * the kept .bin file: `vegeta report -type=json` for a step's summary, `vegeta encode --to json`
 * for each request.
 */
import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { toolPath, type StepSummary } from './summary.js';

const execFileP = promisify(execFile);

/** VEGETA, else the copy `scripts/tools.sh` installs into .tools/bin, else the one on PATH. */
export function vegetaPath(): string {
  return toolPath('VEGETA', 'vegeta', '.tools/bin/vegeta');
}

/** Connections per vegeta attack at most. */
export const MAX_CONNECTIONS = 1000;

/** The argv of one constant-rate attack. `perMinute` for heavy rates below 1/s. */
export function attackArgs(
  vegeta: string,
  targetsFile: string,
  rate: { perSecond: number } | { perMinute: number },
  durationSec: number,
  timeoutSec: number,
  keepBodies: boolean,
): string[] {
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

/** `vegeta report -type=json` output as a step summary, latencies in milliseconds. */
export function parseVegetaReport(text: string): StepSummary {
  const r = JSON.parse(text) as VegetaJsonReport;
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

/** Summarises one raw results file with vegeta itself. */
export async function summarizeVegeta(vegeta: string, binFile: string): Promise<StepSummary> {
  const { stdout } = await execFileP(vegeta, ['report', '-type=json', binFile], { maxBuffer: 512 * 1024 * 1024, encoding: 'utf8' });
  return parseVegetaReport(stdout);
}

/** One request as vegeta recorded it. */
export interface VegetaResult {
  /** HTTP status; 0 when no answer came (refused, reset, timeout). */
  readonly code: number;
  readonly latencyMs: number;
  /** Seconds since the epoch at which it was sent. */
  readonly sentSec: number;
  /** The answer's body parsed as JSON; null when there was none or it was not JSON. */
  readonly body: Record<string, unknown> | null;
}

/** vegeta's JSON encoding of one result (the fields read here). */
interface VegetaJsonResult {
  code: number;
  latency: number;
  timestamp: string;
  body?: string | null;
  error?: string;
}

/** Decodes one line of `vegeta encode --to json`. */
export function decodeVegetaResult(line: string): VegetaResult {
  const r = JSON.parse(line) as VegetaJsonResult;
  let body: Record<string, unknown> | null = null;
  if (r.body) {
    try {
      const parsed = JSON.parse(Buffer.from(r.body, 'base64').toString('utf8')) as unknown;
      if (parsed !== null && typeof parsed === 'object') body = parsed as Record<string, unknown>;
    } catch {
      // Not JSON: the caller decides what a body it cannot read means.
    }
  }
  return { code: r.code, latencyMs: r.latency / 1e6, sentSec: Date.parse(r.timestamp) / 1000, body };
}

/** Every request of one raw results file, in order (`vegeta encode --to json`, one object a line). */
export async function* vegetaResults(vegeta: string, binFile: string): AsyncGenerator<VegetaResult> {
  const child = spawn(vegeta, ['encode', '--to', 'json', binFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  for await (const line of createInterface({ input: child.stdout })) if (line !== '') yield decodeVegetaResult(line);
  const code = await new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.on('close', r)));
  if (code !== 0) throw new Error(`vegeta encode ${binFile} exited ${code}`);
}
