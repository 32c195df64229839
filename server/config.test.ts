import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 8000);
    assert.deepEqual({ ...c.caps }, { primeLimit: 100000000, hashRounds: 10000000, ioKb: 5120 });
    assert.equal(c.defaultImpl, 'js');
    assert.equal(c.defaultMode, 'inline');
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.caps));
  });

  for (const [name, value] of [
    ['PORT', '70000'],
    ['PORT', 'eighty'],
    ['PORT', '-1'],
    ['MAX_HASH_ROUNDS', '1e6'],
    ['DEFAULT_IMPL', 'python'],
    ['DEFAULT_MODE', 'threads'],
    ['UWS_BUILDS', 'uws-latest'],
    ['HOST', ' '],
  ] as const) {
    it(`rejects ${name}=${JSON.stringify(value)} with a message naming it`, () => {
      assert.throws(
        () => loadConfig({ [name]: value }),
        (err: unknown) => err instanceof ConfigError && err.message.includes(name),
      );
    });
  }
});
