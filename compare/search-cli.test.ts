import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { CapacitySearch, roundHelloRate } from './search.js';
import { main } from './search-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-search-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('search-cli replays the same search as compare, step by step through a file', () => {
  const file = join(dir, 'search.json');
  const plan = { start: 2000, max: 40000, min: 100, upFactor: 2, downFactor: 0.5, maxSteps: 12, resolution: 0.05 };
  main(['init', file, '--start', '2000', '--max', '40000', '--min', '100', '--up', '2', '--down', '0.5', '--max-steps', '12', '--resolution', '0.05']);
  const inProcess = new CapacitySearch(plan, roundHelloRate);
  const passes = (rate: number) => rate <= 6100;
  const asked: number[] = [];
  for (;;) {
    const n = main(['next', file]);
    const expected = inProcess.next();
    if (n.code === 1) {
      assert.equal(expected, null);
      break;
    }
    const rate = Number(n.out);
    assert.equal(rate, expected);
    asked.push(rate);
    main(['record', file, '--rate', String(rate), '--pass', passes(rate) ? '1' : '0']);
    inProcess.record({ rate, pass: passes(rate), generatorLimited: false });
  }
  assert.deepEqual(asked.slice(0, 3), [2000, 4000, 8000]);
  const r = inProcess.result();
  assert.equal(main(['result', file]).out, `capacity=${r.capacity} first_failure=${r.firstFailure} end=${r.end} steps=${asked.length}\n`);
  assert.ok(r.capacity <= 6100 && r.capacity >= 6100 / 1.05, String(r.capacity));
});

test('search-cli refuses what would corrupt the search', () => {
  const file = join(dir, 'bad.json');
  assert.throws(() => main(['init', file, '--max', '100']), /--start is required/);
  assert.throws(() => main(['init', file, '--start', '10', '--max', '100', '--up', '0.5']), /--up must be above 1/);
  main(['init', file, '--start', '10', '--max', '100']);
  assert.throws(() => main(['record', file, '--rate', '11', '--pass', '1']), /not the one the search asked for \(10\)/);
  assert.throws(() => main(['record', file, '--rate', '10', '--pass', 'yes']), /--pass must be 0 or 1/);
  // As shell runs it: the exit status is the loop's condition.
  const cli = fileURLToPath(new URL('./search-cli.js', import.meta.url));
  const r = spawnSync(process.execPath, [cli, 'next', file], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  assert.equal(r.stdout, '10\n');
  assert.equal(spawnSync(process.execPath, [cli, 'frob', file], { encoding: 'utf8' }).status, 2);
});
