import type { EngineLoader } from './engine.js';

export const wasmLoader: EngineLoader = {
  name: 'wasm',
  async load() {
    throw new Error('wasm module not built yet (run make build-wasm)');
  },
};
