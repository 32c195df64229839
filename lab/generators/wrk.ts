/** wrk (Debian's package): the closed-loop maximum of `make compare`'s /hello, and its output parser. */

/** wrk's numbers: requests per second, latency percentiles in ms (needs `--latency`), requests and errors. */
export interface WrkResult {
  requestsPerSec: number;
  latencyMs: Record<string, number>;
  requests: number;
  errors: number;
}

/** Parses wrk's text output: Requests/sec and its latency distribution (needs `--latency`); null when it has no rate. */
export function parseWrk(text: string): WrkResult | null {
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
