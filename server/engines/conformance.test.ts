/**
 * The one suite every engine runs (like hono's router/common.case.test.ts): the same known
 * answers from fixtures/vectors.json, which `cargo test` in kernel/ reads too. An engine that fails
 * to load FAILS here, it is not skipped: `make test` builds every engine first, so a missing
 * artifact is a broken build.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ENGINE_NAMES, type Engine, type EngineName } from './engine.js';
import { LOADERS } from './registry.js';
import { loadVectors } from '../../lab/index.js';

const vectors = loadVectors();

/** Engines that must offer the off-loop `*Async` variants (the napi AsyncTask ones). */
const ASYNC_ENGINES: readonly EngineName[] = ['native'];

/**
 * Vectors an engine skips in a plain `npm test`, each with its reason. The baselines pay one
 * JS -> library crossing per round, so their 1e7-round chain takes 10-30 s each on a 2-core
 * machine, and it runs exactly the per-round code that their 1e6-round vector already checks.
 * `make test` (CI) sets LAB_TEST_ALL_VECTORS=1 and runs them all.
 */
const ALL_VECTORS = process.env['LAB_TEST_ALL_VECTORS'] === '1';
const SKIP_CHAIN_ROUNDS_ABOVE: Partial<Record<EngineName, { readonly rounds: number; readonly reason: string }>> = ALL_VECTORS
  ? {}
  : {
      'hash-wasm': { rounds: 1_000_000, reason: 'one hash-wasm call per round: 10-30 s at 1e7, same path as the 1e6 vector; make test (LAB_TEST_ALL_VECTORS=1) runs it' },
      'node-crypto': { rounds: 1_000_000, reason: 'one createHash per round: 10-30 s at 1e7, same path as the 1e6 vector; make test (LAB_TEST_ALL_VECTORS=1) runs it' },
    };

for (const name of ENGINE_NAMES) {
  describe(`engine ${name}`, () => {
    let engine: Engine;
    before(async () => {
      engine = await LOADERS[name].load();
    });

    it('is the engine it was asked for, and says how it was built', () => {
      assert.equal(engine.name, name);
      assert.ok(engine.description.length > 0);
      assert.equal(typeof engine.sieveCount, typeof engine.sha256Chain, 'both async variants or neither');
      if (ASYNC_ENGINES.includes(name)) assert.equal(typeof engine.sieveCount, 'function');
    });

    for (const { limit, count } of vectors.primes) {
      it(`sieveCountSync(${limit}) = ${count}`, () => {
        assert.equal(engine.sieveCountSync(limit), count);
      });
    }

    const skip = SKIP_CHAIN_ROUNDS_ABOVE[name];
    for (const { rounds, digest } of vectors.sha256_chain) {
      const options = skip && rounds > skip.rounds ? { skip: skip.reason } : {};
      it(`sha256ChainSync(${rounds}) = ${digest.slice(0, 16)}...`, options, () => {
        assert.equal(engine.sha256ChainSync(rounds), digest);
      });
    }

    if (ASYNC_ENGINES.includes(name)) {
      it('sieveCount and sha256Chain (async) give the known answers', async () => {
        for (const { limit, count } of vectors.primes) assert.equal(await engine.sieveCount!(limit), count);
        for (const { rounds, digest } of vectors.sha256_chain) assert.equal(await engine.sha256Chain!(rounds), digest);
      });

      it('async calls in flight together each get their own answer', async () => {
        const cases = vectors.sha256_chain.filter(({ rounds }) => rounds <= 100_000);
        const digests = await Promise.all(cases.map(({ rounds }) => engine.sha256Chain!(rounds)));
        assert.deepEqual(
          digests,
          cases.map(({ digest }) => digest),
        );
      });
    }
  });
}
