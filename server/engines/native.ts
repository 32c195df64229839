import type { EngineLoader } from './engine.js';

export const nativeLoader: EngineLoader = {
  name: 'native',
  async load() {
    throw new Error('native addon not built yet (run make build-native)');
  },
};
