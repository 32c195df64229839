// Chooses the Node.js that builds, tests and runs the lab, and writes the choice as a Makefile
// fragment that mk/node.mk includes (make restarts once with it). Run by the machine's own node,
// which may be too old to run the lab but is new enough to run this file and npm.
//
//   node mk/node-runtime.mjs --mode auto|system|pinned --pin 22.23.5 --out .tools/node-auto.mk
//
//   auto    the machine's own Node when it is 22 or newer AND one of the uWS builds in package.json
//           loads its native binary under it; otherwise the pinned Node from the npm registry
//   system  the machine's own Node (22+, or a clear error); a loud warning when no uWS build loads
//           under it (it can still build: the image's build stage does)
//   pinned  the pinned Node, always (npm's node-<platform>-<arch>@<pin>, into .tools/node-<pin>/)
//
// Why both: Node 20 left support on 2026-04-30, and no uWS build has a Node 24 binary that loads on
// glibc < 2.38 (Debian 12 has 2.36). The pinned Node 22 runs uWS v20.51 on glibc >= 2.27.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const MIN_MAJOR = 22;
const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const { values: opts } = parseArgs({ options: { mode: { type: 'string' }, pin: { type: 'string' }, out: { type: 'string' } } });
const mode = opts.mode ?? 'auto';
const fail = (msg) => {
  console.error(`node-runtime: ${msg}`);
  process.exit(2);
};
if (!['auto', 'system', 'pinned'].includes(mode)) fail(`NODE must be auto, system or pinned (got '${mode}')`);
if (!opts.pin || !/^\d+\.\d+\.\d+$/.test(opts.pin)) fail(`--pin must be a Node version like 22.23.5 (got '${opts.pin ?? ''}')`);
if (!opts.out) fail('--out is required');

/** The uWS builds the lab carries: package.json's `uws-<version>` aliases, newest first (server/uws.ts reads the same). */
function uwsBuilds() {
  const deps = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).dependencies ?? {};
  const v = (name) => name.slice(4).split('.').map(Number);
  return Object.keys(deps)
    .filter((d) => /^uws-\d+\.\d+$/.test(d))
    .sort((a, b) => v(b)[0] - v(a)[0] || v(b)[1] - v(a)[1]);
}

/** Runs `node` on a probe that loads each uWS build's binary for its own ABI; returns what loaded or why not. */
function probe(node) {
  const script = `
    const builds = ${JSON.stringify(uwsBuilds())}, root = ${JSON.stringify(ROOT)};
    const out = { version: process.version, major: Number(process.versions.node.split('.')[0]),
      abi: process.versions.modules, glibc: process.report?.getReport().header.glibcVersionRuntime ?? null, loaded: null, tried: [] };
    for (const b of builds) {
      const file = require('path').join(root, 'node_modules', b, 'uws_' + process.platform + '_' + process.arch + '_' + process.versions.modules + '.node');
      if (!require('fs').existsSync(file)) { out.tried.push(b + ': no binary for ABI ' + process.versions.modules); continue; }
      try { process.dlopen({ exports: {} }, file); out.loaded = b; break; }
      catch (e) { out.tried.push(b + ': ' + String(e.message).split('\\n')[0]); }
    }
    console.log(JSON.stringify(out));`;
  const r = spawnSync(node, ['-e', script], { encoding: 'utf8' });
  if (r.status !== 0) fail(`${node} could not run: ${r.stderr || r.error}`);
  return JSON.parse(r.stdout);
}

/** npm ci with whatever npm is on PATH, when node_modules is missing or older than the lock. */
function ensureModules() {
  const stamp = join(ROOT, 'node_modules', '.package-lock.json');
  if (existsSync(stamp)) return;
  console.error('node-runtime: npm ci (to check which uWS build loads under this Node)');
  // The same turn-taking as the Makefile's node_modules recipe: a second make side by side waits, then finds it done.
  mkdirSync(join(ROOT, '.tools'), { recursive: true });
  const ci = '[ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund';
  execFileSync('flock', ['.tools/.npm-ci.lock', 'bash', '-c', ci], { cwd: ROOT, stdio: ['ignore', 2, 2] });
}

/** The pinned Node from the npm registry into .tools/node-<pin>/bin/node; safe to run twice or side by side. */
function installPinned(pin) {
  const home = join(ROOT, '.tools', `node-${pin}`);
  const bin = join(home, 'bin', 'node');
  if (existsSync(bin)) return bin;
  const pkg = `node-${process.platform}-${process.arch}@${pin}`;
  console.error(`node-runtime: installing Node ${pin} from the npm registry (${pkg}) into .tools/node-${pin}`);
  mkdirSync(join(ROOT, '.tools'), { recursive: true });
  const tmp = mkdtempSync(join(ROOT, '.tools', '.node-'));
  try {
    execFileSync('npm', ['pack', '--silent', pkg], { cwd: tmp, stdio: ['ignore', 'ignore', 2] });
    const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    if (!tgz) fail(`npm pack ${pkg} wrote no tarball`);
    execFileSync('tar', ['-xzf', tgz], { cwd: tmp });
    rmSync(join(tmp, tgz));
    const got = execFileSync(join(tmp, 'package', 'bin', 'node'), ['--version'], { encoding: 'utf8' }).trim();
    if (got !== `v${pin}`) fail(`${pkg} runs as ${got}, not v${pin}`);
    try {
      renameSync(join(tmp, 'package'), home);
    } catch (err) {
      if (!existsSync(bin)) throw err; // another make installed it meanwhile: keep theirs
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return bin;
}

function describe(p) {
  return `Node ${p.version} (ABI ${p.abi}, glibc ${p.glibc ?? 'none'})`;
}

const system = process.execPath;
let chosen;
if (mode === 'pinned') {
  chosen = { node: installPinned(opts.pin), why: 'NODE=pinned' };
} else {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < MIN_MAJOR) {
    if (mode === 'system')
      fail(
        `NODE=system: this machine's ${system} is Node ${process.version}; the lab needs Node ${MIN_MAJOR} or newer (Node 20 left support on 2026-04-30). Install Node 22/24 LTS, or leave NODE unset to use the pinned Node ${opts.pin} from the npm registry.`,
      );
    chosen = { node: installPinned(opts.pin), why: `the machine's Node ${process.version} is older than ${MIN_MAJOR}` };
  } else {
    ensureModules();
    const p = probe(system);
    if (p.loaded) chosen = { node: system, why: `the machine's ${describe(p)} loads ${p.loaded}` };
    else if (mode === 'system') {
      // Building needs no uWS (the image's build stage is such a machine); running does, and the
      // server refuses to start then with the same reasons.
      console.error(
        `node-runtime: WARNING: NODE=system: no uWS build loads under the machine's ${describe(p)}: ${p.tried.join('; ')}. The lab builds, but the server will refuse to start: Node 24/25 need glibc 2.38 (uWS v20.57); Node 22 loads uWS v20.51 on glibc 2.27+. Leave NODE unset to use the pinned Node ${opts.pin}.`,
      );
      chosen = { node: system, why: `NODE=system: the machine's ${describe(p)}, on which NO uWS build loads` };
    } else chosen = { node: installPinned(opts.pin), why: `no uWS build loads under the machine's ${describe(p)} (${p.tried.join('; ')})` };
  }
}

const dir = dirname(chosen.node);
const lines = [
  `# Written by mk/node-runtime.mjs (NODE=${mode}): ${chosen.why}.`,
  `NODE_BIN_DIR := ${dir}`,
  `NODE_CHOICE := ${chosen.node === system ? 'system' : 'pinned'}`,
  ...(chosen.node === system ? [] : ['export PATH := $(NODE_BIN_DIR):$(PATH)']),
  '',
];
mkdirSync(dirname(resolve(opts.out)), { recursive: true });
const tmpOut = `${opts.out}.${process.pid}`;
writeFileSync(tmpOut, lines.join('\n'));
renameSync(tmpOut, opts.out);
console.error(`node-runtime: ${chosen.node === system ? "the machine's" : 'the pinned'} Node (${chosen.why}) -> ${dir}`);
