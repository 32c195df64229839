import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import type * as uWS from 'uws-20.57';
import { repoRoot } from './engines/rust-artifacts.js';

const require = createRequire(import.meta.url);

/** Which uWebSockets.js build this process runs. */
export interface UwsRuntime {
  readonly uws: typeof uWS;
  /** Always true: every build the lab carries throws when its binary does not load (no `ws` copy). */
  readonly native: boolean;
  /** The npm package behind the alias that loaded (e.g. `@based/uws`). */
  readonly package: string;
  /** The package's version. */
  readonly version: string;
  /** The uWS release the build is of (`20.51`), from the alias `uws-<release>`. */
  readonly release: string;
  /** The native binary's file name. */
  readonly detail: string;
  /** The newer builds tried first and why each did not load (empty when the newest loaded). */
  readonly skipped: readonly string[];
  /** The C library this process runs on (null on a libc other than glibc), read once at load. */
  readonly glibc: string | null;
}

/** Thrown when no build loads: names every build tried and the reason each gave. */
export class UwsLoadError extends Error {}

/**
 * The uWS builds the lab carries, newest first: package.json's `uws-<release>` aliases. Each is an
 * unofficial npm build of uWebSockets.js with binaries for some Node ABIs that need some glibc:
 * v20.57 (@btc-vision) for Node 20/22/24/25 on glibc >= 2.38, v20.51 (@based) for Node 22 on
 * glibc >= 2.27. `only` (UWS_BUILDS) narrows and orders the list.
 */
export function uwsBuilds(only?: readonly string[]): string[] {
  const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const release = (name: string) => name.slice(4).split('.').map(Number) as [number, number];
  const all = Object.keys(pkg.dependencies ?? {})
    .filter((d) => /^uws-\d+\.\d+$/.test(d))
    .sort((a, b) => release(b)[0] - release(a)[0] || release(b)[1] - release(a)[1]);
  if (!only || only.length === 0) return all;
  const unknown = only.filter((b) => !all.includes(b));
  if (unknown.length > 0) throw new UwsLoadError(`UWS_BUILDS names ${unknown.join(', ')}; the lab carries ${all.join(', ')}`);
  return [...only];
}

/**
 * Loads the newest uWS build whose native binary loads under this Node, and names it. A build whose
 * binary is missing for this ABI or needs a newer glibc throws on require (both packages do); the
 * next older one is tried. When none loads, a `UwsLoadError` names every build and its reason; the
 * server and the peers refuse to start then, since numbers from anything else would not be uWS's.
 */
export function loadUws(only?: readonly string[]): UwsRuntime {
  const skipped: string[] = [];
  const glibc = glibcVersion();
  const where = `${process.platform}-${process.arch} ABI ${process.versions.modules} (Node ${process.version}, glibc ${glibc ?? 'none'})`;
  for (const build of uwsBuilds(only)) {
    let dir: string;
    try {
      // The package's folder: not every build exports './package.json' to require().
      dir = dirname(require.resolve(build));
    } catch {
      skipped.push(`${build}: not installed (npm ci)`);
      continue;
    }
    while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
    const { name, version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; version: string };
    let uws: typeof uWS;
    try {
      uws = require(build) as typeof uWS;
    } catch (err) {
      const reason = (err instanceof Error ? err.message : String(err)).split('\n').filter(Boolean).at(-1) ?? 'unknown error';
      // The loader names the binary by its absolute path: the build's name says the same, shorter.
      skipped.push(`${build} (${name} ${version}): ${reason.replaceAll(`${dir}/`, `${build}/`)}`);
      continue;
    }
    const binary = Object.keys(require.cache).find((k) => k.startsWith(dir) && /[\\/]uws_[^\\/]+\.node$/.test(k));
    if (!binary) {
      skipped.push(`${build} (${name} ${version}): loaded without a native .node binary`);
      continue;
    }
    return { uws, native: true, package: name, version, release: build.slice(4), detail: basename(binary), skipped, glibc };
  }
  throw new UwsLoadError(`no uWS build loads on ${where}: ${skipped.join('; ')}`);
}

/** The C library's version this process runs on (null on a libc other than glibc). A whole diagnostic report: not for a request path. */
function glibcVersion(): string | null {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return header?.glibcVersionRuntime ?? null;
}
