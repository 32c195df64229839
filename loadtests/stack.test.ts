/**
 * What can be checked of the Docker side without a Docker engine: docker-compose.yml parsed and its
 * limits, network and mounts asserted; the Dockerfile's stages, base image defaults, user, port, health
 * check and build command; .dockerignore. (The optional k6 scripts' shapes: loadtests/k6/options.test.ts.)
 * The image and the stack are built and run for real by loadtests/docker.e2e.ts and scripts/compose.sh
 * (make test-docker).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { parseMemory } from '../lab/limits.js';

/** The repository root: the nearest folder above this file with a package.json (src or dist). */
function repoRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error('no package.json above the test');
  }
}
const ROOT = repoRoot();
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface ComposeService {
  image?: string;
  build?: string | { context: string; network?: string };
  hostname?: string;
  cpus?: number | string;
  mem_limit?: string;
  memswap_limit?: string;
  command?: string[];
  volumes?: string[];
  ports?: string[];
  networks?: string[];
  network_mode?: string;
  environment?: Record<string, string>;
}
interface Compose {
  services: Record<string, ComposeService>;
  networks: Record<string, { name?: string }>;
}
const compose = parse(read('docker-compose.yml')) as Compose;
const service = (name: string): ComposeService => {
  const s = compose.services[name];
  assert.ok(s, `docker-compose.yml has no service "${name}"`);
  return s;
};

test('compose: the service gets 1 CPU and 256 MB with no swap, like the seed', () => {
  const lab = service('lab');
  assert.equal(Number(lab.cpus), 1);
  assert.equal(parseMemory(lab.mem_limit!), 256 * 1024 * 1024);
  assert.equal(lab.memswap_limit, lab.mem_limit, 'memswap_limit equal to mem_limit means no swap');
  assert.deepEqual(lab.build, { context: '.', network: 'host' }, 'the service is built from this repository');
});

test('compose: the service is reachable as lab:8000 on lab_network, and only on loopback from the host', () => {
  const lab = service('lab');
  assert.equal(compose.networks.lab_network?.name, 'lab_network', 'a fixed network name, for `docker run --network lab_network`');
  assert.deepEqual(lab.networks, ['lab_network']);
  assert.equal(lab.hostname, 'lab');
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a compose or Dockerfile variable, as the file spells it
  assert.deepEqual(lab.ports, ['127.0.0.1:${LAB_PORT:-8000}:8000']);
  // The seed's vegeta command in the file's header must aim at that name and port.
  assert.match(read('docker-compose.yml'), /docker run --network lab_network --rm -i peterevans\/vegeta[^\n]*\n[^\n]*GET http:\/\/lab:8000\/hello/);
});

test("compose: statsd_exporter and Prometheus use the repository's statsd.conf and prom.yml", () => {
  const statsd = service('statsd_exporter');
  const prom = service('prometheus');
  const mount = (s: ComposeService, file: string) => {
    const v = s.volumes?.find((m) => m.startsWith(`./${file}:`));
    assert.ok(v, `${file} is not mounted`);
    assert.ok(existsSync(join(ROOT, file)), `${file} is missing at the repository root`);
    return v.split(':')[1]!;
  };
  assert.ok(statsd.command?.includes(`--statsd.mapping-config=${mount(statsd, 'statsd.conf')}`));
  assert.ok(prom.command?.includes(`--config.file=${mount(prom, 'prom.yml')}`));
  assert.deepEqual(statsd.networks, ['lab_network']);
  assert.equal(service('lab').environment?.STATSD_HOST, 'statsd_exporter');
  // prom.yml scrapes 127.0.0.1:9102: true only inside statsd_exporter's network namespace.
  assert.match(read('prom.yml'), /127\.0\.0\.1:9102/);
  assert.equal(prom.network_mode, 'service:statsd_exporter');
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a compose or Dockerfile variable, as the file spells it
  assert.ok(statsd.ports?.includes('127.0.0.1:${PROMETHEUS_PORT:-9090}:9090'), "Prometheus's port is published by the namespace it lives in");
  for (const s of [statsd, prom]) {
    assert.equal(Number(s.cpus), 1);
    assert.equal(s.memswap_limit, s.mem_limit);
    // Official images by default, pinned; scripts/compose.sh substitutes local stand-ins.
    assert.match(s.image ?? '', /^\$\{[A-Z_]+_IMAGE:-prom\/[a-z-]+:v[0-9]+\.[0-9]+\.[0-9]+\}$/, 'images are pinned');
  }
});

/** Dockerfile instructions, continuation lines joined, comments dropped. */
function dockerfile(): Array<{ op: string; args: string }> {
  const lines = read('Dockerfile').replace(/\\\n/g, ' ').split('\n');
  return lines
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [op = '', ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

test('Dockerfile: builds with make build, runs on Node 24 slim as a non-root user on 0.0.0.0:8000', () => {
  const ins = dockerfile();
  const froms = ins.flatMap((i, n) => (i.op === 'FROM' ? [n] : []));
  assert.ok(froms.length >= 3, 'multi-stage: build, production dependencies, runtime');
  const stage = (n: number) => ins.slice(froms[n], froms[n + 1]);
  const args = Object.fromEntries(
    ins
      .slice(0, froms[0])
      .filter((i) => i.op === 'ARG')
      .map((i) => i.args.split('=')),
  );
  // Official defaults, each an ARG that scripts/docker-images.sh's stand-ins replace.
  assert.deepEqual(args, { NODE_IMAGE: 'node:24-trixie-slim', RUST_IMAGE: 'rust:1.95-bookworm', RUNTIME_IMAGE: 'debian:trixie-slim' });
  const build = froms.map((_, n) => stage(n)).find((s) => /\bAS build$/i.test(s[0]!.args));
  assert.ok(build, 'a stage named build');
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a compose or Dockerfile variable, as the file spells it
  assert.equal(build[0]!.args, '${RUST_IMAGE} AS build');
  const runs = build
    .filter((i) => i.op === 'RUN')
    .map((i) => i.args)
    .join('\n');
  // The same install command as the Makefile's node_modules recipe, then the same `make build`.
  const install = /^\$\(NODE_MODULES\):.*\n(?:\t[^\n]*\n)*?\t[^\n]*?(npm ci [^'\n]+)/m.exec(read('Makefile'))?.[1];
  assert.ok(install, "the Makefile's node_modules recipe");
  assert.ok(runs.includes(install), `the build stage runs "${install}"`);
  assert.match(runs, /make build/, 'the image is built by the same command as a workstation');
  assert.match(runs, /rustup target add wasm32-unknown-unknown/);
  // The same locked uWS builds as a workstation (package.json's uws-* aliases), each cut to this image's binary.
  const deps = froms.map((_, n) => stage(n)).find((s) => /\bAS deps$/i.test(s[0]!.args));
  const depsRun =
    deps
      ?.filter((i) => i.op === 'RUN')
      .map((i) => i.args)
      .join('\n') ?? '';
  assert.match(depsRun, /npm ci --omit=dev/);
  assert.match(depsRun, /find node_modules\/uws-\* -name 'uws_\*\.node' ! -name "\$binary" -delete/);

  const runtime = stage(froms.length - 1);
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a compose or Dockerfile variable, as the file spells it
  assert.equal(runtime[0]!.args, '${RUNTIME_IMAGE}', 'the runtime is plain Debian slim: no npm, no compilers');
  assert.ok(runtime.some((i) => i.op === 'COPY' && i.args === '--from=node /usr/local/bin/node /usr/local/bin/node'));
  const user = runtime.filter((i) => i.op === 'USER').at(-1)?.args;
  assert.ok(user && user !== 'root' && user !== '0', `non-root user (got ${user})`);
  assert.ok(runtime.some((i) => i.op === 'EXPOSE' && i.args === '8000'));
  const env = runtime
    .filter((i) => i.op === 'ENV')
    .map((i) => i.args)
    .join(' ');
  assert.match(env, /\bHOST=0\.0\.0\.0\b/);
  assert.match(env, /\bPORT=8000\b/);
  const cmd = runtime.find((i) => i.op === 'CMD');
  assert.deepEqual(JSON.parse(cmd!.args), ['node', 'dist/server/main.js']);
  const health = runtime.find((i) => i.op === 'HEALTHCHECK');
  assert.match(health?.args ?? '', /CMD \[.*\/heavy\/health\//);
});

test('.dockerignore keeps host builds and tools out of the build context', () => {
  const ignored = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim());
  for (const p of ['.git', 'node_modules', 'dist', 'target', '.tools', '.data', 'native/*.node', 'wasm/pkg']) {
    assert.ok(ignored.includes(p), `${p} is not in .dockerignore`);
  }
});

test('Debian packages are installed only through scripts/apt-install.sh (apt-get elsewhere only inside image builds)', () => {
  const files = [
    'Makefile',
    ...readdirSync(join(ROOT, 'mk'))
      .filter((f) => /\.(mk|mjs)$/.test(f))
      .map((f) => `mk/${f}`),
    ...readdirSync(join(ROOT, 'scripts'))
      .filter((f) => f.endsWith('.sh') && f !== 'apt-install.sh')
      .map((f) => `scripts/${f}`),
  ];
  const direct = files.flatMap((f) =>
    read(f)
      .split('\n')
      .map((line, i) => ({ where: `${f}:${i + 1}`, line }))
      // A Dockerfile's RUN line (a heredoc or a printf of one) runs apt inside the image being built.
      .filter(({ line }) => /\bapt-get\b/.test(line) && !/^\s*#/.test(line) && !/(^|['"])RUN apt-get|^\s*&& DEBIAN_FRONTEND=noninteractive apt-get install/.test(line)),
  );
  assert.deepEqual(direct, [], 'call scripts/apt-install.sh instead: it serializes installs and fails loudly');
});

test('scripts/apt-install.sh: nothing to do for installed packages (no apt, no lock), usage error without any', () => {
  const done = spawnSync(join(ROOT, 'scripts/apt-install.sh'), ['bash', 'coreutils'], { encoding: 'utf8', env: { ...process.env, TMPDIR: '/nonexistent' } });
  // TMPDIR points nowhere: the lock file would fail to open, so exit 0 proves no lock was taken.
  assert.equal(done.status, 0, done.stderr);
  assert.equal(done.stdout + done.stderr, '');
  const usage = spawnSync(join(ROOT, 'scripts/apt-install.sh'), [], { encoding: 'utf8' });
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /usage: scripts\/apt-install\.sh PACKAGE/);
});
