import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { HttpError } from './errors.js';
import { checkDataDir, describeIoError, fileRoundTrip, sweepStaleFiles } from './io-check.js';

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

  it('names the failing step, with the error code and no path; the original error is the cause', async () => {
    const missing = join(dir, 'missing', 'folder');
    await assert.rejects(fileRoundTrip(missing, 1), (err: unknown) => {
      assert.ok(err instanceof HttpError);
      assert.equal(err.problem.status, 500);
      assert.equal(err.problem.code, 'IO_FAILED');
      assert.equal(err.problem['step'], 'open');
      assert.equal(err.problem.detail, 'file I/O failed at step "open": ENOENT (no such file or directory)');
      assert.ok(!JSON.stringify(err.problem).includes(dir), 'no path in the answer');
      assert.match(String((err.cause as Error).message), /ENOENT/);
      return true;
    });
  });

  it('io_kb=0 does no file I/O at all (an unusable folder does not matter)', async () => {
    await fileRoundTrip(join(dir, 'missing', 'folder'), 0);
  });
});

describe('describeIoError', () => {
  it('keeps the code and its words, drops the syscall and the path', () => {
    const err = Object.assign(new Error("EACCES: permission denied, open '/srv/data/heavy-1-ab.tmp'"), { code: 'EACCES' });
    assert.equal(describeIoError(err), 'EACCES (permission denied)');
    assert.equal(describeIoError(new Error('short write: 0 of 10 bytes written')), 'short write: 0 of 10 bytes written');
  });
});

describe('DATA_DIR at start', () => {
  it('checkDataDir: usable, missing, not a directory', async () => {
    assert.deepEqual(await checkDataDir(dir), { usable: true });
    const missing = await checkDataDir(join(dir, 'nope'));
    assert.equal(missing.usable, false);
    assert.match(missing.reason ?? '', /ENOENT/);
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    assert.deepEqual(await checkDataDir(file), { usable: false, reason: 'not a directory' });
    rmSync(file);
    assert.deepEqual(readdirSync(dir), [], 'the check leaves nothing behind');
  });

  it('sweepStaleFiles removes the files of dead processes (and of an earlier process with this pid) only', async () => {
    const d = mkdtempSync(join(tmpdir(), 'io-sweep-'));
    try {
      const dead = 2 ** 22 + 12345; // above pid_max's default: no such process
      const files = {
        dead: `heavy-${dead}-0123456789ab.tmp`,
        mine: `heavy-${process.pid}-0123456789ab.tmp`,
        live: `heavy-1-0123456789ab.tmp`, // init: always running
        other: 'heavy-notes.tmp',
      };
      for (const f of Object.values(files)) writeFileSync(join(d, f), 'x');
      assert.equal(await sweepStaleFiles(d), 2);
      assert.deepEqual(readdirSync(d).sort(), [files.live, files.other].sort());
      assert.equal(await sweepStaleFiles(join(d, 'missing')), 0);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
