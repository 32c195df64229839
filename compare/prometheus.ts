/**
 * Prometheus for a run: the per-step queries, asked once at the end over each step's window, and
 * the cross-check that tells whether a step's numbers are this service's alone.
 */
import { getJson, sleep } from './exec.js';
import type { StepRecord } from './manifest.js';

/** Prometheus HTTP API, instant queries only: the report's per-step numbers. */
export class Prometheus {
  constructor(readonly url: string) {}

  async query(expr: string, atMs: number): Promise<number | null> {
    try {
      const u = `${this.url}/api/v1/query?query=${encodeURIComponent(expr)}&time=${(atMs / 1000).toFixed(3)}`;
      const { body } = await getJson<{ status: string; data?: { result: { value: [number, string] }[] } }>(u, 5000);
      const v = body.data?.result[0]?.value[1];
      if (v === undefined) return null;
      const n = Number(v);
      return Number.isFinite(n) ? n : null;
    } catch {
      return null;
    }
  }
}

/**
 * The Prometheus expressions evaluated at the end of each step over its window `w` seconds.
 * Metric names are those of statsd.conf.
 */
export function stepQueries(w: number): Record<string, string> {
  const win = `${Math.max(2, Math.round(w))}s`;
  return {
    cpuCores: `sum(increase(process_cpu_seconds_total[${win}])) / ${Math.max(2, Math.round(w))}`,
    rssMaxBytes: `max(max_over_time(process_resident_memory_bytes[${win}]))`,
    eventLoopP99MaxSec: `max(max_over_time(nodejs_eventloop_lag_p99_seconds[${win}]))`,
    eventLoopMaxSec: `max(max_over_time(nodejs_eventloop_lag_max_seconds[${win}]))`,
    shed: `sum(increase(http_requests_shed_total[${win}]))`,
    answered: `sum(increase(http_requests_total[${win}]))`,
    answered5xx: `sum(increase(http_requests_total{status=~"5.."}[${win}]))`,
    heavyQueueDepthMax: `max(max_over_time(heavy_queue_depth[${win}]))`,
  };
}
/**
 * Whether a step's Prometheus numbers are this service's alone: statsd_exporter takes StatsD from
 * anyone on the machine, so its request count must match what the generators sent (any other
 * server sending to the same port would inflate it; missing metrics would deflate it).
 */
export function prometheusTrust(answered: number | null | undefined, sent: number): { trusted: boolean | null; note: string | null } {
  if (answered === undefined) return { trusted: null, note: null };
  if (answered === null) return { trusted: false, note: 'Prometheus had no request counts for the step: are the service\'s metrics reaching statsd_exporter?' };
  if (answered > sent * 1.3 + 20) return { trusted: false, note: `Prometheus counted ${answered.toFixed(0)} answers for ${sent} requests sent: another process sends StatsD to the same exporter; its numbers are not used` };
  if (answered < sent * 0.5 - 20) return { trusted: false, note: `Prometheus counted only ${answered.toFixed(0)} answers for ${sent} requests sent: metrics missing or late; its numbers are not used` };
  return { trusted: true, note: null };
}


/**
 * Prometheus over every step's window, asked once at the end: the TSDB keeps the samples, so
 * no step waits for the scrape lag. A step's last second reaches Prometheus after the server's
 * flush (1 s) and a scrape (1 s), hence the window reaching 2.5 s past the step's end.
 */
export async function queryPrometheus(prom: Prometheus, steps: StepRecord[]): Promise<void> {
  const lag = 2500;
  const wait = Math.max(0, ...steps.map((s) => s.endMs + lag - Date.now()));
  if (wait > 0) await sleep(wait);
  for (const step of steps) {
    if (step.startMs === 0 || step.generators.length === 0) continue;
    const sec = (step.endMs - step.startMs) / 1000;
    for (const [name, q] of Object.entries(stepQueries(sec + lag / 1000))) {
      // cpuCores divides by the window; the idle lag in it would understate a busy step.
      const query = name === 'cpuCores' ? q.replace(/\/ \d+$/, `/ ${sec.toFixed(3)}`) : q;
      step.prometheus[name] = { query, value: await prom.query(query, step.endMs + lag) };
    }
  }
}
