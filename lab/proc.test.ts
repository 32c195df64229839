import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cgroupPids, procUsage, serviceUsage } from './proc.js';

test("a service's usage is summed over every process of its cgroup (a gunicorn master and its workers)", () => {
  const dir = mkdtempSync(join(tmpdir(), 'cg-test-'));
  try {
    const cpuStat = join(dir, 'cpu.stat');
    writeFileSync(cpuStat, 'nr_periods 0\n');
    // This process twice stands for two processes; a pid that is gone is skipped.
    writeFileSync(join(dir, 'cgroup.procs'), `${process.pid}\n${process.pid}\n999999999\n`);
    assert.deepEqual(cgroupPids(cpuStat), [process.pid, process.pid, 999999999]);
    const one = procUsage(process.pid)!;
    const all = serviceUsage(null, cpuStat)!;
    assert.ok(all.rssBytes >= 1.5 * one.rssBytes, 'two RSS summed');
    assert.ok(all.cpuSec >= 2 * one.cpuSec - 0.05);
    // No cgroup file: the pid alone.
    assert.equal(serviceUsage(process.pid, null)!.rssBytes > 0, true);
    assert.equal(serviceUsage(null, null), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
