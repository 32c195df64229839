import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import type { HttpRequest, HttpResponse } from 'uws-20.57';

/**
 * Server metrics as StatsD lines with DogStatsD tags (`name:value|type|#label:value,...`), sent
 * over UDP to statsd_exporter, whose mapping (statsd.conf at the repository root) gives them their
 * Prometheus names.
 *
 * Cost per request is the rule behind the design: two performance.now() calls, a comparison with
 * the previous request's labels and one Map update; nothing is sent. Every duration is kept, rounded to the microsecond (the resolution a
 * per-request line would carry), as a count per distinct value; each flush interval sends one line
 * per distinct value with a sample rate of 1/count (`http.request:0.004|ms|@0.001|#...`), which
 * statsd_exporter expands into `count` observations of that value. Its histograms come out exactly
 * as if every request had sent its own line, at any bucket layout, but a /hello flood of 100k
 * requests/s becomes a few dozen lines a second instead of ~6k packets: one line per request cost
 * the server ~1.1 us of CPU per /hello (a 1.4 kB loopback sendmsg per 18 requests), 15% of its
 * capacity. Counters are summed the same way; gauges are sampled at each flush. Lines are packed
 * into datagrams of at most MAX_PACKET_BYTES. Every line carries `service_instance:<METRICS_INSTANCE>`
 * (default host/pid), the label that keeps servers sharing an exporter apart.
 */

/** The configuration of the metrics pipeline (the `METRICS`/`STATSD_*` environment variables). */
export interface MetricsConfig {
  readonly enabled: boolean;
  /** statsd_exporter's StatsD address. A host name is resolved once, not per packet. */
  readonly host: string;
  readonly port: number;
  /** How often counters and gauges are sent; no line waits longer than this in the buffer. */
  readonly flushMs: number;
  /**
   * Which server sent a line: the `service_instance` tag on every line, so several servers on one
   * exporter (two lab instances, pods behind one exporter) stay separate series. Already a valid
   * tag value (config.ts checks it).
   */
  readonly instance: string;
}

/** The heavy endpoint's stages, each a `heavy_stage_duration_seconds{stage}` series. */
export const STAGES = ['sieve', 'hash', 'io', 'queue_wait'] as const;
export type Stage = (typeof STAGES)[number];

/** Label value for requests that involve no engine or no execution mode (`/hello`, 404s). */
export const NO_LABEL = 'none';

/** Label value of `status` for a request whose client went away before the answer (nginx's 499). */
export const STATUS_CLIENT_CLOSED = 499;

/** The server's load at one instant, read at every flush. */
export interface LoadSample {
  /** Requests admitted and not yet answered or aborted. */
  readonly inFlight: number;
  /** Heavy requests admitted and waiting for a compute slot. */
  readonly queued: number;
  /** Requests refused or dropped by admission control since start, by reason (cumulative). */
  readonly shed: Readonly<Record<string, number>>;
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
  /** Whether anything is recorded (false with METRICS=0). */
  readonly enabled: boolean;
  /**
   * Records one answered request: its duration from `startedAt` (a performance.now() taken on
   * arrival) to now, and one count. Every label must come from a small fixed set: a route
   * template, never a URL or a parameter value. Handlers use `timed` and `answered` instead.
   */
  request(startedAt: number, route: string, method: string, status: number, engine: string, mode: string): void;
  /** Records the stage durations of one heavy request. */
  stages(timings: StageTimings): void;
  /** Reads the server's load at every flush: gauges, and the shed counters' increments. */
  watch(sample: () => LoadSample): void;
  /** Sends what is pending, then stops the timers and closes the socket. */
  close(): void;
}

/** The largest datagram sent: fits a 1500-byte MTU after IPv6 and UDP headers, never fragments. */
export const MAX_PACKET_BYTES = 1432;

/** Distinct label sets kept per metric; beyond it new ones are dropped, so memory stays bounded. */
export const MAX_SERIES = 1000;

/**
 * Distinct durations held between flushes, over all series. Reaching it sends them at once: memory
 * stays bounded, and a burst (~60 packets) stays well under the 208 kB a receiving socket buffers
 * by default on Linux, so widely spread durations cost packets, not lost lines.
 */
export const MAX_PENDING_VALUES = 1000;

/**
 * Datagrams allowed to wait in the socket's send queue. Loopback sends complete at once; a queue
 * only forms on a congested network path, and then packets are dropped rather than held.
 */
const MAX_QUEUED_PACKETS = 64;

/** Resolution of the event-loop delay sampler. Node records whole intervals; we subtract it. */
const LOOP_RESOLUTION_MS = 10;

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE']);

/** Where finished StatsD lines go: the UDP packer below, or nowhere (DISCARD). */
interface StatsDClient {
  /** Hands one finished line to the transport. */
  raw(line: string): void;
  /** Closes the transport. */
  close(): void;
}
/**
 * The StatsD transport (node:dgram, no client library: the lines are built here, so a client's
 * only part would be its socket): packs lines into datagrams of at most MAX_PACKET_BYTES and
 * sends them on a connected socket. Unlike statsd-client's own socket, which this replaced, it
 * sends at once (no address lookup deferred to the next tick, so the last flush before
 * process.exit() is not lost), bounds its send queue and keeps no timer.
 */
export class PacketTransport implements StatsDClient {
  readonly #udp: Socket;
  #buffer = '';
  /** Packets dropped because the send queue was full; see MAX_QUEUED_PACKETS. */
  dropped = 0;

  /** `udp` must be connected to the exporter. */
  constructor(udp: Socket) {
    this.#udp = udp;
  }

  send(line: string): void {
    // Lines are ASCII (tagValue), so characters are bytes; +1 for the "\n" separator.
    if (this.#buffer.length + 1 + line.length > MAX_PACKET_BYTES) this.flush();
    this.#buffer = this.#buffer === '' ? line : `${this.#buffer}\n${line}`;
  }

  raw(line: string): void {
    this.send(line);
  }

  /** Sends the partly filled packet, if any. */
  flush(): void {
    if (this.#buffer === '') return;
    if (this.#udp.getSendQueueCount() >= MAX_QUEUED_PACKETS) this.dropped++;
    else this.#udp.send(this.#buffer);
    this.#buffer = '';
  }

  close(): void {
    this.flush();
    // Sends on a connected socket to a local address complete synchronously: nothing is lost.
    this.#udp.close();
  }
}

/** Where lines go that cannot be sent. */
const DISCARD: StatsDClient = Object.freeze({ raw() {}, close() {} });

/** A metrics sink that records nothing: the server with METRICS=0, and tests. */
export const noMetrics: Metrics = Object.freeze({
  enabled: false,
  request() {},
  stages() {},
  watch() {},
  close() {},
});

/** Creates the metrics of this process; with `enabled: false`, returns `noMetrics`. */
export function createMetrics(config: MetricsConfig): Metrics {
  return config.enabled ? new StatsdMetrics(config) : noMetrics;
}

type Handler = (res: HttpResponse, req: HttpRequest) => void;

/** One request's labels and arrival time, carried on its uWS response object until the answer. */
interface Exchange {
  readonly metrics: Metrics;
  readonly startedAt: number;
  readonly route: string;
  readonly method: string;
  engine: string;
  mode: string;
  recorded: boolean;
}
const EXCHANGE = Symbol('metrics.exchange');
type Tracked = HttpResponse & { [EXCHANGE]?: Exchange };

/**
 * `timed` for a handler that always answers at once with one status (`/hello`): the duration is
 * recorded right after it returns, with no per-request object attached to `res`. At hundreds of
 * thousands of requests per second that allocation is a visible share of the work.
 */
export function timedConstant(metrics: Metrics, route: string, method: string, status: number, handler: Handler): Handler {
  if (!metrics.enabled) return handler;
  return (res, req) => {
    const startedAt = performance.now();
    handler(res, req);
    metrics.request(startedAt, route, method, status, NO_LABEL, NO_LABEL);
  };
}

/**
 * Wraps a route handler so its answer is recorded under `route` (the template it was registered
 * with). `method` is the registered method, or undefined for `any` routes (read from the request).
 * With metrics off the handler is returned as is: no cost at all.
 */
export function timed(metrics: Metrics, route: string, method: string | undefined, handler: Handler): Handler {
  if (!metrics.enabled) return handler;
  return (res, req) => {
    const exchange: Exchange = {
      metrics,
      startedAt: performance.now(),
      route,
      method: method ?? req.getMethod(),
      engine: NO_LABEL,
      mode: NO_LABEL,
      recorded: false,
    };
    (res as Tracked)[EXCHANGE] = exchange;
    handler(res, req);
  };
}

/** Sets the engine and mode labels of a request once its parameters are known. */
export function labelEngine(res: HttpResponse, engine: string, mode: string): void {
  const exchange = (res as Tracked)[EXCHANGE];
  if (exchange === undefined) return;
  exchange.engine = engine;
  exchange.mode = mode;
}

/**
 * Records the answer of a request wrapped by `timed`: call it where the response ends. Only the
 * first call per request counts, so a catch-all `answered(res, STATUS_CLIENT_CLOSED)` after the
 * work is done records exactly the requests that got no answer.
 */
export function answered(res: HttpResponse, status: number): void {
  const x = (res as Tracked)[EXCHANGE];
  if (x === undefined || x.recorded) return;
  x.recorded = true;
  x.metrics.request(x.startedAt, x.route, x.method, status, x.engine, x.mode);
}

/**
 * Makes a label value safe for a DogStatsD tag and for a Prometheus label: ASCII only (so the
 * buffer's character count is its byte count), none of the separators `,|#:` nor spaces.
 */
export function tagValue(value: string | number): string {
  return String(value).replace(/[^A-Za-z0-9_./\-*]/g, '_');
}

/**
 * The StatsD sample rate that makes statsd_exporter count a line `n` times. It computes
 * int(1 / rate); 1 / (1 / n) falls just below n for many n (93, 99, 105, ...), so the rate is
 * nudged down until the round trip through its decimal form gives n back.
 */
export function sampleRate(n: number): string {
  let rate = 1 / n;
  while (Math.trunc(1 / Number(String(rate))) < n) rate -= rate * Number.EPSILON;
  return String(rate);
}

/** Durations of one series since the last flush: microseconds -> how many requests took that long. */
class Durations {
  readonly #counts = new Map<number, number>();
  /** `|#label:value,...` of the series. */
  readonly tags: string;
  constructor(tags: string) {
    this.tags = tags;
  }
  /** Adds one observation; returns true when it is a new distinct value. */
  add(ms: number): boolean {
    const us = Math.round(ms * 1000);
    const n = this.#counts.get(us);
    this.#counts.set(us, n === undefined ? 1 : n + 1);
    return n === undefined;
  }
  /** Emits one timer line per distinct value and forgets them; returns the number of observations. */
  drain(name: string, client: StatsDClient): number {
    let total = 0;
    for (const [us, n] of this.#counts) {
      total += n;
      client.raw(`${name}:${us / 1000}|ms${n === 1 ? '' : `|@${sampleRate(n)}`}${this.tags}`);
    }
    this.#counts.clear();
    return total;
  }
}

class StatsdMetrics implements Metrics {
  readonly enabled = true;
  readonly #config: MetricsConfig;
  /** `service_instance:<id>`, the last tag of every line. */
  readonly #instanceTag: string;
  /** Undefined until the socket is connected; lines are dropped then, counters kept. */
  #client: StatsDClient | undefined;
  #transport: PacketTransport | undefined;
  #closed = false;
  readonly #requests = new Map<string, Durations>();
  /** By `${engine} ${mode}`: one Durations per entry of STAGES. */
  readonly #stages = new Map<string, readonly Durations[]>();
  #pendingValues = 0;
  /** The label set of the previous request and its series. */
  #lastRequest: { route: string; method: string; status: number; engine: string; mode: string; series: Durations } | undefined;
  /** Cumulative shed counts already sent, by reason. */
  readonly #shedSent = new Map<string, number>();
  #sample: (() => LoadSample) | undefined;
  readonly #loop: IntervalHistogram;
  #cpu = process.cpuUsage();
  readonly #flushTimer: NodeJS.Timeout;
  #retryTimer: NodeJS.Timeout | undefined;
  #warnedSeries = false;

  constructor(config: MetricsConfig) {
    this.#config = config;
    this.#instanceTag = `service_instance:${tagValue(config.instance)}`;
    this.#loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    this.#loop.enable();
    this.#flushTimer = setInterval(() => this.#flush(), config.flushMs);
    // Metrics must never keep a finished server alive.
    this.#flushTimer.unref();
    this.#connect();
  }

  request(startedAt: number, route: string, method: string, status: number, engine: string, mode: string): void {
    const ms = performance.now() - startedAt;
    // A flood repeats one label set: comparing five references is cheaper than building a key.
    const last = this.#lastRequest;
    const series =
      last !== undefined && last.status === status && last.route === route && last.method === method && last.engine === engine && last.mode === mode
        ? last.series
        : this.#requestSeries(route, method, status, engine, mode);
    if (series?.add(ms)) this.#newValue();
  }

  #requestSeries(route: string, method: string, status: number, engine: string, mode: string): Durations | undefined {
    // uWS gives methods in lower case, and any token a client sends: fold them before the key.
    const label = method === 'GET' ? method : KNOWN_METHODS.has(method.toUpperCase()) ? method.toUpperCase() : 'other';
    const key = `${route} ${label} ${status} ${engine} ${mode}`;
    let series = this.#requests.get(key);
    if (series === undefined) {
      if (this.#requests.size >= MAX_SERIES) return void this.#tooManySeries(key);
      series = new Durations(`|#route:${tagValue(route)},method:${label},status:${tagValue(status)},engine:${tagValue(engine)},mode:${tagValue(mode)},${this.#instanceTag}`);
      this.#requests.set(key, series);
    }
    this.#lastRequest = { route, method, status, engine, mode, series };
    return series;
  }

  stages(t: StageTimings): void {
    const key = `${t.impl} ${t.mode}`;
    let series = this.#stages.get(key);
    if (series === undefined) {
      if (this.#stages.size >= MAX_SERIES) {
        this.#tooManySeries(key);
        return;
      }
      const labels = `,engine:${tagValue(t.impl)},mode:${tagValue(t.mode)},${this.#instanceTag}`;
      series = STAGES.map((stage) => new Durations(`|#stage:${stage}${labels}`));
      this.#stages.set(key, series);
    }
    // The answer's timings are seconds rounded to the microsecond; the series keep milliseconds.
    const seconds = [t.sieve_time_sec, t.hash_time_sec, t.io_time_sec, t.queue_time_sec];
    for (let i = 0; i < STAGES.length; i++) if (series[i]!.add(seconds[i]! * 1000)) this.#newValue();
  }

  watch(sample: () => LoadSample): void {
    this.#sample = sample;
  }

  close(): void {
    if (this.#closed) return;
    this.#flush();
    this.#closed = true;
    clearInterval(this.#flushTimer);
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#loop.disable();
    this.#client?.close();
    this.#client = undefined;
    this.#transport = undefined;
  }

  /**
   * Resolves the exporter's host once, connects a UDP socket to it, and only then sends: with an IP and a connected socket no packet pays a DNS lookup or an address
   * argument. Failures are retried every 5 s; meanwhile lines are dropped and counters kept.
   */
  #connect(): void {
    const { host, port } = this.#config;
    const retry = (why: string) => {
      if (this.#closed) return;
      console.warn(`metrics: ${why}; retrying in 5 s, metrics are not sent meanwhile`);
      this.#retryTimer = setTimeout(() => this.#connect(), 5000);
      this.#retryTimer.unref();
    };
    const resolved = isIP(host) !== 0 ? Promise.resolve({ address: host, family: isIP(host) }) : lookup(host);
    resolved.then(
      ({ address, family }) => {
        if (this.#closed) return;
        const udp = createSocket(family === 6 ? 'udp6' : 'udp4');
        // An exporter that is down shows up as ICMP errors on the connected socket: ignore them,
        // the next packet simply tries again.
        udp.on('error', () => {});
        udp.unref();
        udp.connect(port, address, () => {
          if (this.#closed) return void udp.close();
          this.#transport = new PacketTransport(udp);
          this.#client = this.#transport;
        });
      },
      (err: Error) => retry(`cannot resolve STATSD_HOST "${host}" (${err.message})`),
    );
  }

  #newValue(): void {
    // Not connected (yet): durations are kept up to the bound, then dropped.
    if (++this.#pendingValues >= MAX_PENDING_VALUES) this.#drainDurations(this.#client ?? DISCARD);
  }

  #drainDurations(client: StatsDClient): void {
    this.#pendingValues = 0;
    for (const series of this.#requests.values()) {
      const count = series.drain('http.request', client);
      if (count > 0) client.raw(`http.requests:${count}|c${series.tags}`);
    }
    for (const stages of this.#stages.values()) for (const series of stages) series.drain('heavy.stage', client);
  }

  #flush(): void {
    const client = this.#client;
    if (client === undefined) return;
    this.#drainDurations(client);
    const only = `|#${this.#instanceTag}`;
    const load = this.#sample?.();
    if (load !== undefined) {
      client.raw(`http.in_flight:${load.inFlight}|g${only}`);
      client.raw(`heavy.queue_depth:${load.queued}|g${only}`);
      for (const reason in load.shed) {
        const total = load.shed[reason]!;
        const sent = this.#shedSent.get(reason);
        // A reason's first line goes out even at 0, so its series exists before the first shed.
        if (sent === undefined ? this.#shedSent.size >= MAX_SERIES : total <= sent) continue;
        client.raw(`http.shed:${total - (sent ?? 0)}|c|#reason:${tagValue(reason)},${this.#instanceTag}`);
        this.#shedSent.set(reason, total);
      }
    }
    // Percentiles of how late a timer fired over the last interval. The histogram records whole
    // timer intervals (10.2 ms on an idle loop), so the resolution is subtracted.
    const loop = this.#loop;
    if (loop.count > 0) {
      const late = (ns: number) => String(Math.max(0, Math.round(ns) - LOOP_RESOLUTION_MS * 1e6) / 1e9);
      client.raw(`nodejs.eventloop_lag.p50:${late(loop.percentile(50))}|g${only}`);
      client.raw(`nodejs.eventloop_lag.p99:${late(loop.percentile(99))}|g${only}`);
      client.raw(`nodejs.eventloop_lag.max:${late(loop.max)}|g${only}`);
      loop.reset();
    }
    const mem = process.memoryUsage();
    client.raw(`process.rss:${mem.rss}|g${only}`);
    client.raw(`nodejs.heap_used:${mem.heapUsed}|g${only}`);
    client.raw(`nodejs.heap_total:${mem.heapTotal}|g${only}`);
    const cpu = process.cpuUsage();
    const cpuMicros = cpu.user - this.#cpu.user + (cpu.system - this.#cpu.system);
    this.#cpu = cpu;
    client.raw(`process.cpu:${cpuMicros / 1e6}|c${only}`);
    // Also sends the per-request lines of a quiet server: none waits longer than flushMs.
    this.#transport?.flush();
  }

  #tooManySeries(key: string): void {
    if (this.#warnedSeries) return;
    this.#warnedSeries = true;
    console.warn(`metrics: more than ${MAX_SERIES} label sets (latest "${key}"); new ones are not recorded. A label is being fed an unbounded value.`);
  }
}
