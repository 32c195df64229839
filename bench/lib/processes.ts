/**
 * Benchmark plumbing: start the server (or any script) as a child process pinned to a CPU, and run
 * the real load generators. Every command is echoed before it runs, so a run can be repeated by hand.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { cpus as osCpus, release } from 'node:os';
import { promisify } from 'node:util';
import type { StepSummary } from '../../lab/generators/summary.js';
import { parseVegetaReport } from '../../lab/generators/vegeta.js';
import { parseWrk } from '../../lab/generators/wrk.js';
import { median as labMedian, repoRoot } from '../../lab/index.js';
import { procUsage } from '../../lab/proc.js';

const execFileP = promisify(execFile);

/** The repository root, with a trailing slash. */
export const REPO = `${repoRoot()}/`;
export const SERVER_MAIN = `${REPO}dist/server/main.js`;

export interface Started {
  readonly url: string;
  readonly pid: number;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `node script` pinned to `cpu` (taskset) on an ephemeral port; resolves once it listens. */
export async function startPinned(script: string, cpu: number, env: Record<string, string> = {}): Promise<Started> {
  const args = ['-c', String(cpu), process.execPath, script];
  echo(
    `PORT=0 ${Object.entries(env)
      .map(([k, v]) => `${k}=${v} `)
      .join('')}taskset -c ${cpu} node ${script.replace(REPO, '')}`,
  );
  const child = spawn('taskset', args, { env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = once(child, 'exit');
  for (let i = 0; i < 400; i++) {
    const m = /listening on (http:\/\/\S+)/.exec(out);
    if (m) {
      return {
        url: m[1]!,
        pid: child.pid!,
        child,
        async stop() {
          if (child.exitCode === null) child.kill('SIGTERM');
          await exited;
        },
      };
    }
    if (child.exitCode !== null) break;
    await sleep(25);
  }
  child.kill('SIGKILL');
  throw new Error(`${script} did not start:\n${out}`);
}

/**
 * wrk, closed loop, pinned to `cpu`: requests per second. With `pipeline` > 1 each write carries
 * that many requests (bench/lib/pipeline.lua), so one wrk thread can saturate the server's core.
 */
export async function wrk(url: string, cpu: number, seconds: number, connections = 64, pipeline = 1): Promise<number> {
  return (await wrkRun(url, cpu, seconds, connections, pipeline)).rps;
}

/** One wrk run as `wrk` does it: requests/s, the requests it completed, and its whole output. */
export async function wrkRun(url: string, cpu: number, seconds: number, connections = 64, pipeline = 1): Promise<{ rps: number; requests: number; stdout: string }> {
  const script = pipeline > 1 ? ['-s', 'bench/lib/pipeline.lua'] : [];
  const args = ['-c', String(cpu), 'wrk', '-t1', `-c${connections}`, ...script, `-d${seconds}s`, url];
  echo(`${pipeline > 1 ? `PIPELINE=${pipeline} ` : ''}taskset ${args.join(' ')}`);
  const { stdout } = await execFileP('taskset', args, { cwd: REPO, env: { ...process.env, PIPELINE: String(pipeline) } });
  const r = parseWrk(stdout);
  if (!r) throw new Error(`unexpected wrk output:\n${stdout}`);
  return { rps: r.requestsPerSec, requests: r.requests, stdout };
}

/** vegeta attack at a constant rate (open model), pinned to `cpu`; raw results kept in `out`. */
export async function vegeta(url: string, cpu: number, rate: number, seconds: number, out: string): Promise<StepSummary> {
  const bin = `${REPO}.tools/bin/vegeta`;
  const cmd = `echo 'GET ${url}' | taskset -c ${cpu} vegeta attack -rate=${rate}/s -duration=${seconds}s -timeout=30s | tee ${out.replace(REPO, '')} | vegeta report -type=json`;
  echo(cmd);
  const { stdout } = await execFileP('bash', ['-o', 'pipefail', '-c', cmd.replaceAll('vegeta ', `${bin} `)], { cwd: REPO, maxBuffer: 1 << 24 });
  return parseVegetaReport(stdout);
}

/** Milliseconds, 2 decimals. */
export const ms = (x: number) => Math.round(x * 100) / 100;

/** The median of a benchmark's samples (never empty here). */
export function median(xs: readonly number[]): number {
  return labMedian(xs) ?? NaN;
}

export function echo(cmd: string): void {
  console.log(`  $ ${cmd}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The environment every benchmark prints above its numbers. */
export function environment(): Record<string, string> {
  const modelLine = readFileSync('/proc/cpuinfo', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('model name'));
  return {
    cpu: modelLine?.split(':')[1]?.trim() ?? osCpus()[0]?.model ?? 'unknown',
    cores: String(osCpus().length),
    kernel: release(),
    node: process.version,
  };
}

/** CPU seconds a process has used so far, user + system, all threads (/proc/<pid>/stat, in clock ticks of 1/100 s). */
export function processCpuSec(pid: number): number {
  const u = procUsage(pid);
  if (!u) throw new Error(`process ${pid} is gone: no CPU time to read`);
  return u.cpuSec;
}

/** Resident set (VmRSS) of a process now, in bytes, from /proc. */
export function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** Peak resident set (VmHWM) of a process, in bytes, from /proc. */
export function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}
