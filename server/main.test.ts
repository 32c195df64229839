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

  it('refuses to start when no uWS build loads, naming each build and why', async () => {
    const p = run({ UWS_BUILDS: 'uws-99.0' });
    assert.equal(await p.exited, 1);
    assert.match(p.stderr.join(''), /uWebSockets\.js did not load: UWS_BUILDS names uws-99\.0; the lab carries uws-20\.57, uws-20\.51; refusing to start/);
  });

  // A real load failure: uWS v20.57's binaries need glibc 2.38, newer than Debian 12's 2.36.
  const glibc = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime;
  const old = glibc !== undefined && Number(glibc.split('.')[1]) < 38 && Number(glibc.split('.')[0]) === 2;
  it("refuses to start when the only build allowed needs a newer glibc, with the loader's reason", {
    skip: old ? false : `glibc ${glibc ?? 'none'} loads uWS v20.57: no failing build to try here`,
  }, async () => {
    const p = run({ UWS_BUILDS: 'uws-20.57' });
    assert.equal(await p.exited, 1);
    assert.match(p.stderr.join(''), /no uWS build loads on linux-x64 ABI \d+ \(Node v[\d.]+, glibc 2\.\d+\): uws-20\.57 \(@btc-vision\/uwebsockets\.js 20\.57\.0\): .*GLIBC_2\.38/);
  });

  it('runs on the newest build that loads and names it, and the builds skipped, in health', async () => {
    const p = run({});
    const url = await listening(p);
    try {
      const health = (await (await fetch(`${url}/heavy/health/`)).json()) as {
        node: string;
        glibc: string | null;
        uws: { native: boolean; release: string; package: string; detail: string; skipped: string[] };
      };
      assert.equal(health.uws.native, true);
      assert.equal(health.node, process.version);
      assert.match(health.uws.detail, new RegExp(`^uws_${process.platform}_${process.arch}_${process.versions.modules}\\.node$`));
      // Every build newer than the one that loaded is listed with its reason; none older is tried.
      const carried = ['20.57', '20.51'];
      assert.deepEqual(
        health.uws.skipped.map((s) => s.slice(4, 9)),
        carried.slice(0, carried.indexOf(health.uws.release)),
      );
      assert.match(p.stdout.join(''), new RegExp(`uWS v${health.uws.release.replace('.', '\\.')} ${health.uws.package.replace(/[./]/g, '\\$&')}`));
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
