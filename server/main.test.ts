import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

interface Proc {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<number | null>;
}

function run(env: Record<string, string>): Proc {
  // METRICS=0: test traffic must not land in a monitoring stack running on this machine.
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, HOST: '127.0.0.1', PORT: '0', METRICS: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout!.setEncoding('utf8').on('data', (d: string) => stdout.push(d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => stderr.push(d));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, stdout, stderr, exited };
}

async function listening(p: Proc): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const m = /listening on (http:\/\/\S+)/.exec(p.stdout.join(''));
    if (m) return m[1]!;
    await new Promise((r) => setTimeout(r, 25));
  }
  p.child.kill('SIGKILL');
  throw new Error(`server did not start: ${p.stderr.join('')}`);
}

describe('the server process', () => {
  it('exits 2 with one line naming the variable on bad config', async () => {
    const p = run({ PORT: 'http' });
    assert.equal(await p.exited, 2);
    const err = p.stderr.join('').trim();
    assert.equal(err.split('\n').length, 1);
    assert.match(err, /PORT/);
  });

  // UWS_USE_FALLBACK is the package's own switch: it loads the ws-based copy as a broken binary would.
  it('refuses to start on the uWS fallback, naming the switch that allows it', async () => {
    const p = run({ UWS_USE_FALLBACK: '1' });
    assert.equal(await p.exited, 1);
    assert.match(p.stderr.join(''), /native binary did not load.*ALLOW_UWS_FALLBACK=1/);
  });

  it('with ALLOW_UWS_FALLBACK=1 runs on the fallback and says so in health', async () => {
    const p = run({ UWS_USE_FALLBACK: '1', ALLOW_UWS_FALLBACK: '1' });
    const url = await listening(p);
    try {
      const health = (await (await fetch(`${url}/heavy/health/`)).json()) as { uws: { native: boolean } };
      assert.equal(health.uws.native, false);
      assert.match(p.stderr.join(''), /FALLBACK/);
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  });

  it('exits non-zero with one clear line when the port is taken', async () => {
    const first = run({});
    const url = await listening(first);
    const port = new URL(url).port;
    const second = run({ PORT: port });
    try {
      assert.equal(await second.exited, 1);
      assert.match(second.stderr.join(''), new RegExp(`listen: cannot listen on 127\\.0\\.0\\.1:${port}`));
    } finally {
      first.child.kill('SIGTERM');
      await first.exited;
    }
  });

  it('on SIGTERM finishes the request in flight, then exits 0', async () => {
    const p = run({});
    const url = await listening(p);
    const inFlight = fetch(`${url}/heavy/cpu-io-no-db/?hash_rounds=2000000&io_kb=64`);
    await new Promise((r) => setTimeout(r, 100));
    p.child.kill('SIGTERM');
    const res = await inFlight;
    assert.equal(res.status, 200);
    const body = (await res.json()) as { primes_found: number };
    assert.equal(body.primes_found, 41538);
    assert.equal(await p.exited, 0);
    assert.match(p.stdout.join(''), /drained/);
  });

  it('after SIGTERM accepts no new connections', async () => {
    const p = run({ SHUTDOWN_TIMEOUT_MS: '2000' });
    const url = await listening(p);
    const inFlight = fetch(`${url}/heavy/cpu-io-no-db/?hash_rounds=2000000&io_kb=1`);
    await new Promise((r) => setTimeout(r, 100));
    p.child.kill('SIGTERM');
    await inFlight;
    assert.equal(await p.exited, 0);
    await assert.rejects(fetch(`${url}/hello`));
  });
});

describe('graceful shutdown under load', () => {
  it('answers every admitted request after SIGTERM (none lost), and refuses new ones', async () => {
    const p = run({ POOL_SIZE: '1', QUEUE_MAX: '8', DEADLINE_MS: '30000', SHUTDOWN_TIMEOUT_MS: '20000' });
    const url = await listening(p);
    // Six jobs of ~0.1-0.2 s each: one runs, five queue; SIGTERM lands while they wait.
    const admitted = Array.from({ length: 6 }, (_, i) => fetch(`${url}/heavy/cpu-io-no-db/?hash_rounds=400000&prime_limit=${1000 + i}&io_kb=8&mode=${i % 2 ? 'pool' : 'inline'}`));
    await new Promise((r) => setTimeout(r, 150));
    p.child.kill('SIGTERM');
    const answers = await Promise.all(admitted);
    assert.deepEqual(
      answers.map((r) => r.status),
      [200, 200, 200, 200, 200, 200],
    );
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as Array<{ prime_limit: number; digest: string }>;
    assert.deepEqual(
      bodies.map((b) => b.prime_limit),
      [1000, 1001, 1002, 1003, 1004, 1005],
    );
    assert.equal(new Set(bodies.map((b) => b.digest)).size, 1);
    assert.equal(await p.exited, 0);
    await assert.rejects(fetch(`${url}/hello`));
  });

  it('past the shutdown deadline, requests still running get a 503 answer, not a dropped connection', async () => {
    const p = run({ POOL_SIZE: '1', QUEUE_MAX: '8', DEADLINE_MS: '60000', SHUTDOWN_TIMEOUT_MS: '300' });
    const url = await listening(p);
    const admitted = Array.from({ length: 3 }, () => fetch(`${url}/heavy/cpu-io-no-db/?hash_rounds=10000000&io_kb=1&mode=pool`));
    await new Promise((r) => setTimeout(r, 200));
    p.child.kill('SIGTERM');
    const answers = await Promise.all(admitted);
    for (const res of answers) {
      assert.equal(res.status, 503);
      assert.equal(((await res.json()) as { code: string }).code, 'SHUTTING_DOWN');
    }
    assert.equal(await p.exited, 0);
  });
});
