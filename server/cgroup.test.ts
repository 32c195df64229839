import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readLimits } from './cgroup.js';

const base = mkdtempSync(join(tmpdir(), 'cgroup-test-'));
after(() => rmSync(base, { recursive: true, force: true }));

function tree(name: string, files: Record<string, string>): string {
  const root = join(base, name);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

describe('readLimits', () => {
  it('reads cgroup v2 cpu.max and memory.max, the tightest ancestor winning', () => {
    const root = tree('v2', {
      'cgroup.controllers': 'cpu memory',
      'lab/cpu.max': '200000 100000',
      'lab/memory.max': '1073741824',
      'lab/svc/cpu.max': '100000 100000',
      'lab/svc/memory.max': 'max',
      proc: '0::/lab/svc\n',
    });
    const l = readLimits(root, join(root, 'proc'));
    assert.equal(l.cgroupVersion, 2);
    assert.equal(l.cpuQuota, 1);
    assert.equal(l.memoryBytes, 1073741824);
  });

  it('reads cgroup v1 cfs quota and memory.limit_in_bytes', () => {
    const root = tree('v1', {
      'cpu/svc/cpu.cfs_quota_us': '50000',
      'cpu/svc/cpu.cfs_period_us': '100000',
      'cpu/cpu.cfs_quota_us': '-1',
      'cpu/cpu.cfs_period_us': '100000',
      'memory/svc/memory.limit_in_bytes': '268435456',
      'memory/memory.limit_in_bytes': '9223372036854771712',
      proc: '4:memory:/svc\n1:cpu:/svc\n',
    });
    const l = readLimits(root, join(root, 'proc'));
    assert.equal(l.cgroupVersion, 1);
    assert.equal(l.cpuQuota, 0.5);
    assert.equal(l.cpus, 0.5);
    assert.equal(l.memoryBytes, 268435456);
  });

  it('reports null for no limits', () => {
    const root = tree('none', { 'cgroup.controllers': '', 'cpu.max': 'max 100000', 'memory.max': 'max', proc: '0::/\n' });
    const l = readLimits(root, join(root, 'proc'));
    assert.equal(l.cpuQuota, null);
    assert.equal(l.memoryBytes, null);
    assert.equal(l.cpus, l.cpusAvailable);
  });

  it('reads this process without throwing', () => {
    const l = readLimits();
    assert.ok(l.cpusAvailable >= 1);
  });
});
