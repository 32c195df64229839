import type { Engine, EngineLoader } from './engine.js';
import { sieveCount } from './sieve.js';
import { sha256Chain } from './sha256-chain.js';

/** Pure TypeScript: the bit-packed sieve and the hand-written SHA-256 compression. */
export const jsEngine = {
  name: 'js',
  description: 'pure TypeScript: odd-only bitset sieve, hand-written SHA-256 single-block compression',
  sieveCountSync: sieveCount,
  sha256ChainSync: sha256Chain,
} as const satisfies Engine;

export const jsLoader: EngineLoader = { name: 'js', load: async () => jsEngine };
