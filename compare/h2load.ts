/**
 * h2load (nghttp2, MIT; Debian's nghttp2-client, pinned by scripts/tools.sh): the /hello generator
 * of the capacity search. `make bench-generators` measured it holding 70,000 req/s at a constant
 * rate on one core of this machine, where oha (tokio + hyper per request) keeps pace to ~40,000
 * and vegeta to ~5,000: it is the one that out-runs one uWS core.
 *
 * Open model: with `--rps`, each of its clients sends on its own clock, and a request that falls
 * due while the client's previous one is still out waits in h2load's queue (the rate is kept, the
 * schedule is not dropped). h2load times a request from when it was sent, so that wait would be
 * omitted (coordinated omission). The correction is HdrHistogram's `recordValueWithExpectedInterval`
 * (Gil Tene's, the one wrk's `-R` successor wrk2 builds in): each client's expected interval is
 * known exactly (clients / rate), and a request that took L >= that interval held back the ones
 * due on its client after it, by L - interval, L - 2 x interval, ... Those delays are added as
 * samples, from h2load's per-request log (`--log-file`, kept beside its output). A step whose
 * requests all answered within one interval needed no correction; the summary says how many did not.
 *
 * Few clients keep the arrivals smooth: each client's timer fires on its own period, and hundreds
 * of them started together send in bursts (measured: 400 clients at 40,000 req/s gave a p50 of
 * 4 ms against bare uWS, 32 clients 0.5 ms).
 */
import { readFileSync } from 'node:fs';
import type { VegetaSummary } from './vegeta.js';

/** The clients of a step: 32 (as oha's connections and wrk's), fewer at low rates so each sends at least 10/s. */
export function h2loadClients(ratePerSec: number): number {
  return Math.max(1, Math.min(32, Math.floor(ratePerSec / 10)));
}

/** How a step is laid out: requests, clients, and how many clients start per period of how many ms. */
export function h2loadPlan(ratePerSec: number, durationSec: number): { requests: number; clients: number; periodMs: number; perPeriod: number } {
  const requests = Math.max(1, Math.round(ratePerSec * durationSec));
  const clients = Math.min(h2loadClients(ratePerSec), requests);
  const periodMs = Math.max(1, Math.floor(1000 / ratePerSec));
  const perPeriod = Math.min(clients, Math.max(1, Math.ceil((periodMs * ratePerSec) / 1000)));
  return { requests, clients, periodMs, perPeriod };
}

/** H2LOAD, else the one on PATH (Debian's, from scripts/tools.sh). */
export function h2loadPath(): string {
  return process.env['H2LOAD'] ?? 'h2load';
}

/**
 * The argv of one constant-rate /hello step: HTTP/1.1, one thread (the generator is pinned to one
 * core), `rate x duration` requests split evenly over the clients, each client at `rate / clients`
 * per second on its own clock, each request's start, status and time logged.
 *
 * The clients are started one period apart (`-r` per `--rate-period`, whole milliseconds), so their
 * clocks spread over one client's interval instead of ticking together: 32 clients started at once
 * at 500/s send bursts of 32 every 64 ms, which a service with 8 threads (Django's) answers with a
 * queue that evenly spaced arrivals never build. A count of requests (`-n`) rather than a duration
 * (`-D`, which h2load refuses beside `-r`): every planned request is either answered or counted
 * unanswered, and `-T` closes every connection `timeoutSec` after the step's end, so a service that
 * falls behind ends the step late by at most that, never hangs it; `-N` ends a connection idle that long.
 */
export function h2loadArgs(h2load: string, url: string, ratePerSec: number, durationSec: number, timeoutSec: number, logFile: string): string[] {
  if (!(ratePerSec > 0) || !(durationSec >= 1) || !Number.isInteger(durationSec)) throw new RangeError(`h2load needs a positive rate and whole seconds (got ${ratePerSec}/s for ${durationSec} s)`);
  const { requests, clients, periodMs, perPeriod } = h2loadPlan(ratePerSec, durationSec);
  return [h2load, '--h1', '-t', '1', '-c', String(clients), '-n', String(requests), `--rps=${+(ratePerSec / clients).toFixed(6)}`, '-r', String(perPeriod), `--rate-period=${periodMs}ms`, '-N', String(timeoutSec), '-T', String(durationSec + timeoutSec), `--log-file=${logFile}`, url];
}

/** What h2load's summary says about one run. */
export interface H2loadCounts {
  /** Planned (-n). */
  total: number;
  started: number;
  done: number;
  succeeded: number;
  failed: number;
  errored: number;
  timeout: number;
  status: { '2xx': number; '3xx': number; '4xx': number; '5xx': number };
  /** Seconds, as h2load reports its run ("finished in"). */
  finishedSec: number;
}

export function parseH2loadOutput(text: string): H2loadCounts {
  const req = /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(text);
  const codes = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(text);
  const fin = /finished in ([\d.]+)(ms|s),/.exec(text);
  if (!req || !codes || !fin) throw new Error(`not h2load output (no requests/status codes/finished lines): ${text.slice(0, 200)}`);
  const n = (i: number) => Number(req[i]);
  return {
    total: n(1),
    started: n(2),
    done: n(3),
    succeeded: n(4),
    failed: n(5),
    errored: n(6),
    timeout: n(7),
    status: { '2xx': Number(codes[1]), '3xx': Number(codes[2]), '4xx': Number(codes[3]), '5xx': Number(codes[4]) },
    finishedSec: Number(fin[1]) / (fin[2] === 'ms' ? 1000 : 1),
  };
}

/** Latencies in microseconds from h2load's --log-file (start us, status, time us per line). */
export function parseH2loadLog(text: string): number[] {
  const out: number[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const cols = line.split('\t');
    const us = Number(cols[2]);
    if (cols.length < 3 || !Number.isFinite(us) || us < 0) throw new Error(`not an h2load log line: "${line.slice(0, 80)}"`);
    out.push(us);
  }
  return out;
}

/**
 * HdrHistogram's correction for a fixed expected interval: for every sample L >= interval, the
 * samples L - interval, L - 2 x interval, ... down to (not below) one interval are added: the
 * requests due on that client while it waited, each as late as its turn made it. It is the
 * correction for a closed loop; h2load sends the requests it held back later and logs them from
 * their own send, so here it adds the wait they had before their send as extra samples (their own
 * time is in the log already): it moves the tail as far as a stall did, not exactly. The samples it
 * adds are bounded: a client's requests are serial, so their latencies sum to at most its wall time,
 * and it adds at most (wall time / interval) per client.
 */
export function correctForOmission(samples: readonly number[], intervalUs: number): { samples: number[]; added: number; slow: number } {
  if (!(intervalUs > 0)) throw new RangeError(`expected interval must be positive (got ${intervalUs})`);
  const out = [...samples];
  let slow = 0;
  for (const l of samples) {
    if (l < intervalUs) continue;
    slow++;
    for (let missed = l - intervalUs; missed >= intervalUs; missed -= intervalUs) out.push(missed);
  }
  return { samples: out, added: out.length - samples.length, slow };
}

/**
 * One step's output and log as the summary a vegeta step gives: every planned request, the rate
 * they were sent at, success share, latency in ms corrected for coordinated omission, status
 * classes ('0' for no answer: errors, timeouts, never sent or unanswered when the step was cut),
 * and what was corrected.
 */
export function parseH2load(output: string, log: string, ratePerSec: number, durationSec: number): VegetaSummary & { omission: { slow: number; added: number; intervalMs: number } } {
  const c = parseH2loadOutput(output);
  const { clients } = h2loadPlan(ratePerSec, Math.max(1, Math.round(durationSec)));
  const intervalUs = (clients / ratePerSec) * 1e6;
  const measured = parseH2loadLog(log);
  const { samples, added, slow } = correctForOmission(measured, intervalUs);
  samples.sort((a, b) => a - b);
  const at = (q: number) => (samples.length === 0 ? 0 : samples[Math.min(samples.length - 1, Math.max(0, Math.ceil(q * samples.length) - 1))]! / 1000);
  // Every planned request (-n) either answered or not: errors, timeouts, and the ones still queued
  // or out when -T closed the connections.
  const noAnswer = Math.max(0, c.total - c.done);
  const requests = c.done + noAnswer;
  const ok = c.status['2xx'];
  const statusCodes: Record<string, number> = {};
  for (const [k, v] of Object.entries(c.status)) if (v > 0) statusCodes[k] = v;
  if (noAnswer > 0) statusCodes['0'] = noAnswer;
  const errors: string[] = [];
  if (c.errored > 0) errors.push(`${c.errored} errored (h2load: connection or protocol error)`);
  if (c.timeout > 0) errors.push(`${c.timeout} timed out`);
  const unsent = c.total - c.started;
  if (unsent > 0) errors.push(`${unsent} never sent before the step's end (the service or the generator fell behind)`);
  const cut = noAnswer - c.errored - c.timeout - unsent;
  if (cut > 0) errors.push(`${cut} sent but unanswered when the step ended`);
  const mean = samples.length === 0 ? 0 : samples.reduce((a, b) => a + b, 0) / samples.length / 1000;
  return {
    requests,
    // Over the planned duration, or the longer one it took: a generator or service that fell behind sends slower.
    sentRate: c.started / Math.max(durationSec, c.finishedSec),
    throughput: c.finishedSec > 0 ? ok / c.finishedSec : 0,
    success: requests > 0 ? ok / requests : 0,
    durationSec: c.finishedSec,
    latencyMs: { min: at(0), mean, p50: at(0.5), p90: at(0.9), p95: at(0.95), p99: at(0.99), max: samples.length ? samples[samples.length - 1]! / 1000 : 0 },
    statusCodes,
    errors,
    omission: { slow, added, intervalMs: intervalUs / 1000 },
  };
}

/** Summarises one kept step: h2load's output file and its per-request log. */
export function summarizeH2load(outputFile: string, logFile: string, ratePerSec: number, durationSec: number): ReturnType<typeof parseH2load> {
  return parseH2load(readFileSync(outputFile, 'utf8'), readFileSync(logFile, 'utf8'), ratePerSec, durationSec);
}
