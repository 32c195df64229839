/**
 * Where the Rust engines' build outputs live, and what built them. `make build-native` and
 * `make build-wasm` write the artifacts inside the repository (native/, wasm/pkg/) together with a
 * build-info JSON (mk/build-info.mjs) naming the compiler and the speed flags, so an engine's
 * description and every benchmark say what was measured.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What mk/build-info.mjs records next to an artifact. */
export interface BuildInfo {
  readonly artifact: string;
  readonly bytes: number;
  readonly target: string;
  readonly rustc: string;
  readonly profile: Readonly<Record<string, string | number | boolean>>;
  readonly rustflags: readonly string[];
  /** One line: rustc version, target, profile settings, rustflags. */
  readonly summary: string;
  readonly built_at: string;
}

/**
 * The repository root: the nearest folder at or above `from` that holds package.json. Compiled
 * code runs from dist/server/engines/ and sources from server/engines/, so a fixed number of
 * `..` would be right for only one of them.
 */
export function repoRoot(from: URL = new URL('.', import.meta.url)): string {
  const start = fileURLToPath(from);
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json at or above ${start}`);
  }
}

/** The build info at `path`, or undefined when the artifact was built some other way. */
export function readBuildInfo(path: string): BuildInfo | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as BuildInfo;
  } catch {
    return undefined;
  }
}

/** How an artifact was built, for an engine description. */
export function describeBuild(info: BuildInfo | undefined, infoFile: string): string {
  return info ? `built by ${info.summary}` : `build flags unknown (${infoFile} missing)`;
}

/** The first line of an error message: loaders quote causes whose later lines are noise. */
export function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n', 1)[0] ?? '';
}
