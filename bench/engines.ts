/**
 * Every engine on the same CPU work, in one process: the default heavy workload and two sweeps.
 * Run with `make bench-engines`, which builds everything, including kernel/examples/bench.rs: that
 * binary is the "rust" row, the same kernel called from Rust with no JS, run as one more
 * contender in every round, so napi's overhead is measured under the same conditions.
 *
 * Method (after napi-rs/node-rs's benchmarks): identical inputs for every engine; every answer
 * checked against fixtures/vectors.json; engines rotated between rounds so none is always measured
 * right after the slowest; median and min reported, with the machine, Node, rustc and the build
 * flags printed above the numbers. Results are also written as JSON under bench/results/.
 *
 * Options: --engines=js,native (a subset), --reps=0.5 (scale every repetition count; at least 1).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../server/engines/engine.js';
import { DEFAULT_WORKLOAD, knownDigest, knownPrimes, readEngines, repoRoot } from '../lab/index.js';
import { median } from './lib/processes.js';
import { loadEngines } from '../server/engines/registry.js';
import { readBuildInfo, type BuildInfo } from '../server/engines/rust-artifacts.js';

interface Workload {
  /** Same names as kernel/examples/bench.rs, so the two reports line up. */
  readonly name: string;
  readonly group: 'default' | 'sha256_chain sweep' | 'sieve_count sweep';
  readonly reps: number;
  /**
   * False for the largest sweep points: the smaller points of the same sweep already warmed every
   * engine up, and a warm-up call of the slowest engines there costs ~10 s each.
   */
  readonly warmUp: boolean;
  /** One call's answer, compared with `expected` every time (kernel/examples/bench.rs checks its own). */
  readonly run: (engine: Engine) => string;
  readonly expected: string;
}

/** One timed sample: wall and CPU milliseconds per call. */
interface Sample {
  readonly wall: number;
  readonly cpu: number;
  readonly calls: number;
}

/** An engine, or the pure-Rust binary: what takes a turn in each round. */
interface Contender {
  readonly name: string;
  /** A warm-up call, and the calls per sample from its time; undefined if the contender calibrates itself. */
  warmUp?(w: Workload): number;
  sample(w: Workload, calls: number): Sample;
}

interface Row {
  readonly workload: string;
  readonly engine: string;
  readonly reps: number;
  readonly callsPerSample: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly medianCpuMs: number;
  readonly minCpuMs: number;
  /** js CPU median / this CPU median: how many times faster than pure TypeScript. */
  readonly speedupVsJs?: number;
  /** For native: this CPU median / the rust row's CPU median (the same kernel without napi). */
  readonly vsPureRust?: number;
  /** The same with both CPU minimums. */
  readonly minVsPureRust?: number;
}

/** A sample that would be shorter than this repeats the call and divides, like the Rust bench. */
const MIN_SAMPLE_MS = 2;

const root = repoRoot();
const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const repScale = Number(args.get('reps') ?? 1);
const names = readEngines({ ENGINES: args.get('engines') });

function knownCount(limit: number): string {
  const count = knownPrimes(limit);
  if (count === undefined) throw new Error(`fixtures/vectors.json has no prime count for ${limit}`);
  return String(count);
}
function knownChain(rounds: number): string {
  const digest = knownDigest(rounds);
  if (digest === undefined) throw new Error(`fixtures/vectors.json has no chain digest for ${rounds} rounds`);
  return digest;
}
const { primeLimit: DEFAULT_LIMIT, hashRounds: DEFAULT_ROUNDS } = DEFAULT_WORKLOAD;

const reps = (n: number): number => Math.max(1, Math.round(n * repScale));
const workloads: Workload[] = [
  {
    name: `default: prime_limit=${DEFAULT_LIMIT} + hash_rounds=${DEFAULT_ROUNDS}`,
    group: 'default',
    reps: reps(7),
    warmUp: true,
    run: (e) => `${e.sieveCountSync(DEFAULT_LIMIT)} ${e.sha256ChainSync(DEFAULT_ROUNDS)}`,
    expected: `${knownCount(DEFAULT_LIMIT)} ${knownChain(DEFAULT_ROUNDS)}`,
  },
  ...[1e3, 1e4, 1e5, 1e6, 1e7].map(
    (rounds): Workload => ({
      name: `sha256_chain rounds=${rounds}`,
      group: 'sha256_chain sweep',
      reps: reps(rounds >= 1e7 ? 2 : rounds >= 1e6 ? 5 : 11),
      warmUp: rounds < 1e7,
      run: (e) => e.sha256ChainSync(rounds),
      expected: knownChain(rounds),
    }),
  ),
  ...[1e4, 1e5, 1e6, 1e7, 1e8].map(
    (limit): Workload => ({
      name: `sieve_count limit=${limit}`,
      group: 'sieve_count sweep',
      reps: reps(limit >= 1e8 ? 5 : 11),
      warmUp: limit < 1e8,
      run: (e) => String(e.sieveCountSync(limit)),
      expected: knownCount(limit),
    }),
  ),
];

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** One timed sample of `calls` checked calls. */
function sample(engine: Engine, w: Workload, calls: number): Sample {
  const cpu0 = cpuMs();
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) {
    const answer = w.run(engine);
    if (answer !== w.expected) throw new Error(`${engine.name} ${w.name}: answered ${answer}, expected ${w.expected}`);
  }
  const wall = (performance.now() - t0) / calls;
  return { wall, cpu: (cpuMs() - cpu0) / calls, calls };
}

function engineContender(engine: Engine): Contender {
  return {
    name: engine.name,
    warmUp(w) {
      const once = sample(engine, w, 1).wall;
      return once >= MIN_SAMPLE_MS ? 1 : Math.ceil(MIN_SAMPLE_MS / Math.max(once, 1e-3));
    },
    sample: (w, calls) => sample(engine, w, calls),
  };
}

/**
 * kernel/examples/bench.rs in `sample` mode: it warms up, calibrates and times itself (so process
 * start-up is not counted) and checks its answers against the same fixtures. Its CPU time is
 * its thread's time on a CPU (CLOCK_THREAD_CPUTIME_ID).
 */
function rustContender(binary: string): Contender {
  return {
    name: 'rust',
    sample(w) {
      const out = JSON.parse(execFileSync(binary, ['sample', w.name], { encoding: 'utf8' })) as {
        ns_per_call: number;
        cpu_ns_per_call: number;
        calls_per_sample: number;
      };
      return { wall: out.ns_per_call / 1e6, cpu: out.cpu_ns_per_call / 1e6, calls: out.calls_per_sample };
    },
  };
}

function machine(): Record<string, string> {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const flags = /^flags\s*:(.*)$/m.exec(cpuinfo)?.[1]?.trim().split(/\s+/) ?? [];
  let cargoRustc = 'rustc not found';
  try {
    cargoRustc = execFileSync('rustc', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    // Only informative: the engines were built already, and their build info names their rustc.
  }
  return {
    cpu: `${os.cpus()[0]?.model ?? 'unknown'} (${os.cpus().length} logical CPUs; sha_ni ${flags.includes('sha_ni') ? 'yes' : 'no'}, avx2 ${flags.includes('avx2') ? 'yes' : 'no'})`,
    node: `${process.version} (V8 ${process.versions.v8})`,
    rustc_on_path: cargoRustc,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

/** The pure-Rust benchmark binary, built by `make bench-engines` (cargo build --example bench). */
function rustBinary(): string | undefined {
  const file = join(root, 'target', 'release', 'examples', 'bench');
  return existsSync(file) ? file : undefined;
}

const fmtMs = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(4));
const fmtX = (x: number | undefined): string => (x === undefined ? '' : `${x.toFixed(2)}x`);

async function main(): Promise<void> {
  const registry = await loadEngines(names);
  const engines: Engine[] = [];
  for (const name of names) {
    const status = registry.get(name)!;
    if (!status.available) throw new Error(`engine ${name} did not load: ${status.reason}`);
    engines.push(status.engine);
  }
  const builds: Record<string, BuildInfo | undefined> = {
    native: readBuildInfo(join(root, 'native', 'build-info.json')),
    wasm: readBuildInfo(join(root, 'wasm', 'pkg', 'build-info.json')),
  };
  const env = machine();
  const loadBefore = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const rust = rustBinary();
  const contenders: Contender[] = [...engines.map(engineContender), ...(rust ? [rustContender(rust)] : [])];

  console.log('bench-engines: the same CPU work on every engine, one process, one thread at a time.');
  console.log('Method: each answer checked against fixtures/vectors.json on every call. Per workload: one');
  console.log('warm-up call per engine (skipped at the largest sweep point, already warm), then `reps` rounds;');
  console.log(`each round runs every engine once, the order rotated by one engine per round. A sample shorter`);
  console.log(`than ${MIN_SAMPLE_MS} ms repeats the call and divides. Times are per call: median and min wall time`);
  console.log("(performance.now) and median CPU time (process.cpuUsage, user+sys, so V8's garbage-collector threads");
  console.log('count). Ratios use CPU medians, which other processes on a shared machine do not inflate: "vs js" =');
  console.log('js / engine. Row "rust" is the same kernel called from Rust (kernel/examples/bench.rs in its own');
  console.log('process, timing its own thread), taking its turn in every round; "vs pure Rust" = native / rust');
  console.log('CPU time, medians then minimums: what crossing napi costs.');
  console.log('');
  for (const [k, v] of Object.entries(env)) console.log(`${k.padEnd(14)} ${v}`);
  console.log(`${'load average'.padEnd(14)} ${loadBefore} (before)`);
  for (const e of engines) console.log(`${e.name.padEnd(14)} ${e.description}`);
  console.log(
    `${'rust'.padEnd(14)} ${rust ? 'kernel/examples/bench.rs, release profile and flags of the native build' : 'not built (cargo build --release -p kernel --example bench): no pure-Rust row'}`,
  );
  console.log('');

  const rows: Row[] = [];
  const header = `${'engine'.padEnd(12)} ${'reps'.padStart(4)} ${'median ms'.padStart(10)} ${'min ms'.padStart(10)} ${'cpu ms'.padStart(10)} ${'vs js'.padStart(8)} ${'vs pure Rust'.padStart(14)}`;
  let group = '';
  for (const w of workloads) {
    if (w.group !== group) {
      group = w.group;
      console.log(`== ${group}`);
    }
    console.log(`-- ${w.name}`);
    console.log(header);
    const callsPerSample = new Map<string, number>();
    for (const c of contenders) callsPerSample.set(c.name, w.warmUp && c.warmUp ? c.warmUp(w) : 1);
    const samples = new Map<string, Sample[]>(contenders.map((c) => [c.name, []]));
    for (let r = 0; r < w.reps; r++) {
      for (let i = 0; i < contenders.length; i++) {
        const c = contenders[(i + r) % contenders.length]!;
        samples.get(c.name)!.push(c.sample(w, callsPerSample.get(c.name)!));
      }
    }
    const stats = (name: string) => {
      const s = samples.get(name);
      return (
        s && {
          median: median(s.map((x) => x.wall)),
          min: Math.min(...s.map((x) => x.wall)),
          cpuMedian: median(s.map((x) => x.cpu)),
          cpuMin: Math.min(...s.map((x) => x.cpu)),
        }
      );
    };
    const js = stats('js');
    const pureRust = stats('rust');
    for (const c of contenders) {
      const s = samples.get(c.name)!;
      const { median: med, min, cpuMedian, cpuMin } = stats(c.name)!;
      const row: Row = {
        workload: w.name,
        engine: c.name,
        reps: w.reps,
        callsPerSample: s[s.length - 1]!.calls,
        medianMs: med,
        minMs: min,
        medianCpuMs: cpuMedian,
        minCpuMs: cpuMin,
        ...(js ? { speedupVsJs: js.cpuMedian / cpuMedian } : {}),
        ...(pureRust && c.name === 'native' ? { vsPureRust: cpuMedian / pureRust.cpuMedian, minVsPureRust: cpuMin / pureRust.cpuMin } : {}),
      };
      rows.push(row);
      console.log(
        `${c.name.padEnd(12)} ${String(w.reps).padStart(4)} ${fmtMs(row.medianMs).padStart(10)} ${fmtMs(row.minMs).padStart(10)} ${fmtMs(row.medianCpuMs).padStart(10)} ${fmtX(row.speedupVsJs).padStart(8)} ${(row.vsPureRust === undefined ? '' : `${row.vsPureRust.toFixed(2)}/${fmtX(row.minVsPureRust)}`).padStart(14)}`,
      );
    }
  }

  const loadAfter = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  console.log(`\nload average ${loadAfter} (after); other processes on this machine share its CPUs.`);
  const find = (workload: string, engine: string): Row | undefined => rows.find((r) => r.workload === workload && r.engine === engine);
  const targets: string[] = [];
  const def = workloads[0]!.name;
  const nativeDefault = find(def, 'native');
  if (nativeDefault)
    targets.push(`native default-workload CPU time ${(nativeDefault.medianCpuMs / 1000).toFixed(3)} s (target <= 0.12 s): ${nativeDefault.medianCpuMs <= 120 ? 'met' : 'MISSED'}`);
  const nativeSha = find('sha256_chain rounds=1000000', 'native');
  if (nativeSha?.speedupVsJs !== undefined)
    targets.push(`native vs js on the SHA chain (1e6 rounds, CPU medians) ${fmtX(nativeSha.speedupVsJs)} (target >= 4x): ${nativeSha.speedupVsJs >= 4 ? 'met' : 'MISSED'}`);
  for (const w of [def, 'sha256_chain rounds=1000000', 'sieve_count limit=100000000']) {
    const wasm = find(w, 'wasm');
    if (wasm?.speedupVsJs !== undefined) targets.push(`wasm vs js on ${w} (CPU medians): ${fmtX(wasm.speedupVsJs)} (target >= 1x): ${wasm.speedupVsJs >= 1 ? 'met' : 'MISSED'}`);
  }
  if (nativeDefault?.vsPureRust !== undefined) {
    const ok = nativeDefault.vsPureRust <= 1.05 || nativeDefault.minVsPureRust! <= 1.05;
    targets.push(
      `native through napi vs pure Rust, default workload: CPU medians ${fmtX(nativeDefault.vsPureRust)}, minimums ${fmtX(nativeDefault.minVsPureRust)} (target <= 1.05x): ${ok ? 'met' : 'MISSED'}`,
    );
  }
  if (targets.length > 0) console.log(`targets:\n  ${targets.join('\n  ')}`);

  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const report = {
    bench: 'engines',
    date: new Date().toISOString(),
    method: { minSampleMs: MIN_SAMPLE_MS, rotation: 'engine order rotated by one per round', check: 'every answer against fixtures/vectors.json', repScale },
    machine: { ...env, loadavg_before: loadBefore, loadavg_after: loadAfter },
    engines: Object.fromEntries(engines.map((e) => [e.name, e.description])),
    builds,
    targets,
    results: rows,
  };
  const stamp = report.date.replace(/[:.]/g, '-');
  writeFileSync(join(dir, `engines-${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, 'engines-latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote bench/results/engines-${stamp}.json (and engines-latest.json)`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
