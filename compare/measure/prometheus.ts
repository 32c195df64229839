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

  /** When this Prometheus process started (/api/v1/status/runtimeinfo), or null when it does not answer. */
  async startTime(): Promise<string | null> {
    try {
      const { body } = await getJson<{ data?: { startTime?: string } }>(`${this.url}/api/v1/status/runtimeinfo`, 5000);
      return body.data?.startTime ?? null;
    } catch {
      return null;
    }
  }

  /** Every series of an instant query, or null when Prometheus did not answer. */
  async vector(expr: string, atMs: number): Promise<{ metric: Record<string, string>; value: number }[] | null> {
    try {
      const u = `${this.url}/api/v1/query?query=${encodeURIComponent(expr)}&time=${(atMs / 1000).toFixed(3)}`;
      const { body } = await getJson<{ status: string; data?: { result: { metric: Record<string, string>; value: [number, string] }[] } }>(u, 5000);
      if (body.status !== 'success' || !body.data) return null;
      return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    } catch {
      return null;
    }
  }
}

/**
 * How long a request takes to reach Prometheus: the server flushes StatsD once a second
 * (METRICS_FLUSH_MS), Prometheus scrapes statsd_exporter once a second (prom.yml), plus margin.
 * The step runner starts no step before the previous traffic is this far behind (runner.ts), so
 * each step's window below holds its own requests and nobody else's.
 */
export const METRICS_LAG_MS = 2500;

/** The routes a step loads; /heavy/health/ is the runner's own polling, not the load. */
const LOAD = 'route!="/heavy/health/"';

/** A counter's increase from `fromMs` to `toMs`: two exact readings, no extrapolation (a series new in the window counts from 0). */
function counterDelta(metric: string, fromMs: number, toMs: number): string {
  const at = (ms: number) => (ms / 1000).toFixed(3);
  return `sum(${metric} @ ${at(toMs)}) - (sum(${metric} @ ${at(fromMs)}) or vector(0))`;
}

/**
 * The Prometheus expressions of one step, each evaluated at `windowEndMs`: counters as their
 * increase from the step's start to the window's end (which reaches METRICS_LAG_MS past the step,
 * so its last requests are in), gauges as their extreme over the same window, CPU divided by the
 * step's own duration. Metric names are those of statsd.conf. With `instance`, every selector keeps
 * only the series of that server (its METRICS_INSTANCE, the `service_instance` label), so another
 * server sending to the same exporter is simply not counted.
 */
export function stepQueries(startMs: number, endMs: number, windowEndMs: number, instance?: string): Record<string, string> {
  const win = `${Math.max(1, Math.round(windowEndMs - startMs))}ms`;
  const busySec = Math.max(0.001, (endMs - startMs) / 1000).toFixed(3);
  const own = instance === undefined ? [] : [`service_instance="${instance.replace(/["\\]/g, '\\$&')}"`];
  const m = (name: string, ...matchers: string[]) => {
    const all = [...matchers, ...own];
    return all.length > 0 ? `${name}{${all.join(',')}}` : name;
  };
  return {
    cpuCores: `(${counterDelta(m('nodejs_process_cpu_seconds_total'), startMs, windowEndMs)}) / ${busySec}`,
    rssMaxBytes: `max(max_over_time(${m('nodejs_process_resident_memory_bytes')}[${win}]))`,
    eventLoopP99MaxSec: `max(max_over_time(${m('nodejs_eventloop_lag_p99_seconds')}[${win}]))`,
    eventLoopMaxSec: `max(max_over_time(${m('nodejs_eventloop_lag_max_seconds')}[${win}]))`,
    shed: counterDelta(m('http_requests_shed_total'), startMs, windowEndMs),
    answered: counterDelta(m('http_requests_total', LOAD), startMs, windowEndMs),
    answered5xx: counterDelta(m('http_requests_total', LOAD, 'status=~"5.."'), startMs, windowEndMs),
    heavyQueueDepthMax: `max(max_over_time(${m('heavy_queue_depth')}[${win}]))`,
  };
}

/** The answers in the window per route x engine x mode (a series new in the window counts whole). */
export function seriesQuery(startMs: number, windowEndMs: number, instance?: string): string {
  const at = (ms: number) => (ms / 1000).toFixed(3);
  const own = instance === undefined ? '' : `,service_instance="${instance.replace(/["\\]/g, '\\$&')}"`;
  const x = (ms: number) => `sum by (route, engine, mode) (http_requests_total{${LOAD}${own}} @ ${at(ms)})`;
  return `(${x(windowEndMs)} - ${x(startMs)}) or ${x(windowEndMs)}`;
}

/**
 * Prometheus over every step's window, asked once at the end: the TSDB keeps the samples, so no
 * step waits for its own numbers, only for the previous step's to land (runner.ts).
 */
export async function queryPrometheus(prom: Prometheus, steps: StepRecord[], instance?: string): Promise<void> {
  const wait = Math.max(0, ...steps.map((s) => s.endMs + METRICS_LAG_MS - Date.now()));
  if (wait > 0) await sleep(wait);
  for (const step of steps) {
    if (step.startMs === 0 || step.generators.length === 0) continue;
    const at = step.endMs + METRICS_LAG_MS;
    for (const [name, query] of Object.entries(stepQueries(step.startMs, step.endMs, at, instance))) {
      step.prometheus[name] = { query, value: await prom.query(query, at) };
    }
    const query = seriesQuery(step.startMs, at, instance);
    const series = await prom.vector(query, at);
    step.prometheusSeries = {
      query,
      series: series
        ? series.filter((r) => r.value > 0).map((r) => ({ route: r.metric['route'] ?? '', engine: r.metric['engine'] ?? '', mode: r.metric['mode'] ?? '', count: r.value }))
        : null,
    };
  }
}
