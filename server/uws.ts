import { createRequire } from 'node:module';
import { basename } from 'node:path';
import type * as uWS from 'uWebSockets.js';

const require = createRequire(import.meta.url);

/** Which uWebSockets.js this process runs, and whether it is the real native one. */
export interface UwsRuntime {
  readonly uws: typeof uWS;
  readonly native: boolean;
  readonly version: string;
  /** The native binary's file name, or why the package fell back to its `ws`-based copy. */
  readonly detail: string;
}

/**
 * Loads uWebSockets.js and checks that the native binary loaded. The package does not throw when
 * its binary is incompatible: it prints a warning and returns a slow `ws`-based imitation with the
 * same API. The only reliable sign of the real one is its `.node` file among the loaded modules.
 */
export function loadUws(): UwsRuntime {
  const uws = require('uWebSockets.js') as typeof uWS;
  const version = (require('uWebSockets.js/package.json') as { version: string }).version;
  const binary = Object.keys(require.cache).find((k) => /[\\/]uws_[^\\/]+\.node$/.test(k));
  return binary
    ? { uws, native: true, version, detail: basename(binary) }
    : {
        uws,
        native: false,
        version,
        detail: `no native binary for ${process.platform}-${process.arch} ABI ${process.versions.modules}; using the ws-based fallback`,
      };
}
