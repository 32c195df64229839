/** The environment a run records before any load: machine, tools, builds, pinning, how busy. */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release } from 'node:os';
import { join } from 'node:path';
import { outputOr, sleep } from './exec.js';
import type { Environment } from './manifest.js';
import { pacerPath } from '../../lab/generators/pacer.js';
import { readCoreTimes } from '../../lab/proc.js';
import type { Run } from './runner.js';

/** Service settings a run passes through, recorded when set. */
const SERVICE_ENV = ['POOL_SIZE', 'QUEUE_MAX', 'DEADLINE_MS', 'DEFAULT_IMPL', 'DEFAULT_MODE', 'CPUS', 'MEMORY', 'METHOD', 'HEAP_MB'];

export async function captureEnvironment(run: Run): Promise<Environment> {
  const builds: Record<string, unknown> = {};
  for (const [name, file] of [
    ['native', 'native/build-info.json'],
    ['wasm', 'wasm/pkg/build-info.json'],
  ] as const) {
    try {
      builds[name] = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      builds[name] = null;
    }
  }
  const dirty = (await outputOr('git', ['status', '--porcelain', '--untracked-files=no'], '')) !== '';
  const env: Record<string, string> = {};
  for (const k of SERVICE_ENV) {
    if (process.env[k] !== undefined) env[k] = process.env[k]!;
  }
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cpus: availableParallelism(),
    kernel: release(),
    node: process.version,
    rustc: await outputOr('rustc', ['--version'], 'not installed'),
    vegeta: readVersionStamp('vegeta') ?? (await outputOr(run.vegeta, ['-version'], 'unknown')).split('\n')[0]!,
    pacer: (await outputOr(pacerPath(), ['--version'], 'not built')).split('\n')[0]!,
    wrk: (await outputOr('sh', ['-c', `${run.wrk} -v 2>&1 | head -1`], 'unknown')).trim(),
    commit: `${await outputOr('git', ['rev-parse', '--short', 'HEAD'], 'unknown')}${dirty ? ' (with uncommitted changes)' : ''}`,
    builds,
    pinning: {
      service: run.serviceCpu,
      generator: run.genCpu,
      why: !run.genCpu
        ? 'one core only: generator and service share it, so every number is a lower bound for the service'
        : run.serviceCpu
          ? 'PIN_SERVICE=1: service on core 0 (so its 1-CPU quota never throttles); pacer, vegeta and wrk on core 1; statsd_exporter and Prometheus not pinned'
          : 'pacer, vegeta and wrk pinned to core 1; the service limited by its cgroup quota only (may run on either core, throttled per 100 ms period, as under docker --cpus=1); statsd_exporter and Prometheus not pinned, their CPU measured per step',
    },
    serviceEnv: env,
    busyCoresBeforeStart: await busyCores(2000),
    loadAverage: loadavg(),
  };
}

/** Busy cores of the whole machine over `ms`, from /proc/stat. */
async function busyCores(ms: number): Promise<number | null> {
  const a = readCoreTimes();
  await sleep(ms);
  const b = readCoreTimes();
  if (a.length === 0 || a.length !== b.length) return null;
  return a.reduce((sum, x, i) => sum + (b[i]!.busy - x.busy) / Math.max(1, b[i]!.total - x.total), 0);
}

function readVersionStamp(tool: string): string | null {
  try {
    return `${tool} ${readFileSync(join('.tools', 'bin', `.${tool}.version`), 'utf8').trim()}`;
  } catch {
    return null;
  }
}
