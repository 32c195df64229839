/**
 * The peers for real (`make test-peers`): each started by `make run-peer` as a user would, then
 * real HTTP requests. Django (gunicorn, 4 workers x 2 threads) must give the known answers of
 * fixtures/vectors.json, a 400 with a JSON body naming the parameter on bad input, /hello and its
 * health; node:http must answer /hello and its health.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, knownDigest, knownPrimes } from '../lab/index.js';

const pi = (limit: number): number => knownPrimes(limit)!;
const chain = (rounds: number): string => knownDigest(rounds)!;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `make run-peer PEER=name` on a free port, in its own process group; stopped by `stop()`. */
class Peer {
  child: ChildProcess | null = null;
  url = '';
  log = '';

  constructor(
    readonly name: string,
    readonly env: Record<string, string> = {},
  ) {}

  async start(): Promise<void> {
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    this.child = spawn('make', ['--no-print-directory', 'run-peer', `PEER=${this.name}`], {
      env: { ...process.env, ...this.env, HOST: '127.0.0.1', PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child.stdout!.on('data', (d: Buffer) => (this.log += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.log += d.toString()));
    let exited: number | null = null;
    this.child.on('exit', (code) => (exited = code ?? -1));
    for (let i = 0; i < 120; i++) {
      if (exited !== null) throw new Error(`make run-peer PEER=${this.name} exited with ${exited}:\n${this.log}`);
      try {
        const r = await fetch(`${this.url}/heavy/health/`, { signal: AbortSignal.timeout(1000) });
        if (r.status === 200) return;
      } catch {
        // Not up yet.
      }
      await sleep(250);
    }
    throw new Error(`${this.name} did not answer /heavy/health/ within 30 s:\n${this.log}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    this.child = null;
    const done = new Promise((r) => child.once('exit', r));
    process.kill(-child.pid, 'SIGTERM');
    const killer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 30_000);
    await done;
    clearTimeout(killer);
  }
}

async function get(url: string): Promise<{ status: number; type: string; text: string }> {
  const r = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  return { status: r.status, type: r.headers.get('content-type') ?? '', text: await r.text() };
}

describe('django peer (gunicorn, seed 001 settings)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'peer-test-'));
  const peer = new Peer('django', { DATA_DIR: dataDir });
  before(() => peer.start());
  after(async () => {
    await peer.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("answers /hello with the lab's text", async () => {
    const r = await get(`${peer.url}/hello`);
    assert.equal(r.status, 200);
    assert.equal(r.text, 'Hello, World!');
    assert.match(r.type, /^text\/plain/);
  });

  it('answers /heavy/health/ with what it runs on', async () => {
    const r = await get(`${peer.url}/heavy/health/`);
    assert.equal(r.status, 200);
    const h = JSON.parse(r.text) as Record<string, unknown>;
    assert.equal(h['service'], 'django');
    assert.match(String(h['server']), /^gunicorn\//);
    assert.match(String(h['django']), /^5\.2\./);
    assert.ok(typeof h['limits'] === 'object' && h['limits'] !== null && 'memory_bytes' in h['limits']);
  });

  it('gives the known answers of fixtures/vectors.json, the default workload included', async () => {
    const cases: [number, number][] = [
      [10, 0],
      [7919, 1],
      [10_000, 1000],
      [100_000, 100_000],
      [500_000, 1_000_000],
    ];
    for (const [limit, rounds] of cases) {
      const r = await get(`${peer.url}/heavy/cpu-io-no-db/?prime_limit=${limit}&hash_rounds=${rounds}&io_kb=4`);
      assert.equal(r.status, 200, r.text);
      const body = JSON.parse(r.text) as Record<string, unknown>;
      assert.equal(body['primes_found'], pi(limit), `pi(${limit})`);
      assert.equal(body['digest'], chain(rounds), `${rounds} rounds`);
      assert.deepEqual([body['prime_limit'], body['hash_rounds'], body['io_kb']], [limit, rounds, 4]);
    }
  });

  it("runs the seed's defaults without parameters, with the seed's fields and stage timings", async () => {
    const r = await get(`${peer.url}/heavy/cpu-io-no-db/`);
    assert.equal(r.status, 200, r.text);
    const body = JSON.parse(r.text) as Record<string, number | string>;
    assert.equal(body['primes_found'], pi(500_000));
    assert.equal(body['digest'], chain(1_000_000));
    assert.equal(body['io_kb'], 128);
    for (const f of ['cpu_time_sec', 'io_time_sec', 'total_time_sec', 'sieve_time_sec', 'hash_time_sec']) {
      assert.equal(typeof body[f], 'number', f);
      assert.ok((body[f] as number) >= 0, f);
    }
    assert.ok((body['total_time_sec'] as number) >= (body['cpu_time_sec'] as number));
  });

  it('answers concurrent requests correctly (4 workers x 2 threads)', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => get(`${peer.url}/heavy/cpu-io-no-db/?prime_limit=100000&hash_rounds=10000&io_kb=64`)));
    for (const r of answers) {
      assert.equal(r.status, 200, r.text);
      const body = JSON.parse(r.text) as Record<string, unknown>;
      assert.equal(body['primes_found'], pi(100_000));
      assert.equal(body['digest'], chain(10_000));
    }
    assert.deepEqual(readdirSync(dataDir), [], 'the file round trip leaves no file behind');
  });

  it('answers bad input with a 400 and a JSON body naming the parameter', async () => {
    const cases: [string, string][] = [
      ['prime_limit=abc', 'prime_limit'],
      ['prime_limit=-1', 'prime_limit'],
      ['hash_rounds=1.5', 'hash_rounds'],
      ['hash_rounds=', 'hash_rounds'],
      ['io_kb=999999', 'io_kb'],
      ['io_kb=99999999999999999999', 'io_kb'],
      ['impl=native', 'impl'],
      ['io_kb=1&io_kb=2', 'io_kb'],
    ];
    for (const [query, parameter] of cases) {
      const r = await get(`${peer.url}/heavy/cpu-io-no-db/?${query}`);
      assert.equal(r.status, 400, query);
      assert.equal(r.type, 'application/problem+json', query);
      const body = JSON.parse(r.text) as Record<string, unknown>;
      assert.equal(body['status'], 400);
      assert.equal(body['parameter'], parameter, query);
      assert.match(String(body['detail']), new RegExp(parameter), query);
    }
  });

  it('answers an unknown path with a JSON 404', async () => {
    const r = await get(`${peer.url}/no/such/path`);
    assert.equal(r.status, 404);
    assert.equal(JSON.parse(r.text)['status'], 404);
  });
});

/**
 * The /hello-only peers: the lab's exact /hello, a health answer with the process and its limits
 * (plus what `health` checks of its own), JSON errors on other paths and methods.
 */
function helloPeer(name: string, health: (h: Record<string, unknown>) => void): void {
  describe(`${name} peer`, () => {
    const peer = new Peer(name);
    before(() => peer.start());
    after(() => peer.stop());

    it('answers /hello exactly as the lab does (status, type, body)', async () => {
      const r = await get(`${peer.url}/hello`);
      assert.equal(r.status, 200);
      assert.equal(r.type, 'text/plain; charset=utf-8');
      assert.equal(r.text, 'Hello, World!');
    });

    it('answers /heavy/health/ with its process and limits', async () => {
      const h = JSON.parse((await get(`${peer.url}/heavy/health/`)).text) as Record<string, unknown>;
      assert.equal(h['service'], name);
      assert.equal(h['node'], process.version);
      assert.ok(typeof h['limits'] === 'object' && h['limits'] !== null && 'cgroup_version' in h['limits']);
      health(h);
    });

    it('answers other paths and methods with JSON errors', async () => {
      const r = await get(`${peer.url}/heavy/cpu-io-no-db/`);
      assert.equal(r.status, 404);
      assert.equal(r.type, 'application/problem+json');
      const post = await fetch(`${peer.url}/hello`, { method: 'POST' });
      assert.equal(post.status, 405);
      assert.equal(post.headers.get('allow'), 'GET');
      assert.equal((JSON.parse(await post.text()) as Record<string, unknown>)['status'], 405);
    });
  });
}

helloPeer('node-http', () => {});

// The bare uWS peer refuses uWS's ws-based fallback, as the lab does, and says which binary loaded.
helloPeer('uws-bare', (h) => {
  const uws = h['uws'] as Record<string, unknown>;
  assert.equal(uws['native'], true);
  assert.match(String(uws['binary']), /^uws_.*\.node$/);
});
