import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { cpuStatSummary, killedForMemory, parseCpuStat, readMemoryStat } from './cgroup.js';
import { parseOptions, runningState, stoppedState } from './constrained-state.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-cgroup-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const V1_CPU = 'nr_periods 10\nnr_throttled 3\nthrottled_time 4000000\n';
const V2_CPU = 'usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\nnr_periods 40\nnr_throttled 10\nthrottled_usec 1234567\n';

test('cpu.stat: v1 counts nanoseconds, v2 microseconds; one summary line', () => {
  assert.deepEqual(parseCpuStat(V1_CPU), { nrPeriods: 10, nrThrottled: 3, throttledMs: 4, usageMs: null });
  const v2 = parseCpuStat(V2_CPU);
  assert.deepEqual(v2, { nrPeriods: 40, nrThrottled: 10, throttledMs: 1234.567, usageMs: 2500 });
  assert.equal(cpuStatSummary(parseCpuStat(V1_CPU)), 'nr_periods=10 nr_throttled=3 throttled_ms=4 throttled_share=30.0%');
  assert.equal(cpuStatSummary(v2), 'nr_periods=40 nr_throttled=10 throttled_ms=1235 throttled_share=25.0% cpu_usage_ms=2500');
  assert.equal(cpuStatSummary(parseCpuStat('')), 'nr_periods=0 nr_throttled=0 throttled_ms=0');
});

test('memory: v2 memory.events + memory.peak, v1 oom_control + failcnt; OOM from the kernel count or, without one, a SIGKILL at the limit', () => {
  const v2 = join(dir, 'v2');
  const v1 = join(dir, 'v1');
  const old = join(dir, 'old');
  for (const d of [v2, v1, old]) spawnSync('mkdir', ['-p', d]);
  writeFileSync(join(v2, 'memory.events'), 'low 0\nhigh 0\nmax 7\noom 1\noom_kill 1\n');
  writeFileSync(join(v2, 'memory.peak'), '268435456\n');
  writeFileSync(join(v1, 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 0\n');
  writeFileSync(join(v1, 'memory.failcnt'), '2\n');
  writeFileSync(join(v1, 'memory.max_usage_in_bytes'), '104857600\n');
  writeFileSync(join(old, 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\n');
  writeFileSync(join(old, 'memory.failcnt'), '9\n');
  writeFileSync(join(old, 'memory.max_usage_in_bytes'), String(256 * 2 ** 20 - 4096));
  assert.deepEqual(readMemoryStat(v2), { oomKills: 1, peakBytes: 268435456, atLimit: 7 });
  assert.deepEqual(readMemoryStat(v1), { oomKills: 0, peakBytes: 104857600, atLimit: 2 });
  assert.deepEqual(readMemoryStat(old), { oomKills: null, peakBytes: 256 * 2 ** 20 - 4096, atLimit: 9 });
  assert.equal(readMemoryStat(join(dir, 'absent')), null);
  const limit = 256 * 2 ** 20;
  assert.equal(killedForMemory(readMemoryStat(v2), 0, limit), true);
  assert.equal(killedForMemory(readMemoryStat(v1), 137, limit), false, 'a kernel that counts OOM kills and counted none');
  assert.equal(killedForMemory(readMemoryStat(old), 137, limit), true, 'no count: SIGKILL with the peak at the limit');
  assert.equal(killedForMemory(readMemoryStat(old), 0, limit), false);
});

test('state file: running, then stopped with the counters, in the shape its readers expect', () => {
  writeFileSync(join(dir, 'cpu.stat'), V1_CPU);
  spawnSync('mkdir', ['-p', join(dir, 'mem')]);
  writeFileSync(join(dir, 'mem', 'memory.oom_control'), 'oom_kill 0\n');
  writeFileSync(join(dir, 'mem', 'memory.failcnt'), '0\n');
  writeFileSync(join(dir, 'mem', 'memory.max_usage_in_bytes'), String(80 * 2 ** 20));
  const common = ['--cpu-stat', join(dir, 'cpu.stat'), '--memory-dir', join(dir, 'mem')];
  const running = runningState(parseOptions(['--method', 'cgroup-v1', '--url', 'http://127.0.0.1:8000', '--pid', '42', '--cpus', '1', '--quota-us', '100000', '--period-us', '100000', '--memory-bytes', String(256 * 2 ** 20), '--heap-mb', '160', '--cgroup-version', '1', ...common]), new Date('2026-11-30T10:00:00.123Z'));
  assert.deepEqual(running, {
    status: 'running',
    method: 'cgroup-v1',
    started_at: '2026-11-30T10:00:00Z',
    url: 'http://127.0.0.1:8000',
    pid: 42,
    limits: { cpus: 1, cpu_quota_us: 100000, cpu_period_us: 100000, memory_bytes: 268435456, swap_bytes: 0, heap_mb: 160 },
    cgroup: { version: 1, cpu_stat: join(dir, 'cpu.stat'), memory_dir: join(dir, 'mem') },
  });
  const { state, lines, oom } = stoppedState(running, parseOptions(['--exit-status', '0', ...common]));
  assert.equal(oom, false);
  assert.deepEqual(lines, ['cpu.stat: nr_periods=10 nr_throttled=3 throttled_ms=4 throttled_share=30.0%', 'memory: peak=80 MiB of 256 MiB, times at the limit=0, oom_kills=0']);
  assert.equal(state['status'], 'stopped');
  assert.equal(state['pid'], 42);
  assert.deepEqual(state['throttling'], { nr_periods: 10, nr_throttled: 3, throttled_ms: 4 });
  assert.equal(state['memory_peak_bytes'], 80 * 2 ** 20);
  assert.equal(state['oom_killed'], false);
  assert.throws(() => runningState(parseOptions(['--method', 'x'])), /--url is required/);
  assert.throws(() => parseOptions(['--pid']), /--pid needs a value/);
  assert.throws(() => runningState(parseOptions(['--method', 'x', '--url', 'u', '--cpus', 'one'])), /--cpus must be a number/);
});

test('the CLI, as the shell calls it: writes the file, prints the counters and the OOM verdict', () => {
  const cli = fileURLToPath(new URL('./constrained-state.js', import.meta.url));
  const file = join(dir, 'state', 'constrained.json');
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  let r = run('running', file, '--method', 'docker', '--url', 'http://127.0.0.1:8000', '--cpus', '0.5', '--quota-us', '50000', '--period-us', '100000', '--memory-bytes', '1000', '--heap-mb', '160', '--container', 'c1', '--image', 'img');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).container, 'c1');
  r = run('stopped', file, '--exit-status', '137', '--container', 'c1', '--oom-killed');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'oom\n');
  assert.match(r.stderr, /cpu\.stat: unknown \(the container was gone/);
  const s = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(s.status, 'stopped');
  assert.equal(s.oom_killed, true);
  assert.equal(s.throttling, null);
  assert.equal(run('bogus').status, 2);
});
