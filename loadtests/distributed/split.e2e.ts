/**
 * The distributed split proven on loopback, with the real vegeta and the real server: 3 vegeta
 * processes at rate/3 against one service, merged by `vegeta report` of all parts. Independently of
 * vegeta's own reports, every part's raw results are decoded (`vegeta encode`) and the merged report
 * must be the union's: counts are the parts' sums, min/max/mean are the union's exactly, each
 * percentile falls where the union's sorted samples put it, and the histogram of the merge is the sum
 * of the parts' histograms. Run by `make test-distributed`.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { checkOptions, formatTable, partRate, split, SplitError, type SplitOptions, type SplitResult } from './split.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const VEGETA = join(ROOT, '.tools/bin/vegeta');
const PARTS = 3;
const RATE = 150;
const SECONDS = 2;

let dir = '';
let server: ChildProcess | undefined;
let result: SplitResult;
/** Every sample of every part, from the raw files: [part, latency ns, status]. */
let samples: Array<{ part: number; latency: number; code: number }> = [];

function vegeta(args: string[]): string {
  const r = spawnSync(VEGETA, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** `vegeta report -type=hist[...]` -> bucket -> count. */
function histogram(files: string[]): Map<string, number> {
  const text = vegeta(['report', '-type=hist[0,200us,500us,1ms,2ms,5ms,10ms,50ms]', ...files]);
  // Rows look like "[200µs,  500µs]  2  40.00%  ####": the bucket holds spaces itself.
  return new Map(
    text
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => {
        const m = /^(\[[^\]]*\])\s+(\d+)\s/.exec(l.trim());
        assert.ok(m, `unexpected histogram row: ${l}`);
        return [m[1]!.replace(/\s+/g, ''), Number(m[2])];
      }),
  );
}

describe('distributed vegeta: N parts at rate/N, merged by one vegeta report', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lab-distributed-'));
    server = spawn(process.execPath, [join(ROOT, 'dist/server/main.js')], {
      env: { ...process.env, HOST: '127.0.0.1', PORT: '0', METRICS: '0', DATA_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    server.stderr!.setEncoding('utf8').on('data', (d: string) => (log += d));
    const url = await new Promise<string>((resolve, reject) => {
      server!.stdout!.setEncoding('utf8').on('data', (d: string) => {
        log += d;
        const m = /listening on (http:\/\/\S+)/.exec(log);
        if (m) resolve(m[1]!);
      });
      server!.on('exit', (code) => reject(new Error(`server exited (${code}): ${log}`)));
    });
    // /hello and a small heavy request: two latency populations, so percentiles taken from one
    // part only, or averaged, would show.
    const targets = join(dir, 'targets.txt');
    writeFileSync(targets, `GET ${url}/hello\n\nGET ${url}/heavy/cpu-io-no-db/?prime_limit=20000&hash_rounds=2000&io_kb=4&impl=native\n`);
    result = await split({ parts: PARTS, rate: RATE, duration: `${SECONDS}s`, targets, out: join(dir, 'out'), vegeta: VEGETA });
    console.log(formatTable(result));
    samples = result.parts.flatMap((p, part) =>
      vegeta(['encode', '--to=json', p.file])
        .trim()
        .split('\n')
        .map((l) => {
          const r = JSON.parse(l) as { latency: number; code: number };
          return { part, latency: r.latency, code: r.code };
        }),
    );
  });

  after(() => {
    server?.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ran N attackers at rate/N each, exactly', () => {
    assert.equal(partRate(150, 3), '150/3s');
    assert.equal(partRate(12.5, 4), '12500/4000ms');
    assert.equal(result.commands.length, PARTS);
    for (const c of result.commands) assert.ok(c.includes(`-rate=${RATE}/${PARTS}s`), c.join(' '));
    for (const p of result.parts) assert.ok(Math.abs(p.rate - RATE / PARTS) < 2, `part sent at ${p.rate}/s`);
  });

  it('merged counts are the sum of the parts, and the whole attack was sent', () => {
    const sum = result.parts.reduce((n, p) => n + p.requests, 0);
    assert.equal(result.merged.requests, sum);
    assert.equal(samples.length, sum);
    assert.ok(Math.abs(sum - RATE * SECONDS) <= PARTS, `${sum} requests for ${RATE * SECONDS} asked`);
    const codes = new Map<string, number>();
    for (const p of result.parts) for (const [c, n] of Object.entries(p.status_codes)) codes.set(c, (codes.get(c) ?? 0) + n);
    assert.deepEqual(new Map(Object.entries(result.merged.status_codes)), codes);
    assert.deepEqual(Object.keys(result.merged.status_codes), ['200'], 'every request answered 200');
    assert.match(result.text, new RegExp(`Requests\\s+\\[total, rate, throughput\\]\\s+${sum},`));
  });

  it('merged min, max and mean are those of all samples together', () => {
    const lat = samples.map((s) => s.latency);
    assert.equal(result.merged.latencies.min, Math.min(...lat));
    assert.equal(result.merged.latencies.max, Math.max(...lat));
    assert.equal(
      result.merged.latencies.total,
      lat.reduce((a, b) => a + b, 0),
    );
    assert.ok(Math.abs(result.merged.latencies.mean - result.merged.latencies.total / lat.length) <= 1);
  });

  it("merged percentiles are the union's (within vegeta's t-digest), not any part's nor their average", () => {
    const sorted = samples.map((s) => s.latency).sort((a, b) => a - b);
    const n = sorted.length;
    for (const [q, name] of [
      [0.5, '50th'],
      [0.9, '90th'],
      [0.95, '95th'],
      [0.99, '99th'],
    ] as const) {
      const got = result.merged.latencies[name];
      // The t-digest (compression 100) is accurate to about 1% of rank here: the estimate must lie
      // between the samples ranked 1.5% below and above the quantile.
      const lo = sorted[Math.max(0, Math.floor((q - 0.015) * n))]!;
      const hi = sorted[Math.min(n - 1, Math.ceil((q + 0.015) * n))]!;
      assert.ok(got >= lo && got <= hi, `${name}: merged ${got} ns outside the union's [${lo}, ${hi}]`);
    }
  });

  it("the merged histogram is the sum of the parts' histograms", () => {
    const merged = histogram(result.parts.map((p) => p.file));
    const sum = new Map<string, number>();
    for (const p of result.parts) for (const [b, c] of histogram([p.file])) sum.set(b, (sum.get(b) ?? 0) + c);
    assert.deepEqual(merged, sum);
    assert.equal(
      [...merged.values()].reduce((a, b) => a + b, 0),
      samples.length,
    );
  });

  it('refuses bad options with the option named, and targets off this machine', () => {
    const base: SplitOptions = { parts: 2, rate: 10, duration: '1s', targets: join(dir, 'targets.txt'), out: dir, vegeta: VEGETA };
    const remote = join(dir, 'remote.txt');
    writeFileSync(remote, 'GET http://192.0.2.10:8000/hello\n');
    for (const [o, message] of [
      [{ parts: 0 }, /--parts must be a whole number from 1 to 64/],
      [{ parts: 2.5 }, /--parts/],
      [{ rate: 0 }, /--rate must be a number of requests per second above 0/],
      [{ rate: Number.NaN }, /--rate/],
      [{ duration: '10' }, /--duration must be a vegeta duration/],
      [{ targets: join(dir, 'missing') }, /--targets: no such file/],
      [{ targets: remote }, /192\.0\.2\.10:8000\/hello is not on this machine/],
    ] as const) {
      assert.throws(
        () => checkOptions({ ...base, ...o }),
        (e: Error) => e instanceof SplitError && message.test(e.message),
        JSON.stringify(o),
      );
    }
  });
});
