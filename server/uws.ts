import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type * as uWS from 'uWebSockets.js';

const require = createRequire(import.meta.url);

/** Which uWebSockets.js this process runs, and whether it is the real native one. */
export interface UwsRuntime {
  readonly uws: typeof uWS;
  readonly native: boolean;
  /** The npm package behind the `uWebSockets.js` alias (the workstation's and the image's differ). */
  readonly package: string;
  readonly version: string;
  /** The native binary's file name, or why the package fell back to its `ws`-based copy. */
  readonly detail: string;
}

/**
 * Loads uWebSockets.js and checks that the native binary loaded. Builds differ when the binary is
 * incompatible: some (the workstation's) print a warning and return a slow `ws`-based imitation with
 * the same API, others (the image's) throw. The only reliable sign of the real one is its `.node`
 * file among the loaded modules; a build that throws is reported with the reason it gave.
 */
export function loadUws(): UwsRuntime {
  // Its package.json, the nearest above the entry point: a package with an `exports` map (the
  // image's) does not export './package.json' to require().
  let dir = dirname(require.resolve('uWebSockets.js'));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  const { name, version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; version: string };
  let uws: typeof uWS;
  try {
    uws = require('uWebSockets.js') as typeof uWS;
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).split('\n').filter(Boolean).at(-1);
    throw new Error(
      `${name} ${version} has no loadable native binary for ${process.platform}-${process.arch} ABI ${process.versions.modules} (Node ${process.version}): ${reason}`,
    );
  }
  const binary = Object.keys(require.cache).find((k) => /[\\/]uws_[^\\/]+\.node$/.test(k));
  return binary
    ? { uws, native: true, package: name, version, detail: basename(binary) }
    : {
        uws,
        native: false,
        package: name,
        version,
        detail: `no native binary for ${process.platform}-${process.arch} ABI ${process.versions.modules}; using the ws-based fallback`,
      };
}
