import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from './config.js';
import { HttpError } from './errors.js';
import { parseHeavyQuery } from './params.js';

const config = loadConfig({});

function rejects(query: string, code: string, parameter: string): void {
  assert.throws(
    () => parseHeavyQuery(query, config),
    (err: unknown) => {
      assert.ok(err instanceof HttpError, `expected HttpError for ${query}`);
      assert.equal(err.problem.code, code, query);
      assert.equal(err.problem.status, 400, query);
      assert.equal(err.problem['parameter'], parameter, query);
      return true;
    },
  );
}

describe('parseHeavyQuery', () => {
  it('applies the seed defaults to an empty query', () => {
    assert.deepEqual(parseHeavyQuery('', config), { primeLimit: 500000, hashRounds: 1000000, ioKb: 128, impl: 'js', mode: 'inline' });
  });

  it('reads every parameter', () => {
    assert.deepEqual(parseHeavyQuery('prime_limit=10&hash_rounds=0&io_kb=5120&impl=native&mode=pool', config), {
      primeLimit: 10,
      hashRounds: 0,
      ioKb: 5120,
      impl: 'native',
      mode: 'pool',
    });
  });

  it('accepts the caps themselves', () => {
    assert.equal(parseHeavyQuery('prime_limit=100000000', config).primeLimit, 100000000);
    assert.equal(parseHeavyQuery('hash_rounds=10000000', config).hashRounds, 10000000);
  });

  for (const bad of ['', '-1', '+1', '1e5', '0x10', '1.5', '1.0', ' 1', '1 ', '%201', '1%20', '١٢', 'abc', '1_000', 'Infinity', 'NaN', '9'.repeat(16), '9'.repeat(400)]) {
    it(`rejects prime_limit=${JSON.stringify(bad.slice(0, 20))}`, () => rejects(`prime_limit=${bad}`, 'INVALID_PARAMETER', 'prime_limit'));
  }

  it('rejects values above the caps, naming the cap', () => {
    rejects('prime_limit=100000001', 'INVALID_PARAMETER', 'prime_limit');
    rejects('hash_rounds=10000001', 'INVALID_PARAMETER', 'hash_rounds');
    rejects('io_kb=5121', 'INVALID_PARAMETER', 'io_kb');
    assert.throws(() => parseHeavyQuery('io_kb=5121', config), /<= 5120/);
  });

  it('honours configured caps', () => {
    const small = loadConfig({ MAX_HASH_ROUNDS: '100' });
    assert.throws(() => parseHeavyQuery('hash_rounds=101', small), /<= 100/);
  });

  it('rejects a parameter without a value', () => rejects('io_kb', 'INVALID_PARAMETER', 'io_kb'));
  it('rejects unknown parameters (a typo must not run the default)', () => rejects('primelimit=5', 'UNKNOWN_PARAMETER', 'primelimit'));
  it('rejects repeated parameters', () => rejects('hash_rounds=1&hash_rounds=1', 'REPEATED_PARAMETER', 'hash_rounds'));
  it('rejects an engine outside the allow-list', () => rejects('impl=python', 'INVALID_PARAMETER', 'impl'));
  it('rejects an unknown mode', () => rejects('mode=threads', 'INVALID_PARAMETER', 'mode'));
  it('rejects broken percent-encoding', () => rejects('impl=%E0%A4%A', 'MALFORMED_QUERY', 'impl'));
  it('keeps echoed values short', () => {
    try {
      parseHeavyQuery(`impl=${'x'.repeat(10000)}`, config);
      assert.fail('should throw');
    } catch (err) {
      assert.ok(err instanceof HttpError);
      assert.ok(JSON.stringify(err.problem).length < 1000);
    }
  });
});
