// Removes from dist/ every compiled file whose TypeScript source is gone, so `npm test` (which runs
// every dist/**/*.test.js) never runs a deleted test. Files whose source exists stay: dist/ is never
// absent, so a service or a run started from it keeps working while tsc rewrites it.
//
// usage: node mk/clean-dist.mjs   (from the repository root; `npm run build` runs it before tsc)
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const OUT = 'dist';
const COMPILED = /(\.d)?\.[cm]?js(\.map)?$/;
let removed = 0;

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      walk(path);
      if (readdirSync(path).length === 0) rmSync(path, { recursive: true });
      continue;
    }
    const source = relative(OUT, path).replace(COMPILED, '');
    if (source === relative(OUT, path) || ['.ts', '.mts', '.cts'].some((ext) => existsSync(source + ext))) continue;
    rmSync(path);
    removed++;
  }
}

if (existsSync(OUT)) walk(OUT);
if (removed > 0) console.log(`clean-dist: removed ${removed} compiled file(s) whose source is gone`);
