import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Engine, EngineLoader } from './engine.js';
import { describeBuild, firstLine, readBuildInfo, repoRoot } from './rust-artifacts.js';

// The WebAssembly global is declared by lib.dom, which this Node-only project does not include
// (neither ES2022's lib nor @types/node 20 declare it): these are the parts used here.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
declare const WebAssembly: {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: object } }>;
  Memory: abstract new (...args: never[]) => WasmMemory;
};

/** The raw exports of wasm/src/lib.rs: Rust `u64` is wasm i64, which JS passes as BigInt. */
interface KernelExports {
  readonly memory: WasmMemory;
  sieve_count(limit: bigint): bigint;
  /** Returns the address in `memory` of the 32-byte digest, valid until the next call. */
  sha256_chain(rounds: bigint): number;
}

/**
 * The Rust kernel compiled to WebAssembly (wasm/), instantiated once per thread that loads it.
 * This file only converts numbers to BigInt and back and copies the digest out of linear memory.
 */
export async function loadWasmEngine(root: string): Promise<Engine> {
  const file = join(root, 'wasm', 'pkg', 'kernel.wasm');
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('wasm module not built: run make build-wasm');
    throw new Error(`wasm module unreadable (${firstLine(err)})`);
  }
  let kernel: KernelExports;
  try {
    // No imports: the module needs nothing from JS (no wasm-bindgen glue, no WASI).
    const { instance } = await WebAssembly.instantiate(bytes, {});
    kernel = instance.exports as unknown as KernelExports;
  } catch (err) {
    throw new Error(`wasm module failed to instantiate (${firstLine(err)}): rebuild with make build-wasm`);
  }
  if (typeof kernel.sieve_count !== 'function' || typeof kernel.sha256_chain !== 'function' || !(kernel.memory instanceof WebAssembly.Memory)) {
    throw new Error('wasm module lacks the exports sieve_count, sha256_chain, memory: rebuild with make build-wasm');
  }
  if (kernel.sieve_count(10n) !== 4n) throw new Error('wasm module answers pi(10) != 4: rebuild with make build-wasm');
  await tierUp(kernel);
  const infoFile = 'wasm/pkg/build-info.json';
  return {
    name: 'wasm',
    description: `Rust kernel as wasm32 (raw extern "C" exports, one call per workload); ${describeBuild(readBuildInfo(join(root, infoFile)), infoFile)}`,
    sieveCountSync: (limit) => Number(kernel.sieve_count(BigInt(limit))),
    sha256ChainSync(rounds) {
      const at = kernel.sha256_chain(BigInt(rounds));
      // Read memory.buffer after the call: a call that grows memory replaces the ArrayBuffer.
      return Buffer.from(kernel.memory.buffer, at, 32).toString('hex');
    },
  } satisfies Engine;
}

/**
 * V8 runs a new module in its baseline compiler (Liftoff) and compiles a function again with its
 * optimising compiler, on a background thread, once the function has done enough work; only
 * calls that start after that use the fast code. A long first call stays in baseline code to its
 * end: the first 1e6-round chain here took 2.2 s instead of 0.15 s. So each export does a few
 * short calls at load, enough to be tiered up, with pauses for the background compile to land.
 */
async function tierUp(kernel: KernelExports): Promise<void> {
  for (let i = 0; i < 5; i++) {
    kernel.sha256_chain(5_000n);
    kernel.sieve_count(100_000n);
    await sleep(1);
  }
}

export const wasmLoader: EngineLoader = {
  name: 'wasm',
  load: () => loadWasmEngine(repoRoot()),
};
