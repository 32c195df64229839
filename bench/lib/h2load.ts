/**
 * h2load (nghttp2, MIT; Debian's nghttp2-client) for `make bench-generators`: how fast it sends
 * /hello at a constant rate from one core, and its latency percentiles from its per-request log.
 *
 * Those percentiles count from each request's send, not from when it was due: with `--rps` each
 * client runs on its own clock, and a request due while the client's previous one is out waits in
 * h2load's queue, untimed (coordinated omission). h2load's log has no client id, so the wait cannot
 * be put back per client, and its pacing is only as exact as its millisecond timers (rounding sends
 * up to half a client's interval early or late), so a schedule rebuilt from the merged log would be
 * off by as much. So h2load's figures here are its pace, and latency from the send, labelled so.
 */
import { readFileSync } from 'node:fs';

/** 32 clients (oha's connections): hundreds started together tick together and send in bursts. */
export const H2LOAD_CLIENTS = 32;

/** The argv of one constant-rate step: HTTP/1.1, one thread, `rate` split over the clients, each request logged. */
export function h2loadArgs(h2load: string, url: string, ratePerSec: number, durationSec: number, logFile: string): string[] {
  if (!(ratePerSec > 0) || !(durationSec >= 1) || !Number.isInteger(durationSec))
    throw new RangeError(`h2load needs a positive rate and whole seconds (got ${ratePerSec}/s for ${durationSec} s)`);
  const clients = Math.max(1, Math.min(H2LOAD_CLIENTS, Math.floor(ratePerSec)));
  return [h2load, '--h1', '-t', '1', '-c', String(clients), '-D', String(durationSec), `--rps=${+(ratePerSec / clients).toFixed(6)}`, '-N', '10', `--log-file=${logFile}`, url];
}

/** One step: requests done per second over the asked duration, errors, and percentiles (ms) from the send. */
export interface H2loadStep {
  sentRate: number;
  errors: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

export function parseH2load(output: string, log: string, durationSec: number): H2loadStep {
  const req = /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(output);
  if (!req) throw new Error(`not h2load output (no requests line): ${output.slice(0, 200)}`);
  const latencies: number[] = [];
  for (const line of log.split('\n')) {
    if (line === '') continue;
    const us = Number(line.split('\t')[2]);
    if (!Number.isFinite(us) || us < 0) throw new Error(`not an h2load log line: "${line.slice(0, 80)}"`);
    latencies.push(us / 1000);
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number) => (latencies.length === 0 ? null : latencies[Math.min(latencies.length - 1, Math.max(0, Math.ceil(q * latencies.length) - 1))]!);
  return { sentRate: Number(req[3]) / durationSec, errors: Number(req[5]) + Number(req[6]) + Number(req[7]), p50Ms: at(0.5), p99Ms: at(0.99) };
}

export function summarizeH2load(outputFile: string, logFile: string, durationSec: number): H2loadStep {
  return parseH2load(readFileSync(outputFile, 'utf8'), readFileSync(logFile, 'utf8'), durationSec);
}
