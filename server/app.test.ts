import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Engine } from './engines/engine.js';
import { loadEngines, type EngineRegistry } from './engines/registry.js';
import { startServer, type RunningServer } from './testing.js';

let s: RunningServer;
before(async () => {
  s = await startServer();
});
after(() => s.close());

async function get(path: string, init?: RequestInit) {
  const res = await fetch(s.url + path, init);
  const text = await res.text();
  return { res, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

describe('routes over a real socket', () => {
  for (const path of ['/hello', '/hello/']) {
    it(`GET ${path} -> 200 text/plain`, async () => {
      const { res, text } = await get(path);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
      assert.equal(text, 'Hello, World!');
    });
  }

  for (const path of ['/heavy/health/', '/heavy/health']) {
    it(`GET ${path} -> 200 JSON with engines, uWS, limits`, async () => {
      const { res, json } = await get(path);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/json');
      const body = json();
      assert.equal(body['status'], 'ok');
      assert.deepEqual(body['uws'] && (body['uws'] as { native: boolean }).native, true);
      const engines = body['engines'] as Record<string, { available: boolean; reason?: string }>;
      assert.deepEqual(Object.keys(engines).sort(), ['hash-wasm', 'js', 'native', 'node-crypto', 'wasm']);
      assert.equal(engines['js']!.available, true);
      for (const e of Object.values(engines)) if (!e.available) assert.ok(e.reason && e.reason.length > 0);
      assert.equal(body['node'], process.version);
      assert.equal(body['pid'], process.pid);
      assert.equal(typeof body['uptime_sec'], 'number');
      const limits = body['limits'] as Record<string, unknown>;
      assert.ok('cpus' in limits && 'memory_bytes' in limits);
    });
  }

  for (const path of ['/heavy/cpu-io-no-db/', '/heavy/cpu-io-no-db']) {
    it(`GET ${path} -> the seed's fields plus impl and digest`, async () => {
      const { res, json } = await get(`${path}?prime_limit=1000&hash_rounds=1&io_kb=4&impl=js`);
      assert.equal(res.status, 200);
      const body = json();
      assert.equal(body['primes_found'], 168);
      assert.equal(body['prime_limit'], 1000);
      assert.equal(body['hash_rounds'], 1);
      assert.equal(body['io_kb'], 4);
      assert.equal(body['impl'], 'js');
      assert.equal(body['digest'], '66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925');
      for (const k of ['cpu_time_sec', 'io_time_sec', 'total_time_sec']) {
        assert.equal(typeof body[k], 'number', k);
        assert.ok((body[k] as number) >= 0, k);
      }
      assert.ok((body['total_time_sec'] as number) >= (body['cpu_time_sec'] as number));
      assert.deepEqual(s.leftoverFiles(), []);
    });
  }

  it('runs the seed default workload with the known answer', async () => {
    const { res, json } = await get('/heavy/cpu-io-no-db/');
    assert.equal(res.status, 200);
    assert.equal(json()['primes_found'], 41538);
    assert.equal(json()['digest'], '2a5e8b87894fc2d1be46c40ce8f95745cc6a4821d3b1be93e4fba5205c757c40');
  });

  it('answers bad input with 400 problem+json naming the parameter', async () => {
    for (const [query, parameter] of [
      ['prime_limit=-5', 'prime_limit'],
      ['hash_rounds=1e6', 'hash_rounds'],
      ['io_kb=99999', 'io_kb'],
      ['impl=cobol', 'impl'],
      ['prime_limt=5', 'prime_limt'],
      ['io_kb=1&io_kb=2', 'io_kb'],
    ]) {
      const { res, json } = await get(`/heavy/cpu-io-no-db/?${query}`);
      assert.equal(res.status, 400, query);
      assert.equal(res.headers.get('content-type'), 'application/problem+json', query);
      const body = json();
      assert.equal(body['status'], 400);
      assert.equal(body['parameter'], parameter, query);
      assert.equal(typeof body['type'], 'string');
      assert.equal(typeof body['title'], 'string');
      assert.equal(typeof body['detail'], 'string');
    }
  });

  it('unknown path -> 404 problem+json', async () => {
    const { res, json } = await get('/heavy/nope');
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
    assert.equal(json()['code'], 'NOT_FOUND');
  });

  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
    it(`${method} on a known path -> 405 with Allow`, async () => {
      const { res, json } = await get('/heavy/cpu-io-no-db/', { method });
      assert.equal(res.status, 405);
      assert.equal(res.headers.get('allow'), 'GET, HEAD');
      assert.equal(json()['code'], 'METHOD_NOT_ALLOWED');
    });
  }
});

describe('HEAD', () => {
  for (const [path, status, type] of [
    ['/hello', 200, /^text\/plain/],
    ['/heavy/health/', 200, /^application\/json$/],
    ['/heavy/cpu-io-no-db/?prime_limit=1000&hash_rounds=1000&io_kb=1', 200, /^application\/json$/],
    ['/heavy/cpu-io-no-db/?nope=1', 400, /^application\/problem\+json$/],
    ['/nope', 404, /^application\/problem\+json$/],
  ] as const) {
    it(`HEAD ${path} -> ${status}, the headers GET would send, no body`, async () => {
      const { res, text } = await get(path, { method: 'HEAD' });
      assert.equal(res.status, status);
      assert.match(res.headers.get('content-type') ?? '', type);
      assert.ok(Number(res.headers.get('content-length')) > 0, 'the length of the body GET would send');
      assert.equal(text, '');
    });
  }
});

describe('a client that goes away', () => {
  it('does not crash or wedge the server, and leaves no file behind', async (t) => {
    // Its own server with a long deadline: inline admission would refuse this job at once on a busy
    // machine where the earlier tests taught it that js needs more than DEADLINE_MS for it.
    const s = await startServer({ DEADLINE_MS: '120000' });
    t.after(() => s.close());
    const get = async (path: string) => ({ res: await fetch(s.url + path) });
    const controller = new AbortController();
    // About a second of hashing on the event loop; the client gives up long before it ends.
    const pending = fetch(`${s.url}/heavy/cpu-io-no-db/?hash_rounds=4000000&io_kb=512&impl=js`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(pending, { name: 'AbortError' });
    const { res } = await get('/hello');
    assert.equal(res.status, 200);
    // The aborted request finishes its I/O and removes its file before in-flight drops to 0.
    for (let i = 0; i < 100 && s.server.inFlight > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(s.server.inFlight, 0);
    assert.deepEqual(s.leftoverFiles(), []);
    const health = await get('/heavy/health/');
    assert.equal(health.res.status, 200);
  });
});

describe('an engine that is not available', () => {
  it('answers 503 naming it, never another engine', async () => {
    const real = await loadEngines(['js']);
    const broken = new Map(real) as Map<string, unknown>;
    broken.set('wasm', { name: 'wasm', available: false, reason: 'wasm module not built: run make build-wasm' });
    const t = await startServer({}, broken as EngineRegistry);
    try {
      const res = await fetch(`${t.url}/heavy/cpu-io-no-db/?impl=wasm&hash_rounds=1`);
      assert.equal(res.status, 503);
      const body = (await res.json()) as Record<string, unknown>;
      assert.equal(body['code'], 'ENGINE_UNAVAILABLE');
      assert.equal(body['engine'], 'wasm');
      assert.match(String(body['detail']), /make build-wasm/);
      const health = (await (await fetch(`${t.url}/heavy/health/`)).json()) as { engines: Record<string, { available: boolean; reason: string }> };
      assert.equal(health.engines['wasm']!.available, false);
      assert.match(health.engines['wasm']!.reason, /not built/);
    } finally {
      await t.close();
    }
  });

  it('an engine that throws gives a 500 problem, and the server carries on', async () => {
    const failing: Engine = {
      name: 'js',
      description: 'fails on purpose',
      sieveCountSync: () => {
        throw new Error('boom');
      },
      sha256ChainSync: () => '',
    };
    const t = await startServer({}, new Map([['js', { name: 'js', available: true, engine: failing, description: failing.description }]]));
    try {
      const res = await fetch(`${t.url}/heavy/cpu-io-no-db/?impl=js`);
      assert.equal(res.status, 500);
      assert.equal(res.headers.get('content-type'), 'application/problem+json');
      assert.equal((await fetch(`${t.url}/hello`)).status, 200);
    } finally {
      await t.close();
    }
  });
});
