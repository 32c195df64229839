import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import {
  cgroupDir,
  counterFiles,
  cpuStatSummary,
  findCgroups,
  killedForMemory,
  limitsHeld,
  pageSize,
  parseCpuStat,
  parseMountinfo,
  readHeldLimits,
  readMemoryStat,
  swapNote,
} from './cgroup.js';
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
  const running = runningState(
    parseOptions([
      '--method',
      'cgroup-v1',
      '--url',
      'http://127.0.0.1:8000',
      '--pid',
      '42',
      '--cpus',
      '1',
      '--quota-us',
      '100000',
      '--period-us',
      '100000',
      '--memory-bytes',
      String(256 * 2 ** 20),
      '--heap-mb',
      '160',
      '--cgroup-version',
      '1',
      ...common,
    ]),
    new Date('2026-11-30T10:00:00.123Z'),
  );
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
  let r = run(
    'running',
    file,
    '--method',
    'docker',
    '--url',
    'http://127.0.0.1:8000',
    '--cpus',
    '0.5',
    '--quota-us',
    '50000',
    '--period-us',
    '100000',
    '--memory-bytes',
    '1000',
    '--heap-mb',
    '160',
    '--container',
    'c1',
    '--image',
    'img',
  );
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

// Real mountinfo shapes: a cgroup v1 host (this CI machine's, trimmed), a pure v2 host, a hybrid
// host (v1 controllers plus an empty v2 tree), and a container whose mounts are sub-trees.
const MOUNTINFO_V1 = `22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
`;
const CGROUP_V1 = '9:name=systemd:/\n4:memory:/process_api/abc\n2:cpuacct:/\n1:cpu:/\n0::/\n';
const MOUNTINFO_V2 = `25 30 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
`;
const MOUNTINFO_HYBRID = `25 24 0:22 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:5 - cgroup2 cgroup2 rw,nsdelegate
26 24 0:23 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:9 - cgroup cgroup rw,cpu,cpuacct
27 24 0:24 / /sys/fs/cgroup/memory rw,nosuid shared:10 - cgroup cgroup rw,memory
`;
const CGROUP_HYBRID = '12:memory:/user.slice\n4:cpu,cpuacct:/user.slice\n0::/user.slice/session-1.scope\n';

test('mountinfo: only cgroup mounts, optional fields skipped, octal escapes decoded', () => {
  assert.deepEqual(parseMountinfo(MOUNTINFO_V2), [{ fsType: 'cgroup2', root: '/', mountPoint: '/sys/fs/cgroup', options: ['rw', 'nsdelegate', 'memory_recursiveprot'] }]);
  assert.deepEqual(
    parseMountinfo(MOUNTINFO_V1).map((m) => [m.fsType, m.mountPoint, m.options.join(',')]),
    [
      ['cgroup', '/sys/fs/cgroup/cpu', 'rw,cpu'],
      ['cgroup', '/sys/fs/cgroup/cpuacct', 'rw,cpuacct'],
      ['cgroup', '/sys/fs/cgroup/memory', 'rw,memory'],
      ['cgroup', '/sys/fs/cgroup/systemd', 'rw,name=systemd'],
    ],
  );
  assert.equal(parseMountinfo('50 1 0:40 /a\\040b /mnt/c\\040g rw - cgroup2 none rw\n')[0]?.mountPoint, '/mnt/c g');
  assert.deepEqual(parseMountinfo('garbage\n\n'), []);
});

test('the cgroup path under a mount: the mount point plus the path, less a sub-tree root', () => {
  assert.equal(cgroupDir({ root: '/', mountPoint: '/sys/fs/cgroup' }, '/'), '/sys/fs/cgroup');
  assert.equal(cgroupDir({ root: '/', mountPoint: '/sys/fs/cgroup/' }, '/a/b'), '/sys/fs/cgroup/a/b');
  assert.equal(cgroupDir({ root: '/docker/123', mountPoint: '/sys/fs/cgroup' }, '/docker/123/child'), '/sys/fs/cgroup/child');
  assert.equal(cgroupDir({ root: '/docker/123', mountPoint: '/sys/fs/cgroup' }, '/elsewhere'), '/sys/fs/cgroup/elsewhere');
});

test("finding the cgroups: v2 with cpu+memory, v1 per controller, the hybrid host's empty v2 tree passed over", () => {
  const controllers = (byMount: Record<string, string>) => (mnt: string) => byMount[mnt] ?? null;
  assert.deepEqual(findCgroups(parseMountinfo(MOUNTINFO_V2), '0::/user.slice/lab\n', controllers({ '/sys/fs/cgroup': 'cpuset cpu io memory pids\n' })), {
    version: 2,
    dir: '/sys/fs/cgroup/user.slice/lab',
  });
  assert.deepEqual(findCgroups(parseMountinfo(MOUNTINFO_V1), CGROUP_V1, controllers({})), {
    version: 1,
    cpuDir: '/sys/fs/cgroup/cpu',
    memoryDir: '/sys/fs/cgroup/memory/process_api/abc',
  });
  assert.deepEqual(findCgroups(parseMountinfo(MOUNTINFO_HYBRID), CGROUP_HYBRID, controllers({ '/sys/fs/cgroup/unified': '' })), {
    version: 1,
    cpuDir: '/sys/fs/cgroup/cpu,cpuacct/user.slice',
    memoryDir: '/sys/fs/cgroup/memory/user.slice',
  });
  // v2 without the memory controller delegated, and no v1 memory hierarchy: nothing usable.
  assert.equal(findCgroups(parseMountinfo(MOUNTINFO_V2), '0::/\n', controllers({ '/sys/fs/cgroup': 'cpu pids' })), null);
  assert.equal(findCgroups(parseMountinfo(MOUNTINFO_V1), '1:cpu:/\n', controllers({})), null, 'no memory path');
  assert.deepEqual(counterFiles({ version: 2, dir: '/cg/x' }), { cpuStat: '/cg/x/cpu.stat', memoryDir: '/cg/x' });
  assert.deepEqual(counterFiles({ version: 1, cpuDir: '/c', memoryDir: '/m' }), { cpuStat: '/c/cpu.stat', memoryDir: '/m' });
});

test('the limits the kernel holds, read back and compared; memory rounds down to whole pages', () => {
  const files: Record<string, string> = {
    '/cg/cpu.max': '50000 100000\n',
    '/cg/memory.max': '268435456\n',
    '/c/cpu.cfs_quota_us': '-1\n',
    '/c/cpu.cfs_period_us': '100000\n',
    '/m/memory.limit_in_bytes': '268431360\n',
  };
  const read = (f: string) => files[f] ?? assert.fail(`read ${f}`);
  const v2 = readHeldLimits({ version: 2, dir: '/cg' }, read);
  assert.deepEqual(v2, { quota: '50000', period: '100000', memory: '268435456' });
  const want = { quotaUs: 50000, periodUs: 100000, memoryBytes: 256 * 2 ** 20 };
  assert.equal(limitsHeld(v2, want, 4096), true);
  const v1 = readHeldLimits({ version: 1, cpuDir: '/c', memoryDir: '/m' }, read);
  assert.deepEqual(v1, { quota: '-1', period: '100000', memory: '268431360' });
  assert.equal(limitsHeld(v1, want, 4096), false, 'no quota');
  // Asked 268435000 (not page-aligned): the kernel holds 268431360, the page boundary below.
  const unaligned = { ...want, memoryBytes: 268435000 };
  assert.equal(limitsHeld({ ...v1, quota: '50000' }, unaligned, 4096), true, 'rounded down to the page');
  assert.equal(limitsHeld({ ...v1, quota: '50000' }, want, 4096), false, 'a whole page under an aligned ask is another limit');
  assert.equal(limitsHeld({ ...v2, memory: 'max' }, want, 4096), false);
  assert.ok(pageSize() >= 4096);
});

test('swap: capped at zero (v2 swap.max, v1 memsw equal to the limit), none on the machine, or a loud warning', () => {
  const note = (files: Record<string, string>) => swapNote('/m', (f) => files[f] ?? null);
  assert.equal(note({ '/m/memory.swap.max': '0\n' }), 'swap capped at 0');
  assert.equal(note({ '/m/memory.memsw.limit_in_bytes': '1000\n', '/m/memory.limit_in_bytes': '1000\n' }), 'swap capped at 0');
  assert.equal(note({ '/proc/meminfo': 'MemTotal: 100 kB\nSwapTotal:            0 kB\n' }), 'no swap on this machine');
  assert.equal(
    note({ '/m/memory.swap.max': 'max\n', '/proc/meminfo': 'SwapTotal: 2048 kB\n' }),
    'WARNING: swap is not capped (swap limit max): under memory pressure the service may swap instead of being killed',
  );
  assert.match(note({ '/proc/meminfo': 'SwapTotal: 2048 kB\n' }), /swap limit absent/);
});
