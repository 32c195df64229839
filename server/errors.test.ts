import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ERRORS, HttpError, type ErrorCode } from './errors.js';
import { repoRoot } from './engines/rust-artifacts.js';

describe('the error catalog', () => {
  // fastify's way: the documentation is tested against the code, so a new code cannot go undocumented.
  it('every code is in the README with its status', () => {
    const readme = readFileSync(`${repoRoot()}/README.md`, 'utf8');
    const section = readme.slice(readme.indexOf('### Errors'));
    for (const [code, { status }] of Object.entries(ERRORS)) {
      const row = section.split('\n').find((line) => line.startsWith('|') && line.includes(`\`${code}\``));
      assert.ok(row, `README's Errors table does not list ${code}`);
      assert.ok(row.includes(String(status)), `README lists ${code} without its status ${status}`);
    }
  });

  it('every 503 answers with Retry-After, by default from the catalog, or the estimate given', () => {
    for (const [code, entry] of Object.entries(ERRORS) as [ErrorCode, (typeof ERRORS)[ErrorCode]][]) {
      const err = new HttpError(code, 'x');
      if (entry.status !== 503) {
        assert.equal(err.headers['Retry-After'], undefined, code);
        continue;
      }
      assert.ok(entry.retryAfterSec !== undefined && entry.retryAfterSec >= 1, `${code} has no default Retry-After`);
      assert.equal(err.headers['Retry-After'], String(entry.retryAfterSec));
      assert.equal(err.problem['retryAfterSec'], entry.retryAfterSec);
      assert.equal(new HttpError(code, 'x', { retryAfterSec: 7 }).headers['Retry-After'], '7');
    }
  });

  it('an error carries its own headers and cause; the cause stays out of the body', () => {
    const cause = new Error("EACCES: permission denied, open '/somewhere/heavy-1-ab.tmp'");
    const err = new HttpError('IO_FAILED', 'file I/O failed at step "open": EACCES (permission denied)', { extensions: { step: 'open' }, cause });
    assert.equal(err.cause, cause);
    assert.equal(err.status, 500);
    assert.equal(err.problem['step'], 'open');
    assert.doesNotMatch(JSON.stringify(err.problem), /somewhere/);
    const allow = new HttpError('METHOD_NOT_ALLOWED', 'x', { headers: { Allow: 'GET, HEAD' } });
    assert.deepEqual(allow.headers, { Allow: 'GET, HEAD' });
  });
});
