import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import type { HttpRequest, HttpResponse } from 'uws-20.57';
import { ConfigError, loadConfig } from './config.js';
import { answered, createMetrics, labelEngine, MAX_PACKET_BYTES, noMetrics, PacketTransport, sampleRate, STATUS_CLIENT_CLOSED, tagValue, timed, type Metrics } from './metrics.js';

/** A fake statsd_exporter: every datagram received, as text. */
class Sink {
  readonly packets: string[] = [];
  readonly socket: Socket = createSocket('udp4');
  port = 0;
  async open(): Promise<void> {
    this.socket.on('message', (m) => this.packets.push(m.toString('latin1')));
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', resolve));
    this.port = this.socket.address().port;
  }
  lines(): string[] {
    return this.packets.flatMap((p) => p.split('\n'));
  }
  /** Waits until a line starting with `prefix` arrived. */
  async until(prefix: string, timeoutMs = 3000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!this.lines().some((l) => l.startsWith(prefix))) {
      if (Date.now() > end) throw new Error(`no line starting with ${prefix}; got:\n${this.lines().join('\n')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  close(): void {
    this.socket.close();
  }
}

/** statsd_exporter's reading of one timer line: how many observations of which value (ms). */
function observations(line: string): { name: string; ms: number; count: number; tags: string } {
  const m = /^([^:]+):([^|]+)\|ms(?:\|@([^|]+))?(\|#.*)?$/.exec(line);
  assert.ok(m, `not a timer line: ${line}`);
  const rate = m[3] === undefined ? 1 : Number(m[3]);
  return { name: m[1]!, ms: Number(m[2]), count: Math.trunc(1 / rate), tags: m[4] ?? '' };
}

async function connected(metrics: Metrics): Promise<void> {
  // The socket connects asynchronously; records made before are kept, lines sent after.
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(metrics.enabled);
}

describe('sampleRate', () => {
  it('makes int(1 / rate) come back as n, for every n up to 100k', () => {
    for (let n = 1; n <= 100_000; n++) {
      const rate = Number(sampleRate(n));
      assert.equal(Math.trunc(1 / rate), n, `n=${n} rate=${sampleRate(n)}`);
    }
  });
});

describe('tagValue', () => {
  it('keeps route templates and replaces separators and non-ASCII', () => {
    assert.equal(tagValue('/heavy/cpu-io-no-db/'), '/heavy/cpu-io-no-db/');
    assert.equal(tagValue('/*'), '/*');
    assert.equal(tagValue('a,b|c#d:e f\u00e9'), 'a_b_c_d_e_f_');
    assert.equal(tagValue(200), '200');
  });
});

describe('metrics over UDP', () => {
  const sink = new Sink();
  before(() => sink.open());
  after(() => sink.close());

  it('sends every request duration with its labels, counted exactly, to the microsecond', async () => {
    sink.packets.length = 0;
    const metrics = createMetrics({ enabled: true, host: '127.0.0.1', port: sink.port, flushMs: 60_000, instance: 'i1' });
    await connected(metrics);
    // Each duration runs from startedAt to the moment inside the call: at least the interval the
    // test measured before the call, at most the one it measured after, whatever the machine's load.
    const nominal = [0.004, 0.004, 0.004, 0.004, 0.004, 1.5, 1.5, 250];
    const us = (ms: number) => Math.round(ms * 1000) / 1000; // the resolution lines carry
    const bounds = nominal.map((ms) => {
      const startedAt = performance.now() - ms;
      const lo = performance.now() - startedAt;
      metrics.request(startedAt, '/hello', 'GET', 200, 'none', 'none');
      return { lo: us(lo), hi: us(performance.now() - startedAt) };
    });
    metrics.request(performance.now(), '/heavy/cpu-io-no-db/', 'GET', 503, 'js', 'pool');
    metrics.close();
    await sink.until('http.requests:8|c');

    const lines = sink.lines();
    const hello = lines.filter((l) => l.startsWith('http.request:') && l.includes('route:/hello')).map(observations);
    assert.equal(
      hello.reduce((n, o) => n + o.count, 0),
      nominal.length,
    );
    for (const o of hello) assert.equal(o.tags, '|#route:/hello,method:GET,status:200,engine:none,mode:none,service_instance:i1');
    const values = hello.flatMap((o) => Array<number>(o.count).fill(o.ms)).sort((a, b) => a - b);
    // Every request's value lies within its own measured interval: match intervals (earliest end
    // first) to the smallest unused value not below their start; one left unmatched is a wrong value.
    const unused = [...values];
    for (const b of [...bounds].sort((x, y) => x.hi - y.hi)) {
      const i = unused.findIndex((v) => v >= b.lo);
      assert.ok(i !== -1 && unused[i]! <= b.hi, `no sent duration in [${b.lo}, ${b.hi}] ms; sent ${values.join(', ')}`);
      unused.splice(i, 1);
    }
    assert.ok(values[0]! >= 0.004, 'a duration of a few microseconds is kept to the microsecond, not rounded to 0');
    assert.ok(lines.includes('http.requests:8|c|#route:/hello,method:GET,status:200,engine:none,mode:none,service_instance:i1'));
    assert.ok(lines.includes('http.requests:1|c|#route:/heavy/cpu-io-no-db/,method:GET,status:503,engine:js,mode:pool,service_instance:i1'));
  });

  it('sends repeated values as one line whose sample rate stands for their count', async () => {
    sink.packets.length = 0;
    const metrics = createMetrics({ enabled: true, host: '127.0.0.1', port: sink.port, flushMs: 60_000, instance: 'i1' });
    await connected(metrics);
    const timings = { impl: 'js', mode: 'inline', sieve_time_sec: 0.000093, hash_time_sec: 0.5, io_time_sec: 0.001, queue_time_sec: 0 };
    for (let i = 0; i < 93; i++) metrics.stages(timings);
    metrics.stages({ ...timings, sieve_time_sec: 0.000094 });
    metrics.close();
    await sink.until('heavy.stage:');
    const sieve = sink.lines().filter((l) => l.includes('stage:sieve'));
    assert.deepEqual(
      sieve
        .map(observations)
        .map((o) => [o.ms, o.count])
        .sort(),
      [
        [0.093, 93],
        [0.094, 1],
      ],
    );
    assert.ok(sieve.includes('heavy.stage:0.094|ms|#stage:sieve,engine:js,mode:inline,service_instance:i1'), 'a single observation has no sample rate');
  });

  it('packs lines into packets of at most MAX_PACKET_BYTES', async () => {
    sink.packets.length = 0;
    const metrics = createMetrics({ enabled: true, host: '127.0.0.1', port: sink.port, flushMs: 60_000, instance: 'i1' });
    await connected(metrics);
    // 800 distinct durations: 800 timer lines, ~50 packets, at close.
    const now = performance.now();
    for (let i = 0; i < 800; i++) metrics.request(now - (i + 1) * 0.01, '/hello', 'GET', 200, 'none', 'none');
    metrics.close();
    await sink.until('http.requests:800|c');
    assert.ok(sink.packets.length > 1);
    const largest = Math.max(...sink.packets.map((p) => Buffer.byteLength(p)));
    assert.ok(largest <= MAX_PACKET_BYTES, `largest packet ${largest} bytes`);
    assert.ok(largest > MAX_PACKET_BYTES - 120, `packets are filled: largest ${largest}`);
    const counted = sink
      .lines()
      .filter((l) => l.startsWith('http.request:'))
      .map(observations)
      .reduce((n, o) => n + o.count, 0);
    assert.equal(counted, 800);
  });

  it('sends load gauges, shed increments (a reason first at 0), event-loop delay, memory and CPU each flush', async () => {
    sink.packets.length = 0;
    const metrics = createMetrics({ enabled: true, host: '127.0.0.1', port: sink.port, flushMs: 20, instance: 'i1' });
    let shed = { queue_full: 0, deadline: 0 };
    metrics.watch(() => ({ inFlight: 3, queued: 2, shed }));
    await sink.until('http.shed:0|c|#reason:deadline');
    shed = { queue_full: 5, deadline: 0 };
    await sink.until('http.shed:5|c|#reason:queue_full');
    shed = { queue_full: 7, deadline: 0 };
    await sink.until('http.shed:2|c|#reason:queue_full');
    metrics.close();
    const lines = sink.lines();
    assert.ok(lines.includes('http.in_flight:3|g|#service_instance:i1'));
    assert.ok(lines.includes('heavy.queue_depth:2|g|#service_instance:i1'));
    // Increments only: an unchanged total sends nothing more.
    assert.equal(lines.filter((l) => l.startsWith('http.shed:') && l.endsWith('reason:deadline,service_instance:i1')).length, 1);
    for (const name of ['nodejs.eventloop_lag.p50', 'nodejs.eventloop_lag.p99', 'nodejs.eventloop_lag.max', 'process.rss', 'nodejs.heap_used', 'nodejs.heap_total']) {
      const line = lines.find((l) => l.startsWith(`${name}:`));
      assert.ok(line, `${name} missing`);
      const value = Number(line.slice(name.length + 1, line.indexOf('|')));
      assert.ok(value >= 0 && Number.isFinite(value), line);
    }
    const lag = Number(lines.find((l) => l.startsWith('nodejs.eventloop_lag.p50:'))!.split(/[:|]/)[1]);
    assert.ok(lag < 0.008, `the sampler's 10 ms resolution is not reported as lateness (got ${lag} s)`);
    assert.ok(lines.some((l) => /^process\.cpu:[0-9.e-]+\|c\|#service_instance:i1$/.test(l)));
  });

  it('sends stage durations per engine and mode', async () => {
    sink.packets.length = 0;
    const metrics = createMetrics({ enabled: true, host: '127.0.0.1', port: sink.port, flushMs: 60_000, instance: 'i1' });
    await connected(metrics);
    metrics.stages({ impl: 'native', mode: 'pool', sieve_time_sec: 0.012345, hash_time_sec: 0.2, io_time_sec: 0.000042, queue_time_sec: 0 });
    metrics.close();
    await sink.until('heavy.stage:');
    const lines = sink.lines().filter((l) => l.startsWith('heavy.stage:'));
    assert.deepEqual(lines.sort(), [
      'heavy.stage:0.042|ms|#stage:io,engine:native,mode:pool,service_instance:i1',
      'heavy.stage:0|ms|#stage:queue_wait,engine:native,mode:pool,service_instance:i1',
      'heavy.stage:12.345|ms|#stage:sieve,engine:native,mode:pool,service_instance:i1',
      'heavy.stage:200|ms|#stage:hash,engine:native,mode:pool,service_instance:i1',
    ]);
  });

  it('folds unknown methods and stops adding label sets past the bound', async () => {
    sink.packets.length = 0;
    const metrics = createMetrics({ enabled: true, host: '127.0.0.1', port: sink.port, flushMs: 10, instance: 'i1' });
    await connected(metrics);
    const now = performance.now();
    metrics.request(now, '/hello', 'post', 405, 'none', 'none');
    metrics.request(now, '/hello', 'brew', 405, 'none', 'none');
    const warn = console.warn;
    const warnings: string[] = [];
    console.warn = (line: string) => warnings.push(line);
    try {
      // In batches across flushes: one burst of 2000 lines would overflow the sink's socket buffer.
      for (let i = 0; i < 1500; i++) {
        metrics.request(now, `/leak/${i}`, 'GET', 200, 'none', 'none');
        if (i % 100 === 99) await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      console.warn = warn;
    }
    metrics.close();
    await sink.until('http.requests:');
    const counters = sink.lines().filter((l) => l.startsWith('http.requests:'));
    assert.ok(counters.includes('http.requests:1|c|#route:/hello,method:POST,status:405,engine:none,mode:none,service_instance:i1'));
    assert.ok(counters.includes('http.requests:1|c|#route:/hello,method:other,status:405,engine:none,mode:none,service_instance:i1'));
    assert.equal(counters.length, 1000);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /label sets/);
  });

  it('tags every line with its service_instance, so two servers on one exporter stay apart', async () => {
    sink.packets.length = 0;
    const a = createMetrics({ enabled: true, host: '127.0.0.1', port: sink.port, flushMs: 60_000, instance: 'lab-a' });
    const b = createMetrics({ enabled: true, host: '127.0.0.1', port: sink.port, flushMs: 60_000, instance: 'lab-b/2' });
    await Promise.all([connected(a), connected(b)]);
    a.watch(() => ({ inFlight: 1, queued: 0, shed: { queue_full: 0 } }));
    b.watch(() => ({ inFlight: 2, queued: 1, shed: { queue_full: 3 } }));
    for (let i = 0; i < 3; i++) a.request(performance.now(), '/hello', 'GET', 200, 'none', 'none');
    b.request(performance.now(), '/hello', 'GET', 200, 'none', 'none');
    b.stages({ impl: 'js', mode: 'pool', sieve_time_sec: 0.001, hash_time_sec: 0.002, io_time_sec: 0.003, queue_time_sec: 0 });
    a.close();
    b.close();
    await sink.until('http.requests:1|c');
    const lines = sink.lines();
    assert.ok(lines.length > 10);
    // (Late lines of earlier tests' servers may arrive too: they carry their own instance.)
    for (const line of lines) assert.match(line, /[#,]service_instance:[A-Za-z0-9_./-]+$/, line);
    assert.ok(lines.filter((l) => l.endsWith('service_instance:lab-a')).length >= 5);
    assert.ok(lines.filter((l) => l.endsWith('service_instance:lab-b/2')).length >= 5);
    assert.ok(lines.includes('http.requests:3|c|#route:/hello,method:GET,status:200,engine:none,mode:none,service_instance:lab-a'));
    assert.ok(lines.includes('http.requests:1|c|#route:/hello,method:GET,status:200,engine:none,mode:none,service_instance:lab-b/2'));
    assert.ok(lines.includes('http.in_flight:1|g|#service_instance:lab-a') && lines.includes('http.in_flight:2|g|#service_instance:lab-b/2'));
    assert.ok(lines.includes('http.shed:3|c|#reason:queue_full,service_instance:lab-b/2'));
  });

  it('never throws or holds packets when nothing listens', async () => {
    const closed = createSocket('udp4');
    await new Promise<void>((resolve) => closed.bind(0, '127.0.0.1', resolve));
    const port = closed.address().port;
    closed.close();
    const metrics = createMetrics({ enabled: true, host: '127.0.0.1', port, flushMs: 5, instance: 'i1' });
    await connected(metrics);
    const now = performance.now();
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 500; i++) metrics.request(now - i * 0.01, '/hello', 'GET', 200, 'none', 'none');
      await new Promise((r) => setTimeout(r, 5));
    }
    metrics.close();
  });

  it('retries a host name that does not resolve, without throwing', async () => {
    const warn = console.warn;
    const warnings: string[] = [];
    console.warn = (line: string) => warnings.push(line);
    try {
      const metrics = createMetrics({ enabled: true, host: 'no-such-host.invalid', port: 9, flushMs: 10, instance: 'i1' });
      metrics.request(performance.now(), '/hello', 'GET', 200, 'none', 'none');
      for (let i = 0; i < 200 && warnings.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
      metrics.close();
    } finally {
      console.warn = warn;
    }
    assert.match(warnings[0] ?? '', /cannot resolve STATSD_HOST "no-such-host.invalid".*retrying/);
  });
});

describe('PacketTransport', () => {
  it('sends a partly filled packet on flush and nothing when empty', async () => {
    const sink = new Sink();
    await sink.open();
    const udp = createSocket('udp4');
    await new Promise<void>((resolve) => udp.connect(sink.port, '127.0.0.1', resolve));
    const transport = new PacketTransport(udp);
    transport.flush();
    transport.send('a:1|c');
    transport.send('b:2|g');
    transport.flush();
    transport.close();
    for (let i = 0; i < 100 && sink.packets.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    sink.close();
    assert.deepEqual(sink.packets, ['a:1|c\nb:2|g']);
  });
});

describe('request recording through route handlers', () => {
  /** A stand-in for the uWS objects: only what timed/answered touch. */
  const req = (method: string) => ({ getMethod: () => method }) as unknown as HttpRequest;
  const res = () => ({}) as HttpResponse;

  function recorder() {
    const calls: unknown[][] = [];
    const metrics: Metrics = { ...noMetrics, enabled: true, request: (...args: unknown[]) => void calls.push(args.slice(1)) };
    return { metrics, calls };
  }

  it('records the registered template and method, the labels set by the handler, and the first answer only', () => {
    const { metrics, calls } = recorder();
    const handler = timed(metrics, '/heavy/cpu-io-no-db/', 'GET', (r) => {
      labelEngine(r, 'native', 'pool');
      answered(r, 200);
      answered(r, STATUS_CLIENT_CLOSED);
    });
    handler(res(), req('get'));
    assert.deepEqual(calls, [['/heavy/cpu-io-no-db/', 'GET', 200, 'native', 'pool']]);
  });

  it('reads the method of `any` routes from the request, and labels no engine by default', () => {
    const { metrics, calls } = recorder();
    timed(metrics, '/*', undefined, (r) => answered(r, 404))(res(), req('delete'));
    assert.deepEqual(calls, [['/*', 'delete', 404, 'none', 'none']]);
  });

  it('records 499 for a request that got no answer', () => {
    const { metrics, calls } = recorder();
    let later: HttpResponse | undefined;
    timed(metrics, '/heavy/cpu-io-no-db/', 'GET', (r) => {
      later = r;
    })(res(), req('get'));
    assert.equal(calls.length, 0);
    answered(later!, STATUS_CLIENT_CLOSED);
    assert.deepEqual(calls, [['/heavy/cpu-io-no-db/', 'GET', 499, 'none', 'none']]);
  });

  it('returns the handler itself when metrics are off, and answered() ignores unwrapped responses', () => {
    const handler = (_res: HttpResponse) => {};
    assert.equal(timed(noMetrics, '/hello', 'GET', handler), handler);
    answered(res(), 200);
    assert.equal(createMetrics({ enabled: false, host: '127.0.0.1', port: 9125, flushMs: 1000, instance: 'i1' }), noMetrics);
  });
});

describe('metrics configuration', () => {
  it('is on by default, to statsd_exporter on 127.0.0.1:9125, flushing every second', () => {
    assert.deepEqual({ ...loadConfig({}).metrics }, { enabled: true, host: '127.0.0.1', port: 9125, flushMs: 1000, instance: `${hostname()}/${process.pid}` });
  });

  it('can be switched off, pointed elsewhere and flushed faster', () => {
    const c = loadConfig({ METRICS: '0', STATSD_HOST: ' statsd-exporter ', STATSD_PORT: '8125', METRICS_FLUSH_MS: '100', METRICS_INSTANCE: 'lab-7f9c/2' });
    assert.deepEqual({ ...c.metrics }, { enabled: false, host: 'statsd-exporter', port: 8125, flushMs: 100, instance: 'lab-7f9c/2' });
  });

  it('rejects bad values with the variable named', () => {
    for (const [name, value] of [
      ['METRICS', 'yes'],
      ['STATSD_HOST', ' '],
      ['STATSD_PORT', '0'],
      ['STATSD_PORT', '70000'],
      ['METRICS_FLUSH_MS', '5'],
      ['METRICS_INSTANCE', 'a b'],
      ['METRICS_INSTANCE', 'pod:1'],
      ['METRICS_INSTANCE', 'x'.repeat(129)],
    ]) {
      assert.throws(
        () => loadConfig({ [name!]: value }),
        (err: Error) => err instanceof ConfigError && err.message.includes(name!),
        `${name}=${value}`,
      );
    }
  });
});
