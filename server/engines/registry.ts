import { ENGINE_NAMES, type Engine, type EngineLoader, type EngineName } from './engine.js';
import { jsLoader } from './js.js';
import { wasmLoader } from './wasm.js';
import { nativeLoader } from './native.js';
import { hashWasmLoader } from './hash-wasm.js';
import { nodeCryptoLoader } from './node-crypto.js';

/** Every loader, by name. Adding an engine = one file exporting a loader + one line here. */
export const LOADERS: Readonly<Record<EngineName, EngineLoader>> = Object.freeze({
  js: jsLoader,
  wasm: wasmLoader,
  native: nativeLoader,
  'hash-wasm': hashWasmLoader,
  'node-crypto': nodeCryptoLoader,
});

export type EngineStatus =
  | { readonly name: EngineName; readonly available: true; readonly engine: Engine; readonly description: string }
  | { readonly name: EngineName; readonly available: false; readonly reason: string };

/** The engines of this process: loaded once at start; a failed load is kept with its reason. */
export type EngineRegistry = ReadonlyMap<EngineName, EngineStatus>;

export async function loadEngines(names: readonly EngineName[] = ENGINE_NAMES): Promise<EngineRegistry> {
  const entries = await Promise.all(
    names.map(async (name): Promise<[EngineName, EngineStatus]> => {
      try {
        const engine = await LOADERS[name].load();
        return [name, { name, available: true, engine, description: engine.description }];
      } catch (err) {
        return [name, { name, available: false, reason: err instanceof Error ? err.message : String(err) }];
      }
    }),
  );
  return new Map(entries);
}
