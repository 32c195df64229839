/**
 * The Rust engines' loaders: a missing or broken artifact gives the reason the registry reports
 * (and the server answers 503 with); the native AsyncTask computes off the event loop; and the
 * native addon survives worker threads that load it and exit (the case -Wl,-z,nodelete in
 * .cargo/config.toml is for).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { loadNativeEngine, nativeLoader } from './native.js';
import { loadWasmEngine } from './wasm.js';

describe('Rust engine loaders', () => {
  const empty = mkdtempSync(join(tmpdir(), 'lab-no-artifacts-'));
  after(() => rmSync(empty, { recursive: true, force: true }));

  it('native: a missing addon says how to build it', () => {
    assert.throws(() => loadNativeEngine(empty), { message: 'native addon not built: run make build-native' });
  });

  it('wasm: a missing module says how to build it', async () => {
    await assert.rejects(loadWasmEngine(empty), { message: 'wasm module not built: run make build-wasm' });
  });

  it('wasm: a corrupt module is refused with the reason', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lab-bad-wasm-'));
    try {
      mkdirSync(join(root, 'wasm', 'pkg'), { recursive: true });
      writeFileSync(join(root, 'wasm', 'pkg', 'kernel.wasm'), 'not wasm');
      await assert.rejects(loadWasmEngine(root), /^Error: wasm module failed to instantiate \(.+\): rebuild with make build-wasm$/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('native: an AsyncTask leaves the event loop free while it computes', async () => {
    const engine = await nativeLoader.load();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      // ~0.5 s of hashing on libuv's pool; the same call made synchronously would allow no tick.
      const digest = await engine.sha256Chain!(10_000_000);
      assert.equal(digest, '6b4ab10d92373474a97d10639e667f6b734af012f9be29997f1befd1c7166199');
    } finally {
      clearInterval(timer);
    }
    assert.ok(ticks >= 3, `only ${ticks} timer ticks ran while the task computed`);
  });

  it('native: worker threads load the addon, compute and exit, and the process carries on', async () => {
    // CommonJS eval code; it imports this folder's compiled native.js, as the worker pool would.
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      import(workerData).then(async ({ nativeLoader }) => {
        const engine = await nativeLoader.load();
        parentPort.postMessage([engine.sieveCountSync(1000), await engine.sha256Chain(1000)]);
      });`;
    for (let i = 0; i < 3; i++) {
      const worker = new Worker(code, { eval: true, workerData: new URL('./native.js', import.meta.url).href });
      const [message] = await Promise.all([
        new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject)),
        new Promise((resolve) => worker.once('exit', resolve)),
      ]);
      assert.deepEqual(message, [168, '36c1cb4f826ae42ceba848227e0c5f786178ca9dceca6772e5d728d09c30a2f6']);
    }
    const engine = await nativeLoader.load();
    assert.equal(engine.sieveCountSync(1000), 168);
  });
});
