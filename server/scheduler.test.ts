import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Engine } from './engines/engine.js';
import { loadEngines, type EngineRegistry, type EngineStatus } from './engines/registry.js';
import { startServer, type RunningServer } from './testing.js';
import { loadConfig } from './config.js';
import { HttpError } from './errors.js';
import { HeavyScheduler, JobCancelled } from './scheduler.js';
import { sha256Chain } from './engines/sha256-chain.js';
import { sieveCount } from './engines/sieve.js';

/**
 * A slow job made deterministic: an async engine whose sieve waits until the test opens the gate.
 * It takes the `native` slot because, like native, its pool path is an async call, not a worker.
 */
function gatedEngine() {
  const calls: number[] = [];
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const engine: Engine = {
    name: 'native',
    description: 'test engine: sieve waits for a gate',
    sieveCountSync: sieveCount,
    sha256ChainSync: sha256Chain,
    async sieveCount(limit) {
      calls.push(limit);
      await gate;
      return sieveCount(limit);
    },
    async sha256Chain(rounds) {
      return sha256Chain(rounds);
    },
  };
  const registry: EngineRegistry = new Map<EngineStatus['name'], EngineStatus>([['native', { name: 'native', available: true, engine, description: engine.description }]]);
  return { registry, calls, open: () => open() };
}

const servers: RunningServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function start(env: Record<string, string>, registry?: EngineRegistry) {
  const s = await startServer(env, registry);
  servers.push(s);
  return s;
}

const heavy = (s: RunningServer, query: string, init?: RequestInit) => fetch(`${s.url}/heavy/cpu-io-no-db/?${query}`, init);

/** Waits for `cond`; the 30 s bound only stops a hang (a worker starts slowly on a busy machine). */
async function until(cond: () => boolean, what: string): Promise<void> {
  const end = performance.now() + 30_000;
  while (performance.now() < end) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('admission control', () => {
  it('a full queue answers 503 + Retry-After + problem+json at once', async () => {
    const g = gatedEngine();
    const s = await start({ POOL_SIZE: '1', QUEUE_MAX: '1', DEADLINE_MS: '60000' }, g.registry);
    const running = heavy(s, 'impl=native&mode=pool&prime_limit=101&io_kb=1');
    await until(() => g.calls.length === 1, 'the first job to start');
    const queued = heavy(s, 'impl=native&mode=pool&prime_limit=102&io_kb=1');
    await until(() => s.server.scheduler.stats().queued === 1, 'the second job to queue');
    const t0 = performance.now();
    const shed = await heavy(s, 'impl=native&mode=pool&prime_limit=103&io_kb=1');
    assert.ok(performance.now() - t0 < 10_000, 'shed at once, not after the 60 s deadline');
    assert.equal(shed.status, 503);
    assert.equal(shed.headers.get('content-type'), 'application/problem+json');
    assert.match(shed.headers.get('retry-after') ?? '', /^[1-9][0-9]*$/);
    const body = (await shed.json()) as Record<string, unknown>;
    assert.equal(body['code'], 'OVERLOADED');
    assert.equal(s.server.scheduler.stats().shed, 1);
    g.open();
    const [a, b] = await Promise.all([running, queued]);
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    const bBody = (await b.json()) as { primes_found: number; queue_time_sec: number; mode: string };
    assert.equal(bBody.primes_found, 26);
    assert.equal(bBody.mode, 'pool');
    assert.ok(bBody.queue_time_sec > 0, 'the queued job reports its wait');
    assert.deepEqual(g.calls, [101, 102]);
  });
});

describe('client aborts', () => {
  it('a client that went away: its queued job never starts, nothing is written', async () => {
    const g = gatedEngine();
    const s = await start({ POOL_SIZE: '1', QUEUE_MAX: '4', DEADLINE_MS: '60000' }, g.registry);
    const running = heavy(s, 'impl=native&mode=pool&prime_limit=201&io_kb=1');
    await until(() => g.calls.length === 1, 'the first job to start');
    const controller = new AbortController();
    const gone = heavy(s, 'impl=native&mode=pool&prime_limit=202&io_kb=1', { signal: controller.signal });
    await until(() => s.server.scheduler.stats().queued === 1, 'the second job to queue');
    controller.abort();
    await assert.rejects(gone, { name: 'AbortError' });
    await until(() => s.server.scheduler.stats().clientCancelled === 1, 'the cancel to reach the server');
    assert.equal(s.server.scheduler.stats().queued, 0);
    g.open();
    assert.equal((await running).status, 200);
    await until(() => s.server.inFlight === 0, 'in-flight to drain');
    assert.deepEqual(g.calls, [201], 'the aborted job never started');
    assert.deepEqual(s.leftoverFiles(), []);
  });
});

describe('deadlines', () => {
  it('drops queued work unstarted and answers 503; running native work is answered and its result discarded', async () => {
    const g = gatedEngine();
    const s = await start({ POOL_SIZE: '1', QUEUE_MAX: '4', DEADLINE_MS: '300' }, g.registry);
    const running = heavy(s, 'impl=native&mode=pool&prime_limit=301&io_kb=1');
    await until(() => g.calls.length === 1, 'the first job to start');
    const queued = heavy(s, 'impl=native&mode=pool&prime_limit=302&io_kb=1');
    const [a, b] = await Promise.all([running, queued]);
    assert.equal(b.status, 503);
    const bBody = (await b.json()) as Record<string, unknown>;
    assert.equal(bBody['code'], 'DEADLINE_EXCEEDED');
    assert.equal(bBody['stage'], 'queued');
    assert.equal(a.status, 503);
    assert.equal(((await a.json()) as Record<string, unknown>)['stage'], 'running');
    // The native task cannot be interrupted: its slot stays taken until it ends, then frees.
    assert.equal(s.server.scheduler.stats().running, 1);
    g.open();
    await until(() => s.server.scheduler.stats().running === 0, 'the native task to end');
    assert.deepEqual(g.calls, [301], 'the queued job never started');
    assert.equal(s.server.scheduler.stats().deadlineDropped, 2);
  });

  it('stops running worker-pool work at the deadline, and the pool keeps serving', async () => {
    // The job would run for many minutes (1e9 SHA-256 rounds in JS): only a stopped worker frees
    // the one slot. The deadline is long enough for a ready worker to answer a tiny job under load.
    const s = await start({ POOL_SIZE: '1', QUEUE_MAX: '2', DEADLINE_MS: '1000', MAX_HASH_ROUNDS: '1000000000' });
    const t0 = performance.now();
    const res = await heavy(s, 'impl=js&mode=pool&hash_rounds=1000000000&io_kb=1');
    const elapsed = performance.now() - t0;
    assert.equal(res.status, 503);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body['code'], 'DEADLINE_EXCEEDED');
    assert.equal(body['stage'], 'running', 'stopped while running, not dropped from the queue');
    assert.ok(elapsed >= 1000, `not answered before the deadline: ${elapsed.toFixed(0)} ms`);
    assert.equal(s.server.scheduler.stats().deadlineDropped, 1);
    // The slot frees long before the work could have ended: the worker was terminated, not abandoned.
    await until(() => s.server.scheduler.stats().running === 0, 'the slot to free');
    // Its replacement loads its engines (slow on a busy machine) before it takes work.
    await until(() => s.server.scheduler.stats().poolWorkersReady === 1, 'the replacement worker to be ready');
    const ok = await heavy(s, 'impl=js&mode=pool&hash_rounds=1000&prime_limit=1000&io_kb=1');
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as { primes_found: number }).primes_found, 168);
    assert.equal(s.server.scheduler.stats().deadlineDropped, 1);
  });
});

describe('pool and inline agree', () => {
  it('give identical answers for every engine', async () => {
    const engines = await loadEngines();
    const s = await start({ POOL_SIZE: '2', QUEUE_MAX: '8' }, engines);
    for (const e of engines.values()) {
      assert.ok(e.available, `engine ${e.name} must be built for this test (${e.available ? '' : e.reason})`);
      for (const q of ['prime_limit=100000&hash_rounds=1000&io_kb=1', 'prime_limit=7919&hash_rounds=3&io_kb=0']) {
        const answers = [];
        for (const mode of ['inline', 'pool']) {
          const res = await heavy(s, `${q}&impl=${e.name}&mode=${mode}`);
          assert.equal(res.status, 200, `${e.name} ${mode}`);
          const body = (await res.json()) as { primes_found: number; digest: string; mode: string; impl: string };
          assert.equal(body.mode, mode);
          assert.equal(body.impl, e.name);
          answers.push({ primes: body.primes_found, digest: body.digest });
        }
        assert.deepEqual(answers[0], answers[1], `${e.name} ${q}`);
      }
    }
  });
});

describe('inline admission', () => {
  /** An inline engine whose cost is known: its hash busy-waits 1 ms per 1000 rounds. */
  const timedEngine: Engine = {
    name: 'js',
    description: 'test engine: 1 ms per 1000 rounds',
    sieveCountSync: () => 0,
    sha256ChainSync(rounds) {
      const end = performance.now() + rounds / 1000;
      while (performance.now() < end);
      return '';
    },
  };

  it('refuses at once, with the estimate, a job that cannot finish by the deadline behind the inline job ahead', async (t) => {
    const scheduler = new HeavyScheduler(loadConfig({ POOL_SIZE: '1', QUEUE_MAX: '4', DEADLINE_MS: '1000' }));
    t.after(() => scheduler.close());
    await scheduler.admit(timedEngine, 'inline', 0, 100_000).result; // learns ~1 ms per 1000 rounds
    const expected = scheduler.expectedMs('js', 0, 600_000);
    assert.ok(expected >= 550 && expected < 1000, `expected ${expected} ms`);
    // Admitted in the same turn: the first one has its slot but has not computed yet.
    const first = scheduler.admit(timedEngine, 'inline', 0, 600_000);
    assert.throws(
      () => scheduler.admit(timedEngine, 'inline', 0, 600_000),
      (err: unknown) => {
        assert.ok(err instanceof HttpError);
        assert.equal(err.problem.code, 'DEADLINE_EXCEEDED');
        assert.equal(err.problem['stage'], 'admission');
        assert.ok((err.problem['estimatedMs'] as number) > 1000);
        assert.match(err.headers['Retry-After'] ?? '', /^[1-9][0-9]*$/);
        return true;
      },
    );
    assert.equal(scheduler.stats().deadlinePredicted, 1);
    await first.result;
    // A job longer than the deadline on its own is refused too: a running inline job cannot be stopped.
    assert.throws(() => scheduler.admit(timedEngine, 'inline', 0, 1_500_000), /cannot meet the 1000 ms deadline/);
    // With nothing ahead, a job that fits is admitted.
    await scheduler.admit(timedEngine, 'inline', 0, 300_000).result;
  });

  it('a client cancel ends the job with CancelReason "client", not an error to answer', async (t) => {
    const scheduler = new HeavyScheduler(loadConfig({ POOL_SIZE: '1', QUEUE_MAX: '4', DEADLINE_MS: '60000' }));
    t.after(() => scheduler.close());
    const running = scheduler.admit(timedEngine, 'inline', 0, 50_000);
    const queued = scheduler.admit(timedEngine, 'inline', 0, 50_000);
    queued.cancel();
    await assert.rejects(queued.result, (err: unknown) => err instanceof JobCancelled && err.reason === 'client');
    await running.result;
    assert.equal(scheduler.stats().clientCancelled, 1);
  });
});
