import { createHash } from 'node:crypto';
import type { Engine, EngineLoader } from './engine.js';
import { sieveCount } from './sieve.js';

/**
 * Baseline: OpenSSL's SHA-256 through `node:crypto`, one `createHash` per round. Shows what a
 * JS -> C++ crossing per 32-byte hash costs compared with hashing in place.
 */
export const nodeCryptoEngine = {
  name: 'node-crypto',
  description: 'TypeScript sieve; SHA-256 by node:crypto (OpenSSL), one createHash() per round',
  sieveCountSync: sieveCount,
  sha256ChainSync(rounds: number): string {
    let h: Buffer = Buffer.alloc(32);
    for (let i = 0; i < rounds; i++) h = createHash('sha256').update(h).digest();
    return h.toString('hex');
  },
} as const satisfies Engine;

export const nodeCryptoLoader: EngineLoader = { name: 'node-crypto', load: async () => nodeCryptoEngine };
