import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { HttpError } from './errors.js';
import { fileRoundTrip } from './io-check.js';

const dir = mkdtempSync(join(tmpdir(), 'io-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('fileRoundTrip', () => {
  for (const kb of [0, 1, 128, 5120]) {
    it(`writes, verifies and removes ${kb} KiB`, async () => {
      await fileRoundTrip(dir, kb);
      assert.deepEqual(readdirSync(dir), []);
    });
  }

  it('runs concurrently without collisions or leftovers', async () => {
    await Promise.all(Array.from({ length: 20 }, () => fileRoundTrip(dir, 64)));
    assert.deepEqual(readdirSync(dir), []);
  });

  it('names the failing step', async () => {
    await assert.rejects(fileRoundTrip(join(dir, 'missing', 'folder'), 1), (err: unknown) => {
      assert.ok(err instanceof HttpError);
      assert.equal(err.problem.status, 500);
      assert.equal(err.problem.code, 'IO_FAILED');
      assert.equal(err.problem['step'], 'open');
      return true;
    });
  });
});
