/**
 * The image for real: built by `scripts/docker-build.sh` (make test-docker does it first), run by
 * `scripts/run-constrained.sh METHOD=docker` with the seed's --cpus=1 --memory=256m, and checked from
 * outside and inside: the limits as Docker recorded them and as the kernel applies them in the
 * container, Docker's own health status, Node 24 with the native uWS binary for its ABI (and a
 * refusal to start without it), every engine's known answers (fixtures/vectors.json), the runtime
 * image's contents and size. Needs an engine that answers (`make test-docker` starts one if none does).
 * Every request goes to 127.0.0.1.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function repoRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error('no package.json above the test');
  }
}
const ROOT = repoRoot();
const IMAGE = process.env['IMAGE'] ?? 'backend-bottleneck-lab';
const PORT = Number(process.env['DOCKER_TEST_PORT'] ?? 24080);
const CONTAINER = `lab-docker-e2e-${PORT}`;
const MiB = 1024 * 1024;
// The runtime image: Debian trixie slim (~80 MB) + Node 24 (~120 MB) + the app and its production
// dependencies with one uWS binary (~20 MB). A regression (a build stage leaking in, every uWS binary,
// npm) shows as tens of MB more.
const MAX_IMAGE_MB = 260;
const WORK = mkdtempSync(join(tmpdir(), 'lab-docker-e2e-'));
const STATE = join(WORK, 'state.json');

function docker(...args: string[]): string {
  const r = spawnSync('docker', args, { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

interface Health {
  status: string;
  node: string;
  uws: { native: boolean; release: string; package: string; version: string; detail: string; skipped: string[] };
  engines: Record<string, { available: boolean; reason?: string }>;
  limits: { cpus: number | null; memory_bytes: number | null; cgroup_version: number | null };
}

let service: ChildProcess;
let output = '';
let exited: Promise<number | null>;
let health: Health;

async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch {
      // not yet
    }
    if (Date.now() > end || (service && service.exitCode !== null)) {
      throw new Error(`${service?.exitCode !== null ? `run-constrained exited (status ${service?.exitCode})` : 'timed out'} waiting for ${what}; it said:\n${output.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe(`the image ${IMAGE}, run with --cpus=1 --memory=256m`, () => {
  before(async () => {
    docker('image', 'inspect', IMAGE);
    service = spawn('scripts/run-constrained.sh', [], {
      cwd: ROOT,
      detached: true,
      env: { ...process.env, METHOD: 'docker', CPUS: '1', MEMORY: '256m', HOST: '127.0.0.1', PORT: String(PORT), STATE_FILE: STATE, CONTAINER, DOCKER_SKIP_BUILD: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    service.stdout!.on('data', (d: Buffer) => (output += d));
    service.stderr!.on('data', (d: Buffer) => (output += d));
    exited = new Promise((resolve) => service.on('close', resolve));
    health = await waitFor(
      '/heavy/health/',
      async () => {
        const r = await fetch(`http://127.0.0.1:${PORT}/heavy/health/`);
        return r.ok ? ((await r.json()) as Health) : undefined;
      },
      60_000,
    );
  });

  after(async () => {
    if (service && service.exitCode === null) {
      try {
        process.kill(-service.pid!, 'SIGTERM');
      } catch {
        // gone
      }
      await exited;
    }
    spawnSync('docker', ['rm', '-f', CONTAINER]);
    rmSync(WORK, { recursive: true, force: true });
  });

  test('runtime image: non-root, a HEALTHCHECK, no build tools, small', () => {
    const inspect = (format: string) => docker('image', 'inspect', '-f', format, IMAGE);
    assert.equal(inspect('{{.Config.User}}'), 'node');
    assert.match(inspect('{{json .Config.Healthcheck.Test}}'), /\/heavy\/health\//);
    const bytes = inspect('{{.Size}}');
    const mb = Number(bytes) / 1e6;
    console.log(`# image ${IMAGE}: ${mb.toFixed(0)} MB`);
    assert.ok(mb < MAX_IMAGE_MB, `image is ${mb.toFixed(0)} MB, over ${MAX_IMAGE_MB} MB`);
    const tools = spawnSync(
      'docker',
      [
        'run',
        '--rm',
        '--network',
        'none',
        '--entrypoint',
        'bash',
        IMAGE,
        '-c',
        'for t in npm npx yarn corepack cargo rustc rustup gcc cc g++ make; do command -v $t; done; ls -d /usr/local/lib/node_modules 2>/dev/null; true',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(tools.status, 0, tools.stderr);
    assert.equal(tools.stdout.trim(), '', `build tools in the runtime image:\n${tools.stdout}`);
  });

  test('Docker recorded the limits, and the kernel applies them inside the container', () => {
    assert.equal(docker('inspect', '-f', '{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}', CONTAINER), `1000000000 ${256 * MiB} ${256 * MiB}`);
    // cgroup v2: cpu.max "100000 100000", memory.max; v1: the cfs quota/period and memory limit files.
    const inside = docker(
      'exec',
      CONTAINER,
      'bash',
      '-c',
      [
        'if [ -f /sys/fs/cgroup/cpu.max ]; then echo "v2 $(cat /sys/fs/cgroup/cpu.max) $(cat /sys/fs/cgroup/memory.max) $(cat /sys/fs/cgroup/memory.swap.max)";',
        'else echo "v1 $(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us) $(cat /sys/fs/cgroup/memory/memory.limit_in_bytes) $(cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes 2>/dev/null || echo no-swap-accounting)"; fi',
      ].join(' '),
    );
    console.log(`# read back inside the container: ${inside}`);
    const f = inside.split(' ');
    if (f[0] === 'v2') {
      assert.deepEqual(f.slice(1), ['100000', '100000', String(256 * MiB), '0']);
    } else {
      assert.deepEqual(f.slice(1, 4), ['100000', '100000', String(256 * MiB)]);
      if (f[4] !== 'no-swap-accounting') assert.equal(f[4], String(256 * MiB), 'memory+swap = memory: no swap');
    }
    // The service reads the same files and reports them.
    assert.equal(health.limits.cpus, 1);
    assert.equal(health.limits.memory_bytes, 256 * MiB);
    assert.match(output, /verified by docker inspect: NanoCpus=1000000000/);
  });

  test('Docker reports the container healthy (its HEALTHCHECK probes /heavy/health/)', async () => {
    const status = await waitFor(
      'Docker health status "healthy"',
      async () => {
        const s = docker('inspect', '-f', '{{.State.Health.Status}}', CONTAINER);
        assert.notEqual(s, 'unhealthy', docker('inspect', '-f', '{{json .State.Health}}', CONTAINER));
        return s === 'healthy' ? s : undefined;
      },
      45_000,
    );
    console.log(`# docker inspect health: ${status}`);
  });

  test('Node 24 LTS with the native uWS binary for its ABI', () => {
    const inside = JSON.parse(
      docker('exec', CONTAINER, 'node', '-p', 'JSON.stringify({v: process.version, abi: process.versions.modules, glibc: process.report.getReport().header.glibcVersionRuntime})'),
    ) as { v: string; abi: string; glibc: string };
    console.log(`# inside: Node ${inside.v} (ABI ${inside.abi}), glibc ${inside.glibc}; uWS ${health.uws.package} ${health.uws.version}, ${health.uws.detail}`);
    assert.match(inside.v, /^v24\./);
    assert.equal(health.node, inside.v);
    assert.equal(health.uws.native, true);
    // The newest build loads on trixie's glibc: v20.57, nothing skipped.
    assert.equal(health.uws.release, '20.57');
    assert.equal(health.uws.package, '@btc-vision/uwebsockets.js');
    assert.deepEqual(health.uws.skipped, []);
    assert.equal(health.uws.detail, `uws_linux_x64_${inside.abi}.node`);
    // Only that binary ships, once per build.
    assert.equal(
      docker('exec', CONTAINER, 'bash', '-c', 'cd node_modules && ls uws-*/*.node'),
      `uws-20.51/uws_linux_x64_${inside.abi}.node\nuws-20.57/uws_linux_x64_${inside.abi}.node`,
    );
  });

  test('without its native uWS binary the server refuses to start', () => {
    const r = spawnSync(
      'docker',
      ['run', '--rm', '--network', 'none', '--user', 'root', '--entrypoint', 'bash', IMAGE, '-c', 'rm node_modules/uws-*/uws_*.node && exec node dist/server/main.js'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(r.status, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(
      r.stderr,
      /uWebSockets\.js did not load: no uWS build loads on linux-x64 ABI 137 \(Node v24\.[\d.]+, glibc 2\.41\): uws-20\.57 .*; uws-20\.51 .*refusing to start/,
    );
  });

  test('every engine in both modes gives the known answers (fixtures/vectors.json)', async () => {
    const vectors = JSON.parse(readFileSync(join(ROOT, 'fixtures/vectors.json'), 'utf8')) as {
      primes: { limit: number; count: number }[];
      sha256_chain: { rounds: number; digest: string }[];
    };
    const prime = (l: number) => vectors.primes.find((p) => p.limit === l)!.count;
    const chain = (r: number) => vectors.sha256_chain.find((c) => c.rounds === r)!.digest;
    const engines = Object.keys(health.engines);
    for (const [name, e] of Object.entries(health.engines)) assert.equal(e.available, true, `engine ${name} unavailable in the image: ${e.reason}`);
    assert.ok(engines.includes('native') && engines.includes('wasm') && engines.includes('js'), engines.join(','));
    let n = 0;
    for (const engine of engines) {
      for (const mode of ['inline', 'pool']) {
        for (const [limit, rounds] of [
          [10_000, 1000],
          [100_000, 100_000],
          [500_000, 1_000_000],
        ] as const) {
          const url = `http://127.0.0.1:${PORT}/heavy/cpu-io-no-db/?prime_limit=${limit}&hash_rounds=${rounds}&io_kb=16&impl=${engine}&mode=${mode}`;
          const res = await fetch(url);
          const body = (await res.json()) as { primes_found: number; digest: string };
          assert.equal(res.status, 200, `${url}: ${JSON.stringify(body)}`);
          assert.equal(body.primes_found, prime(limit), url);
          assert.equal(body.digest, chain(rounds), url);
          n++;
        }
      }
    }
    console.log(`# ${n} known-answer requests passed (${engines.join(', ')}; inline and pool)`);
    const hello = await fetch(`http://127.0.0.1:${PORT}/hello`);
    assert.equal(await hello.text(), 'Hello, World!');
  });

  test('stops cleanly: the container removed, throttling counters recorded', async () => {
    process.kill(-service.pid!, 'SIGTERM');
    assert.equal(await exited, 0, output.slice(-2000));
    const state = JSON.parse(readFileSync(STATE, 'utf8')) as { status: string; oom_killed: boolean; throttling: { nr_periods: number } | null };
    assert.equal(state.status, 'stopped');
    assert.equal(state.oom_killed, false);
    assert.ok(state.throttling && state.throttling.nr_periods > 0, JSON.stringify(state));
    assert.equal(spawnSync('docker', ['inspect', CONTAINER]).status, 1, 'the container is gone');
  });
});
