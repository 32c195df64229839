import { lookup } from 'node:dns/promises';
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';

/**
 * Server metrics as StatsD lines with DogStatsD tags (`name:value|type|#label:value,...`), sent
 * over UDP to statsd_exporter, whose mapping (statsd.conf at the repository root) gives them their
 * Prometheus names. The StatsD names here are short on purpose: every byte of a per-request line is
 * paid at 100k requests/s.
 *
 * Cost per request, the rule behind every choice below: one performance.now() at arrival and one
 * at the end, one Map lookup, one string concatenation into statsd-client's buffer. Counters
 * (requests, shed) are summed in-process and sent once per flush interval; only the duration is a
 * line per request, because statsd_exporter builds its histogram buckets from individual
 * observations. Gauges are sampled once per flush interval. Lines are packed into datagrams of at
 * most MAX_PACKET_BYTES, so at 100k requests/s the server sends ~6k packets/s, not 100k.
 */

/** The configuration of the metrics pipeline (the `METRICS`/`STATSD_*` environment variables). */
export interface MetricsConfig {
  readonly enabled: boolean;
  /** statsd_exporter's StatsD address. A host name is resolved once, not per packet. */
  readonly host: string;
  readonly port: number;
  /** How often counters and gauges are sent and the packet buffer is flushed at the latest. */
  readonly flushMs: number;
}

/** The heavy endpoint's stages, each a `heavy_stage_duration_seconds{stage}` series. */
export const STAGES = ['sieve', 'hash', 'io', 'queue_wait'] as const;
export type Stage = (typeof STAGES)[number];

/** Label value for requests that involve no engine or no execution mode (`/hello`, 404s). */
export const NO_LABEL = 'none';

/** Label value of `status` for a request whose client went away before the answer (nginx's 499). */
export const STATUS_CLIENT_CLOSED = 499;

/** What the gauges are sampled from; LabServer has this shape. */
export interface LoadSource {
  /** Requests admitted and not yet answered or aborted. */
  readonly inFlight: number;
  /** Heavy requests admitted but waiting for a worker, when the server queues. */
  readonly queued?: number;
}

/** The stage timings of a heavy answer, in seconds (the `HeavyAnswer` fields). */
export interface StageTimings {
  readonly impl: string;
  readonly mode: string;
  readonly sieve_time_sec: number;
  readonly hash_time_sec: number;
  readonly io_time_sec: number;
  readonly queue_time_sec: number;
}

export interface Metrics {
  /** Whether lines are sent at all (false with METRICS=0). */
  readonly enabled: boolean;
  /**
   * Records one answered request: its duration from `startedAt` (a performance.now() taken on
   * arrival) to now, and one count. Every argument must come from a small fixed set: a route
   * template, never a URL or a parameter value.
   */
  request(startedAt: number, route: string, method: string, status: number, engine: string, mode: string): void;
  /** Records the stage durations of one heavy request. */
  stages(timings: StageTimings): void;
  /** Counts one request refused by admission control (`reason`: a fixed word such as `queue_full`). */
  shed(reason: string): void;
  /** Samples in-flight and queue depth from `source` at every flush. */
  watch(source: LoadSource): void;
  /** Sends what is pending and stops the timers and the socket. */
  close(): void;
}

/** The largest datagram sent: fits a 1500-byte MTU after IPv6 and UDP headers, never fragments. */
export const MAX_PACKET_BYTES = 1432;

/** Distinct label sets kept per metric; beyond it new ones are dropped, so memory stays bounded. */
export const MAX_SERIES = 1000;

/** Resolution of the event-loop delay sampler. Node records whole intervals; we subtract it. */
const LOOP_RESOLUTION_MS = 10;

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE']);

/** The subset of statsd-client 0.4.7 used here (the package ships no types). */
interface StatsDClient {
  raw(line: string): void;
  close(): void;
}
interface StatsDClientOptions {
  host: string;
  port: number;
  ipv6: boolean;
  maxBufferSize: number;
  socketTimeout: number;
}
const require = createRequire(import.meta.url);
const StatsDClientClass = require('statsd-client') as new (options: StatsDClientOptions) => StatsDClient;

/** A metrics sink that records nothing: the server with METRICS=0, and tests. */
export const noMetrics: Metrics = Object.freeze({
  enabled: false,
  request() {},
  stages() {},
  shed() {},
  watch() {},
  close() {},
});

/** Creates the metrics of this process; with `enabled: false`, returns `noMetrics`. */
export function createMetrics(config: MetricsConfig): Metrics {
  return config.enabled ? new StatsdMetrics(config) : noMetrics;
}

/**
 * Makes a label value safe for a DogStatsD tag and for a Prometheus label: ASCII only (so the
 * buffer's character count is its byte count), none of the separators `,|#:` nor spaces.
 */
export function tagValue(value: string | number): string {
  return String(value).replace(/[^A-Za-z0-9_./\-*]/g, '_');
}

/** Milliseconds with microsecond resolution, as the shortest decimal (0.004, not 0.00400000001). */
export function formatMs(ms: number): string {
  return String(Math.round(ms * 1000) / 1000);
}

interface RequestSeries {
  /** `|ms|#route:...` : everything after the value of the duration line. */
  readonly timerSuffix: string;
  /** `|#route:...` */
  readonly tags: string;
  count: number;
}

interface StageSeries {
  readonly timerSuffix: readonly string[];
}

class StatsdMetrics implements Metrics {
  readonly enabled = true;
  readonly #config: MetricsConfig;
  /** Undefined until the host name resolves; lines are dropped then, counters kept. */
  #client: StatsDClient | undefined;
  #closed = false;
  readonly #requests = new Map<string, RequestSeries>();
  readonly #stages = new Map<string, StageSeries>();
  readonly #shed = new Map<string, number>();
  #source: LoadSource | undefined;
  readonly #loop: IntervalHistogram;
  #cpu = process.cpuUsage();
  readonly #flushTimer: NodeJS.Timeout;
  #resolveTimer: NodeJS.Timeout | undefined;
  #warnedSeries = false;

  constructor(config: MetricsConfig) {
    this.#config = config;
    this.#loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    this.#loop.enable();
    this.#flushTimer = setInterval(() => this.#flush(), config.flushMs);
    // Metrics must never keep a finished server alive.
    this.#flushTimer.unref();
    this.#connect();
  }

  request(startedAt: number, route: string, method: string, status: number, engine: string, mode: string): void {
    const ms = performance.now() - startedAt;
    // uWS gives methods in lower case, and any token a client sends: fold them before the key.
    if (method !== 'GET') method = KNOWN_METHODS.has(method.toUpperCase()) ? method.toUpperCase() : 'other';
    const key = `${route} ${method} ${status} ${engine} ${mode}`;
    let series = this.#requests.get(key);
    if (series === undefined) {
      if (this.#requests.size >= MAX_SERIES) return this.#tooManySeries(key);
      const tags =
        `|#route:${tagValue(route)},method:${method},status:${tagValue(status)}` +
        `,engine:${tagValue(engine)},mode:${tagValue(mode)}`;
      series = { timerSuffix: `|ms${tags}`, tags, count: 0 };
      this.#requests.set(key, series);
    }
    series.count++;
    this.#client?.raw('http.request:' + formatMs(ms) + series.timerSuffix);
  }

  stages(t: StageTimings): void {
    const key = `${t.impl} ${t.mode}`;
    let series = this.#stages.get(key);
    if (series === undefined) {
      if (this.#stages.size >= MAX_SERIES) return this.#tooManySeries(key);
      const labels = `,engine:${tagValue(t.impl)},mode:${tagValue(t.mode)}`;
      series = { timerSuffix: STAGES.map((stage) => `|ms|#stage:${stage}${labels}`) };
      this.#stages.set(key, series);
    }
    const client = this.#client;
    if (client === undefined) return;
    const s = series.timerSuffix;
    // The answer's timings are seconds rounded to the microsecond; StatsD timers are milliseconds.
    client.raw('heavy.stage:' + formatMs(t.sieve_time_sec * 1000) + s[0]);
    client.raw('heavy.stage:' + formatMs(t.hash_time_sec * 1000) + s[1]);
    client.raw('heavy.stage:' + formatMs(t.io_time_sec * 1000) + s[2]);
    client.raw('heavy.stage:' + formatMs(t.queue_time_sec * 1000) + s[3]);
  }

  shed(reason: string): void {
    const tag = tagValue(reason);
    const count = this.#shed.get(tag);
    if (count === undefined && this.#shed.size >= MAX_SERIES) return this.#tooManySeries(tag);
    this.#shed.set(tag, (count ?? 0) + 1);
  }

  watch(source: LoadSource): void {
    this.#source = source;
  }

  close(): void {
    if (this.#closed) return;
    this.#flush();
    this.#closed = true;
    clearInterval(this.#flushTimer);
    if (this.#resolveTimer) clearTimeout(this.#resolveTimer);
    this.#loop.disable();
    // statsd-client's close() sends its buffer, then closes the socket a few ms later.
    this.#client?.close();
    this.#client = undefined;
  }

  /** Creates the client once the exporter's address is an IP: a host name would cost a DNS lookup per packet. */
  #connect(): void {
    const { host, port, flushMs } = this.#config;
    const open = (address: string, family: number) => {
      if (this.#closed) return;
      this.#client = new StatsDClientClass({
        host: address,
        port,
        ipv6: family === 6,
        // statsd-client sends when the next line would overflow, and appends with "\n": a packet
        // is at most maxBufferSize + 1 characters, all ASCII (tagValue), hence bytes.
        maxBufferSize: MAX_PACKET_BYTES - 1,
        // Its timer flushes a partly filled buffer, so no line waits longer than this.
        socketTimeout: flushMs,
      });
    };
    const family = isIP(host);
    if (family !== 0) return open(host, family);
    lookup(host).then(
      ({ address, family: f }) => open(address, f),
      (err: Error) => {
        if (this.#closed) return;
        console.warn(`metrics: cannot resolve STATSD_HOST "${host}" (${err.message}); retrying in 5 s, metrics are not sent meanwhile`);
        this.#resolveTimer = setTimeout(() => this.#connect(), 5000);
        this.#resolveTimer.unref();
      },
    );
  }

  #flush(): void {
    const client = this.#client;
    if (client === undefined) return;
    for (const series of this.#requests.values()) {
      if (series.count === 0) continue;
      client.raw(`http.requests:${series.count}|c${series.tags}`);
      series.count = 0;
    }
    for (const [reason, count] of this.#shed) {
      if (count === 0) continue;
      client.raw(`http.shed:${count}|c|#reason:${reason}`);
      this.#shed.set(reason, 0);
    }
    if (this.#source) {
      client.raw(`http.in_flight:${this.#source.inFlight}|g`);
      const queued = this.#source.queued;
      if (queued !== undefined) client.raw(`heavy.queue_depth:${queued}|g`);
    }
    // Percentiles of how late a timer fired over the last interval. The histogram records whole
    // timer intervals (10.2 ms on an idle loop), so the resolution is subtracted.
    const loop = this.#loop;
    if (loop.count > 0) {
      const late = (ns: number) => String(Math.max(0, ns / 1e9 - LOOP_RESOLUTION_MS / 1e3));
      client.raw(`nodejs.eventloop_lag.p50:${late(loop.percentile(50))}|g`);
      client.raw(`nodejs.eventloop_lag.p99:${late(loop.percentile(99))}|g`);
      client.raw(`nodejs.eventloop_lag.max:${late(loop.max)}|g`);
      loop.reset();
    }
    const mem = process.memoryUsage();
    client.raw(`process.rss:${mem.rss}|g`);
    client.raw(`nodejs.heap_used:${mem.heapUsed}|g`);
    client.raw(`nodejs.heap_total:${mem.heapTotal}|g`);
    const cpu = process.cpuUsage();
    const cpuMicros = cpu.user - this.#cpu.user + (cpu.system - this.#cpu.system);
    this.#cpu = cpu;
    client.raw(`process.cpu:${cpuMicros / 1e6}|c`);
  }

  #tooManySeries(key: string): void {
    if (this.#warnedSeries) return;
    this.#warnedSeries = true;
    console.warn(`metrics: more than ${MAX_SERIES} label sets (latest "${key}"); new ones are not recorded. A label is being fed an unbounded value.`);
  }
}
