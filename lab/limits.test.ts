import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { CONFIG_DEFAULTS } from '../server/config.js';
import { constrainedPlan, CONTAINER_SETTINGS, LimitError, parseCpus, parseMemory, quotaUs } from './limits.js';

const MiB = 2 ** 20;

test("MEMORY in Docker's notation: bytes, k, m, g in either case", () => {
  assert.equal(parseMemory('256m'), 256 * MiB);
  assert.equal(parseMemory('256M'), 256 * MiB);
  assert.equal(parseMemory('1g'), 1024 * MiB);
  assert.equal(parseMemory('64k'), 65536);
  assert.equal(parseMemory('1000'), 1000);
  assert.equal(parseMemory('1000b'), 1000);
});

test('a MEMORY that is not a size is refused, naming what was given', () => {
  for (const bad of ['256 MB', '256mb', '1.5g', '-1m', 'm', '', '256t']) {
    assert.throws(
      () => parseMemory(bad),
      (err: Error) => err instanceof LimitError && err.message === `MEMORY must look like 256m, 1g or a byte count (got '${bad}')`,
      bad,
    );
  }
  assert.throws(() => parseMemory('99999999999999g'), /MEMORY is too large/);
});

test('CPUS: a positive decimal, kept to 6 significant digits like the %g it replaces', () => {
  assert.equal(parseCpus('1'), 1);
  assert.equal(parseCpus('1.0'), 1);
  assert.equal(parseCpus('0.5'), 0.5);
  assert.equal(parseCpus('0.3333333'), 0.333333);
  for (const bad of ['-1', '.5', '1.', 'one', '', '1e3']) assert.throws(() => parseCpus(bad), /CPUS must be a positive decimal like 1 or 0\.5/, bad);
});

test('the CFS quota is CPUS times the 100 ms period, rounded to the nearest microsecond', () => {
  assert.equal(quotaUs(1), 100_000);
  assert.equal(quotaUs(0.5), 50_000);
  assert.equal(quotaUs(0.333333), 33_333);
  assert.equal(quotaUs(0.000005), 1, '0.5 us rounds up');
  assert.equal(quotaUs(2.5, 10_000), 25_000);
});

test('the plan: defaults 1 CPU and 256m, heap at 5/8 of the memory, the figures Docker and systemd read back', () => {
  assert.deepEqual(constrainedPlan({}, true), {
    cpus: 1,
    quotaUs: 100_000,
    periodUs: 100_000,
    memoryBytes: 256 * MiB,
    memoryMib: 256,
    heapMb: 160,
    nanoCpus: 1e9,
    cpuPercent: 100,
  });
  const third = constrainedPlan({ CPUS: '0.3333333', MEMORY: '1g' }, true);
  assert.deepEqual(third, { cpus: 0.333333, quotaUs: 33_333, periodUs: 100_000, memoryBytes: 1024 * MiB, memoryMib: 1024, heapMb: 640, nanoCpus: 333_333_000, cpuPercent: 33.333 });
  assert.equal(constrainedPlan({ CPUS: '', MEMORY: '' }, true).memoryBytes, 256 * MiB, 'empty means the default');
  assert.equal(constrainedPlan({ HEAP_MB: '100' }, true).heapMb, 100);
});

test('limits that cannot work are refused before anything starts', () => {
  assert.throws(() => constrainedPlan({ MEMORY: '15m' }, false), /MEMORY must be at least 16m \(got '15m'\): Node itself needs more/);
  assert.throws(() => constrainedPlan({ CPUS: '0.001' }, false), /CPUS must be at least 0\.01 \(got '0\.001'\)/);
  // 20 MiB leaves a 12 MiB heap: too small for the service, fine for another command.
  assert.throws(() => constrainedPlan({ MEMORY: '20m' }, true), /HEAP_MB must be an integer >= 16 \(got '12'; MEMORY too small\?\)/);
  assert.equal(constrainedPlan({ MEMORY: '20m' }, false).heapMb, 12);
  assert.throws(() => constrainedPlan({ HEAP_MB: 'lots' }, false), /HEAP_MB must be an integer \(got 'lots'/);
});

test('a container gets every service setting but its own address and data folder', () => {
  assert.ok(!CONTAINER_SETTINGS.some((k) => ['HOST', 'PORT', 'DATA_DIR'].includes(k)));
  assert.equal(CONTAINER_SETTINGS.length, Object.keys(CONFIG_DEFAULTS).length - 3);
  assert.ok(CONTAINER_SETTINGS.includes('MAX_IO_KB') && CONTAINER_SETTINGS.includes('METRICS_INSTANCE'));
});
