/**
 * oha (MIT, pinned in scripts/tools.sh): one of the generators `make bench-generators` measures
 * (make compare's /hello search ran on it before pacer). It holds a constant arrival rate (`-q`),
 * and with `--latency-correction` it times every request from when it was due, not from when a free
 * connection sent it, so a stall shows in the percentiles (no coordinated omission).
 */
import { toolPath, type StepSummary } from './summary.js';

/** OHA, else the copy `scripts/tools.sh` installs into .tools/bin, else the one on PATH. */
export function ohaPath(): string {
  return toolPath('OHA', 'oha', '.tools/bin/oha');
}

/**
 * Connections: enough that they do not set the pace (in flight = rate x latency: 12 at 60,000
 * req/s and 0.2 ms); requests due while all are busy wait in oha's queue, and that wait counts in
 * their latency (--latency-correction), as a client's would. 32, as pacer's: on this shared
 * machine `make bench-generators` could not tell 32 and 64 apart (runs differed more than they
 * did). OHA_CONNECTIONS overrides it (a whole number 1-10000).
 */
export const OHA_CONNECTIONS = readConnections(process.env['OHA_CONNECTIONS']);

function readConnections(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 32;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 10000) throw new Error(`OHA_CONNECTIONS must be a whole number 1-10000 (got "${raw}")`);
  return n;
}

/**
 * The argv of one constant-rate /hello step. One runtime thread: the generator is pinned to one
 * core, where more threads would only take turns. `-w` waits for the answers in flight at the end
 * (without it oha aborts them and counts each as an error).
 */
export function ohaArgs(oha: string, url: string, ratePerSec: number, durationSec: number, timeoutSec: number): string[] {
  return [
    oha,
    '-z',
    `${durationSec}s`,
    '-q',
    String(ratePerSec),
    '--latency-correction',
    '-w',
    '-c',
    String(OHA_CONNECTIONS),
    '-t',
    `${timeoutSec}s`,
    '--worker-threads',
    '1',
    '--no-tui',
    '--output-format',
    'json',
    url,
  ];
}

/** The part of oha's JSON output read here (seconds, as oha writes them). */
interface OhaJson {
  summary: { total: number; slowest: number | null; fastest: number | null; average: number | null; requestsPerSec: number };
  latencyPercentiles: Record<string, number | null>;
  statusCodeDistribution: Record<string, number>;
  errorDistribution: Record<string, number>;
}

/**
 * oha's JSON output of one step as a step summary: requests sent (answered or
 * not), the rate they were sent at over the asked duration, success share, latency percentiles in
 * ms (corrected for coordinated omission), status codes (0 for no answer, as vegeta counts it), and
 * the distinct errors.
 */
export function parseOha(text: string, durationSec: number): StepSummary {
  const j = JSON.parse(text) as OhaJson;
  const answered = Object.values(j.statusCodeDistribution).reduce((a, b) => a + b, 0);
  const failed = Object.values(j.errorDistribution).reduce((a, b) => a + b, 0);
  const requests = answered + failed;
  const ok = Object.entries(j.statusCodeDistribution)
    .filter(([c]) => c.startsWith('2'))
    .reduce((a, [, n]) => a + n, 0);
  const ms = (v: number | null | undefined) => (v === null || v === undefined ? 0 : v * 1000);
  const p = j.latencyPercentiles;
  return {
    requests,
    sentRate: durationSec > 0 ? requests / durationSec : 0,
    throughput: j.summary.total > 0 ? ok / j.summary.total : 0,
    success: requests > 0 ? ok / requests : 0,
    durationSec: j.summary.total,
    latencyMs: { min: ms(j.summary.fastest), mean: ms(j.summary.average), p50: ms(p['p50']), p90: ms(p['p90']), p95: ms(p['p95']), p99: ms(p['p99']), max: ms(j.summary.slowest) },
    statusCodes: { ...j.statusCodeDistribution, ...(failed > 0 ? { '0': failed } : {}) },
    errors: Object.keys(j.errorDistribution).slice(0, 5),
  };
}
