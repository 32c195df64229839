/**
 * End to end on this machine: the service under `make run-constrained`, its limits seen from inside
 * and read back from the kernel, real vegeta runs against it (an attack, the seed's smoke), the memory cap holding (or the
 * kill reported), and the refusals. Needs what run-constrained needs (root or a writable cgroup, or a
 * Docker engine) and the load tools: `make test-constrained` builds and installs them first.
 * Every request goes to 127.0.0.1, bounded in rate and time.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
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
const TOOLS = join(ROOT, '.tools/bin');
const MiB = 1024 * 1024;
const WORK = mkdtempSync(join(tmpdir(), 'lab-constrained-'));
after(() => rmSync(WORK, { recursive: true, force: true }));

/** A port nobody listens on now, so a developer's own service on 8000 is left alone. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

interface Run {
  code: number | null;
  output: string;
}

/** Runs a command to its end (bounded by `timeoutMs`), stdout and stderr together; an undefined value unsets a variable. */
function run(cmd: string, args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 120_000): Promise<Run> {
  const fullEnv: Record<string, string | undefined> = { ...process.env, PATH: `${TOOLS}:${process.env.PATH}`, ...env };
  for (const [k, v] of Object.entries(fullEnv)) if (v === undefined) delete fullEnv[k];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** A constrained service started in its own process group, with its output collected. */
class Service {
  readonly child: ChildProcess;
  output = '';
  readonly exited: Promise<number | null>;
  constructor(
    readonly port: number,
    readonly stateFile: string,
    cmd: string[],
    env: Record<string, string> = {},
  ) {
    this.child = spawn(cmd[0]!, cmd.slice(1), {
      cwd: ROOT,
      detached: true,
      env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), STATE_FILE: stateFile, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (d: Buffer) => (this.output += d));
    this.child.stderr!.on('data', (d: Buffer) => (this.output += d));
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve(code)));
  }
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  async healthy(timeoutMs = 120_000): Promise<Health> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    while (Date.now() < deadline && !exited) {
      try {
        const r = await fetch(`${this.url}/heavy/health/`);
        if (r.ok) return (await r.json()) as Health;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`no health answer from ${this.url}; output:\n${this.output}`);
  }
  /** SIGTERM to the whole group, as Ctrl-C would, then the exit status. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      try {
        process.kill(-this.child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    return this.exited;
  }
  state(): State {
    return JSON.parse(readFileSync(this.stateFile, 'utf8')) as State;
  }
}

interface Health {
  pid: number;
  engines: Record<string, { available: boolean }>;
  caps: { prime_limit: number; hash_rounds: number; io_kb: number };
  limits: { cpus: number | null; memory_bytes: number | null };
}
interface State {
  status: 'running' | 'stopped';
  method: string;
  pid: number;
  limits: { cpus: number; memory_bytes: number; heap_mb: number };
  cgroup?: { version: number; cpu_stat: string; memory_dir: string };
  container?: string;
  oom_killed?: boolean;
  exit_status?: number;
  throttling?: { nr_periods: number; nr_throttled: number; throttled_ms: number } | null;
}

test('make run-constrained builds, then runs scripts/run-constrained.sh with CPUS=1 MEMORY=256m', async () => {
  const dry = await run('make', ['-n', '--no-print-directory', 'run-constrained'], { CPUS: undefined, MEMORY: undefined, METHOD: undefined });
  assert.equal(dry.code, 0, dry.output);
  // `env` (and, for METHOD=docker, the engine script) may stand before it.
  assert.match(dry.output, /^\s*(env )?CPUS=1 MEMORY=256m scripts\/run-constrained\.sh$/m);
});

// The script itself, as the target runs it: `make test-constrained` has just built everything, and a
// second build here would only cost time.
describe('the service under run-constrained (CPUS=1 MEMORY=256m)', () => {
  let svc: Service;
  let health: Health;
  let running: State;

  before(async () => {
    svc = new Service(await freePort(), join(WORK, 'service.json'), ['scripts/run-constrained.sh'], { CPUS: '1', MEMORY: '256m' });
    health = await svc.healthy();
    running = svc.state();
  });
  after(async () => {
    await svc.stop();
  });

  test('its health reports 1 CPU and 256 MB from inside', () => {
    assert.equal(health.limits.cpus, 1);
    assert.equal(health.limits.memory_bytes, 256 * MiB);
    assert.match(svc.output, /run-constrained: method: /);
    assert.match(svc.output, /run-constrained: verified /);
  });

  test('the kernel holds those limits for the very process that answers', (t) => {
    if (running.container) return t.skip('docker method: the script checks the limits by docker inspect');
    assert.equal(running.status, 'running');
    assert.equal(running.pid, health.pid, 'the state file names the process that answers');
    assert.ok(running.cgroup, `state has no cgroup: ${JSON.stringify(running)}`);
    const cg = running.cgroup;
    const cpuDir = dirname(cg.cpu_stat);
    const procs = (dir: string) => readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').map(Number);
    assert.ok(procs(cpuDir).includes(health.pid));
    assert.ok(procs(cg.memory_dir).includes(health.pid));
    if (cg.version === 2) {
      assert.equal(readFileSync(join(cpuDir, 'cpu.max'), 'utf8').trim(), '100000 100000');
      assert.equal(Number(readFileSync(join(cg.memory_dir, 'memory.max'), 'utf8')), 256 * MiB);
    } else {
      assert.equal(Number(readFileSync(join(cpuDir, 'cpu.cfs_quota_us'), 'utf8')), 100_000);
      assert.equal(Number(readFileSync(join(cpuDir, 'cpu.cfs_period_us'), 'utf8')), 100_000);
      assert.equal(Number(readFileSync(join(cg.memory_dir, 'memory.limit_in_bytes'), 'utf8')), 256 * MiB);
    }
  });

  test('the heap cap is the one the Dockerfile bakes in for 256 MB', () => {
    assert.equal(running.limits.heap_mb, 160);
    assert.match(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'), /NODE_OPTIONS=--max-old-space-size=160\b/);
  });

  test("the Dockerfile's HEALTHCHECK command passes against it", async () => {
    const line = /^HEALTHCHECK .*\\\n\s*CMD (\[.*\])$/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
    assert.ok(line, 'HEALTHCHECK ... CMD [json] not found');
    const [cmd, ...args] = JSON.parse(line[1]!) as string[];
    const ok = await run(cmd!, args, { PORT: String(svc.port) }, 10_000);
    assert.equal(ok.code, 0, ok.output);
  });

  test('vegeta: GET /hello at 1000 req/s for 5 s, every answer 200', async () => {
    const out = join(WORK, 'vegeta');
    const r = await run('loadtests/vegeta/attack.sh', ['hello'], { PORT: String(svc.port), RATE: '1000', DURATION: '5s', OUT: out, MIN_SUCCESS: '1', STATE_FILE: svc.stateFile });
    assert.equal(r.code, 0, r.output);
    const report = JSON.parse(readFileSync(join(out, 'hello-1000/report.json'), 'utf8')) as { success: number; requests: number; status_codes: Record<string, number> };
    assert.equal(report.success, 1);
    assert.equal(report.requests, 5000);
    assert.deepEqual(report.status_codes, { '200': 5000 });
    assert.ok(existsSync(join(out, 'hello-1000/results.bin')), 'raw results kept');
    assert.equal((JSON.parse(readFileSync(join(out, 'hello-1000/constrained.json'), 'utf8')) as State).limits.memory_bytes, 256 * MiB, 'the report folder records the limits');
  });

  // The seed's smoke as `make smoke` runs it (loadtests/run.ts on vegeta), shortened, with the seed's
  // lighter workload: the smoke is about answers, not capacity.
  const light = { PRIME_LIMIT: '100000', HASH_ROUNDS: '200000', IO_KB: '64' };
  test("the seed's smoke on vegeta, shortened to 8 s, passes its thresholds from the kept raw results", async () => {
    const out = join(WORK, 'smoke');
    const r = await run('node', ['dist/loadtests/run.js', 'smoke'], {
      PORT: String(svc.port),
      HOST: '127.0.0.1',
      BASE_URL: undefined,
      DURATION: '8s',
      IMPL: 'native',
      MODE: 'pool',
      VUS: undefined,
      THINK: undefined,
      OUT: out,
      ...light,
    });
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /service limits: cpus=1 memory=256 MiB/);
    assert.match(r.output, /ok {4}P99 latency +[0-9.]+ ms +\(must be < 6000 ms\)/);
    assert.match(r.output, /verdict: PASS: all 7 thresholds met/);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { passed: boolean; overall: { requests: number; ok: number } };
    assert.equal(summary.passed, true);
    // 10 VUs, 1 s think time, 8 s: about 80 requests, every one a right answer.
    assert.ok(summary.overall.requests >= 40, `only ${summary.overall.requests} requests`);
    assert.equal(summary.overall.ok, summary.overall.requests);
    assert.ok(existsSync(join(out, 'slice-000.bin')), 'raw results kept');
    // The verdict is rebuilt from the kept results alone.
    const again = await run('node', ['dist/loadtests/run.js', 'verdict', out]);
    assert.equal(again.code, 0, again.output);
    assert.match(again.output, /verdict: PASS/);
  });

  // One slot and QUEUE_MAX=4 hold 5 VUs; the other 27 are shed (503) once per inline job at the
  // least, so even a slow machine (6 jobs in 4 s) counts well over the seed's 50. With 12 VUs, a
  // busy CI machine once counted 44.
  test('back to back past the admission queue, the same smoke fails on throttling with exit status 1 and says so', async () => {
    const out = join(WORK, 'smoke-throttled');
    const r = await run('node', ['dist/loadtests/run.js', 'smoke'], {
      PORT: String(svc.port),
      HOST: '127.0.0.1',
      BASE_URL: undefined,
      DURATION: '4s',
      THINK: '0',
      VUS: '32',
      IMPL: 'js',
      MODE: 'inline',
      OUT: out,
      ...light,
    });
    assert.equal(r.code, 1, r.output);
    assert.match(r.output, /FAIL {2}throttled \(429\/503\) +[0-9]+ +\(must be < 50\)/);
    assert.match(r.output, /verdict: FAIL: [0-9] of 7 thresholds missed \([^)]*throttled/);
  });

  test('a request beyond the caps is refused, the largest allowed one is answered, and the service stays up', async () => {
    const heavy = (q: string) => fetch(`${svc.url}/heavy/cpu-io-no-db/?${q}`);
    const tooBig = await heavy('prime_limit=2000000000&io_kb=1048576');
    assert.equal(tooBig.status, 400);
    const { prime_limit, io_kb } = health.caps;
    for (const impl of Object.keys(health.engines).filter((e) => health.engines[e]!.available)) {
      const r = await heavy(`prime_limit=${prime_limit}&hash_rounds=1&io_kb=${io_kb}&impl=${impl}`);
      assert.equal(r.status, 200, `${impl} at the caps: ${await r.text()}`);
    }
    assert.equal((await fetch(`${svc.url}/hello`)).status, 200);
    assert.doesNotMatch(svc.output, /KILLED FOR MEMORY/);
  });

  test('on stop it reports the throttling counters and memory, and removes its cgroup', async () => {
    const code = await svc.stop();
    assert.equal(code, 0, svc.output);
    assert.match(svc.output, /cpu\.stat: nr_periods=[0-9]+ nr_throttled=[0-9]+ throttled_ms=[0-9]+/);
    const stopped = svc.state();
    assert.equal(stopped.status, 'stopped');
    assert.equal(stopped.oom_killed, false);
    assert.ok(stopped.throttling && stopped.throttling.nr_periods > 0, JSON.stringify(stopped));
    if (running.cgroup) {
      assert.equal(existsSync(dirname(running.cgroup.cpu_stat)), false, 'cpu cgroup removed');
      assert.equal(existsSync(running.cgroup.memory_dir), false, 'memory cgroup removed');
    }
  });
});

describe('the memory cap, when a request is let past it', () => {
  test('with the I/O cap lifted, a 1 GiB request gets the service OOM-killed, and the kill is reported', async () => {
    const svc = new Service(await freePort(), join(WORK, 'oom.json'), ['scripts/run-constrained.sh'], { METHOD: 'cgroup', MAX_IO_KB: '1048576' });
    await svc.healthy();
    await fetch(`${svc.url}/heavy/cpu-io-no-db/?prime_limit=10&hash_rounds=1&io_kb=1048576`).catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([svc.exited, new Promise((r) => (timer = setTimeout(r, 60_000, 'still running')))]);
    clearTimeout(timer);
    if (code === 'still running') await svc.stop();
    assert.equal(code, 137, svc.output);
    assert.match(svc.output, /KILLED FOR MEMORY: the kernel's OOM killer ended the process at the 256 MiB limit/);
    const state = svc.state();
    assert.equal(state.oom_killed, true);
    assert.equal(state.status, 'stopped');
  });
});

describe('scripts/run-constrained.sh with a command of its own', () => {
  const script = 'scripts/run-constrained.sh';

  test('CPUS=0.5 really halves the CPU: a 2 s busy loop gets at most about 1 s and is throttled', async () => {
    const state = join(WORK, 'cpu.json');
    const r = await run(script, ['--', process.execPath, '-e', 'const t = Date.now(); while (Date.now() - t < 2000); console.log("cpu_ms", process.cpuUsage().user / 1000)'], {
      METHOD: 'cgroup',
      CPUS: '0.5',
      MEMORY: '64m',
      STATE_FILE: state,
    });
    assert.equal(r.code, 0, r.output);
    const cpuMs = Number(/cpu_ms ([0-9.]+)/.exec(r.output)?.[1]);
    // The cap is the upper bound; a busy machine may give the loop less than its quota, never more.
    assert.ok(cpuMs > 300 && cpuMs < 1300, `CPU time ${cpuMs} ms in 2 s of wall time at 0.5 CPU`);
    const s = JSON.parse(readFileSync(state, 'utf8')) as State;
    assert.ok(s.throttling!.nr_throttled > 2, JSON.stringify(s.throttling));
  });

  test('a command that outgrows MEMORY is killed by the kernel, and the script says so', async () => {
    const r = await run(script, ['--', process.execPath, '-e', 'const keep = []; for (;;) keep.push(Buffer.alloc(8 << 20, 1));'], {
      METHOD: 'cgroup',
      MEMORY: '64m',
      STATE_FILE: join(WORK, 'hog.json'),
    });
    assert.equal(r.code, 137, r.output);
    assert.match(r.output, /KILLED FOR MEMORY/);
    assert.match(r.output, /oom_kills=1/);
  });

  test('a method that cannot work here is refused with the reason, not run unconstrained', async () => {
    const docker = await run('docker', ['info'], {}, 15_000).catch(() => ({ code: 127, output: '' }));
    if (docker.code === 0) return; // a working engine: METHOD=docker would succeed, nothing to refuse
    const r = await run(script, ['--', 'true'], { METHOD: 'docker', STATE_FILE: join(WORK, 'refused.json') });
    assert.equal(r.code, 2);
    assert.match(r.output, /METHOD=docker: docker: (no docker command|the CLI is there but no engine answers)/);
  });

  test('with no method available (no engine, no writable cgroup, no systemd) it refuses and says why', async (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root, to run the script as the unprivileged user nobody');
    const docker = await run('docker', ['info'], {}, 15_000).catch(() => ({ code: 127, output: '' }));
    if (docker.code === 0) return t.skip('a working Docker engine: auto would use it');
    if (existsSync('/run/systemd/system')) return t.skip('systemd runs here: auto would use systemd-run');
    const r = await run('su', ['nobody', '-s', '/bin/bash', '-c', `cd '${ROOT}' && STATE_FILE=/dev/null scripts/run-constrained.sh -- true`]);
    assert.equal(r.code, 2, r.output);
    // A command after -- never runs in Docker, so docker is not among the reasons then.
    assert.match(r.output, /no way to apply the limits here:\n(run-constrained: {3}- .*\n){2,3}/);
    assert.match(r.output, /- cgroup v[12]: cannot .*: Permission denied/);
    assert.match(r.output, /refusing to run without them\..*METHOD=unconstrained/);
  });

  test('METHOD=unconstrained runs, loudly labelled, and the state file says so', async () => {
    const state = join(WORK, 'unconstrained.json');
    const r = await run(script, ['--', 'true'], { METHOD: 'unconstrained', STATE_FILE: state });
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /UNCONSTRAINED: no CPU or memory limit is applied/);
    const s = JSON.parse(readFileSync(state, 'utf8')) as State & { unconstrained?: boolean };
    assert.equal(s.method, 'unconstrained');
    assert.equal(s.unconstrained, true);
  });

  test('bad limits are refused before anything starts', async () => {
    for (const [env, message] of [
      [{ MEMORY: '256 MB' }, /MEMORY must look like 256m/],
      [{ CPUS: '-1' }, /CPUS must be a positive decimal/],
      [{ METHOD: 'vm' }, /METHOD must be auto, docker, cgroup, systemd or unconstrained/],
    ] as const) {
      const r = await run(script, ['--', 'true'], { ...env, STATE_FILE: join(WORK, 'bad.json') });
      assert.equal(r.code, 2, r.output);
      assert.match(r.output, message);
    }
  });
});

describe('the docker method, against a stand-in docker CLI (no engine runs here)', () => {
  /** A PATH whose `docker` is loadtests/fixtures/fake-docker.sh, recording into `dir`. */
  function fakeDocker(name: string): { dir: string; env: Record<string, string> } {
    const dir = join(WORK, name);
    mkdirSync(join(dir, 'bin'), { recursive: true });
    symlinkSync(join(ROOT, 'loadtests/fixtures/fake-docker.sh'), join(dir, 'bin/docker'));
    return { dir, env: { PATH: `${join(dir, 'bin')}:${process.env.PATH}`, FAKE_DOCKER_DIR: dir, METHOD: 'auto' } };
  }
  const calls = (dir: string) => readFileSync(join(dir, 'calls'), 'utf8').split('\n');

  test('auto picks a working engine: build, run with --cpus, --memory and equal --memory-swap, verify, stop, remove', async () => {
    const { dir, env } = fakeDocker('docker-ok');
    const svc = new Service(await freePort(), join(dir, 'state.json'), ['scripts/run-constrained.sh'], env);
    await svc.healthy();
    const args = readFileSync(join(dir, 'run.args'), 'utf8');
    const lines = args.split('\n');
    const pairs = lines.flatMap((a, i) => (a.startsWith('-') && lines[i + 1] ? [`${a} ${lines[i + 1]}`] : []));
    for (const want of ['--cpus 1', `--memory ${256 * MiB}`, `--memory-swap ${256 * MiB}`, `-e PORT=${svc.port}`, '--network host', '-e NODE_OPTIONS=--max-old-space-size=160']) {
      assert.ok(pairs.includes(want), `docker run lacks "${want}": ${args}`);
    }
    assert.ok(args.split('\n').includes('--init'));
    assert.match(svc.output, /method: docker \(engine 99\.0\.0-fake\)/);
    assert.match(svc.output, new RegExp(`verified by docker inspect: NanoCpus=1000000000 Memory=${256 * MiB} MemorySwap=${256 * MiB}`));
    assert.equal(svc.state().container, `backend-bottleneck-lab-${svc.port}`);
    // The probe's health line may come just after the port answers.
    for (let i = 0; i < 50 && !/health from inside: cpus=/.test(svc.output); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(svc.output, /health from inside: cpus=/);
    assert.equal(await svc.stop(), 0, svc.output);
    assert.match(svc.output, /cpu\.stat: nr_periods=10 nr_throttled=3 throttled_ms=4/);
    const made = calls(dir);
    assert.ok(
      made.some((c) => /^build --network host .*--build-arg NODE_IMAGE=lab-base\/node:.* -t backend-bottleneck-lab \.$/.test(c)),
      made.join('\n'),
    );
    assert.ok(made.some((c) => c.startsWith('stop ')));
    assert.ok(
      made.some((c) => c.startsWith('rm ')),
      'the container is removed',
    );
    const state = svc.state();
    assert.equal(state.status, 'stopped');
    assert.deepEqual(state.throttling, { nr_periods: 10, nr_throttled: 3, throttled_ms: 4 });
  });

  test('an engine that drops the limits is caught by docker inspect, and its container removed', async () => {
    const { dir, env } = fakeDocker('docker-drops');
    const r = await run('scripts/run-constrained.sh', [], { ...env, PORT: String(await freePort()), FAKE_DOCKER_IGNORE_LIMITS: '1', STATE_FILE: join(dir, 'state.json') });
    assert.equal(r.code, 2, r.output);
    assert.match(r.output, /docker did not apply the limits \(NanoCpus=0 Memory=0 MemorySwap=0/);
    assert.ok(
      calls(dir).some((c) => c.startsWith('rm -f ')),
      'the container is removed',
    );
  });
});

describe('the systemd method, against a stand-in systemd-run that makes real cgroup v1 scopes', () => {
  function fakeSystemd(name: string): { dir: string; env: Record<string, string>; cleanup(): void } {
    const dir = join(WORK, name);
    mkdirSync(join(dir, 'bin'), { recursive: true });
    symlinkSync(join(ROOT, 'loadtests/fixtures/fake-systemd-run.sh'), join(dir, 'bin/systemd-run'));
    return {
      dir,
      env: { PATH: `${join(dir, 'bin')}:${process.env.PATH}`, FAKE_SYSTEMD_DIR: dir, METHOD: 'systemd', STATE_FILE: join(dir, 'state.json') },
      cleanup() {
        const scopes = existsSync(join(dir, 'scopes')) ? readFileSync(join(dir, 'scopes'), 'utf8').split(/\s+/).filter(Boolean) : [];
        for (const s of scopes) if (existsSync(s)) rmdirSync(s);
      },
    };
  }
  // The stand-in writes v1 files; a v2 host would need a real systemd.
  const v1 = existsSync('/sys/fs/cgroup/cpu/cpu.cfs_quota_us') && existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes');

  test('CPUQuota and MemoryMax are passed, read back from the kernel, and the counters survive the exit', {
    skip: v1 ? false : 'needs a cgroup v1 cpu and memory hierarchy',
  }, async () => {
    const fake = fakeSystemd('systemd-cpu');
    try {
      const r = await run('scripts/run-constrained.sh', ['--', process.execPath, '-e', 'const t = Date.now(); while (Date.now() - t < 1500);'], {
        ...fake.env,
        CPUS: '0.5',
        MEMORY: '64m',
      });
      assert.equal(r.code, 0, r.output);
      assert.match(readFileSync(join(fake.dir, 'calls'), 'utf8'), /--scope .*-p CPUQuota=50% -p MemoryMax=67108864 -p MemorySwapMax=0 -- /);
      assert.match(r.output, /method: systemd-run --scope/);
      assert.match(r.output, /verified in the kernel for pid [0-9]+: quota\/period\/memory = 50000 100000 67108864/);
      const throttled = Number(/nr_throttled=([0-9]+)/.exec(r.output)?.[1]);
      assert.ok(throttled > 3, r.output);
    } finally {
      fake.cleanup();
    }
  });

  test('an OOM kill inside the scope is reported', { skip: v1 ? false : 'needs a cgroup v1 cpu and memory hierarchy' }, async () => {
    const fake = fakeSystemd('systemd-oom');
    try {
      const r = await run('scripts/run-constrained.sh', ['--', process.execPath, '-e', 'const keep = []; for (;;) keep.push(Buffer.alloc(8 << 20, 1));'], {
        ...fake.env,
        MEMORY: '64m',
      });
      assert.equal(r.code, 137, r.output);
      assert.match(r.output, /KILLED FOR MEMORY/);
    } finally {
      fake.cleanup();
    }
  });
});
