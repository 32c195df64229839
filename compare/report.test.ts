import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

test('make report refuses a run folder made before pacer, naming why and the commit to rebuild it from', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pre-pacer-'));
  try {
    const step = { id: '002-hello-4000rps', scenario: 'hello', files: { oha: 'runs/hello/002.json' } };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ version: 1, steps: [step], environment: { commit: 'abc1234' } }));
    const r = spawnSync(process.execPath, [fileURLToPath(new URL('./report.js', import.meta.url)), dir], { encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /ran before pacer \(1 step\(s\) kept oha's JSON, not pacer's\).*commit that made it \(abc1234\)/);
    assert.equal(existsSync(join(dir, 'report.md')), false, 'nothing written');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
