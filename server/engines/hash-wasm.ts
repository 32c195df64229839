import { createSHA256 } from 'hash-wasm';
import type { Engine, EngineLoader } from './engine.js';
import { sieveCount } from './sieve.js';

/**
 * Baseline: the `hash-wasm` package's SHA-256 (C compiled to WebAssembly), one hasher created at
 * load and reused. Each round still crosses JS -> WebAssembly three times (init, update, digest)
 * and copies 32 bytes each way; the `wasm` engine runs the whole chain in one call instead.
 */
export const hashWasmLoader: EngineLoader = {
  name: 'hash-wasm',
  async load(): Promise<Engine> {
    const hasher = await createSHA256();
    return {
      name: 'hash-wasm',
      description: 'TypeScript sieve; SHA-256 by the hash-wasm package, one reused hasher, one call per round',
      sieveCountSync: sieveCount,
      sha256ChainSync(rounds: number): string {
        let h: Uint8Array = new Uint8Array(32);
        for (let i = 0; i < rounds; i++) h = hasher.init().update(h).digest('binary');
        return Buffer.from(h.buffer, h.byteOffset, h.byteLength).toString('hex');
      },
    } satisfies Engine;
  },
};
