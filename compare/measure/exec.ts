import { spawn, execFile } from 'node:child_process';
import { openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** A command as a shell would show it: what the manifest records and the console echoes. */
export function shellLine(argv: readonly string[], stdoutFile?: string): string {
  const q = (s: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`);
  return argv.map(q).join(' ') + (stdoutFile ? ` > ${q(stdoutFile)}` : '');
}

/** One load generator run: its exit, wall time and the CPU it used (user + system, children included). */
export interface GeneratorRun {
  readonly command: string;
  readonly exitCode: number;
  readonly wallSec: number;
  readonly userSec: number;
  readonly sysSec: number;
  /** CPU seconds per wall second: 1.0 is one core fully used. */
  readonly cpuShare: number;
  readonly stderr: string;
}

/**
 * Runs a load generator with stdout into `stdoutFile`, and measures its CPU with bash's `times`
 * builtin (the waited children's rusage: exact, where polling /proc would miss the last interval).
 * `cpuList` pins it with taskset, so it cannot steal the service's core.
 */
export async function runGenerator(argv: readonly string[], stdoutFile: string, cpuList: string | null, signal?: AbortSignal): Promise<GeneratorRun> {
  const full = cpuList === null ? [...argv] : ['taskset', '-c', cpuList, ...argv];
  const command = shellLine(full, stdoutFile);
  console.log(`+ ${command}`);
  const timesFile = `${stdoutFile}.times`;
  const out = openSync(stdoutFile, 'w');
  const started = performance.now();
  const script = '"$@"; rc=$?; times > "$TIMES_FILE"; exit $rc';
  // Its own process group, so a stop reaches the generator itself and not only the bash around it.
  const child = spawn('bash', ['-c', script, 'generator', ...full], {
    stdio: ['ignore', out, 'pipe'],
    env: { ...process.env, TIMES_FILE: timesFile },
    detached: true,
  });
  const stop = () => {
    if (child.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
  };
  signal?.addEventListener('abort', stop, { once: true });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    if (stderr.length < 20000) stderr += d.toString();
  });
  const exitCode = await new Promise<number>((resolve) => {
    child.on('error', () => resolve(-1));
    child.on('close', (code) => resolve(code ?? -1));
  });
  signal?.removeEventListener('abort', stop);
  closeSync(out);
  const wallSec = (performance.now() - started) / 1000;
  let userSec = 0;
  let sysSec = 0;
  try {
    // Two lines: the shell's own times, then its children's: "0m1.234s 0m0.056s".
    const lines = readFileSync(timesFile, 'utf8').trim().split('\n');
    const m = /(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/.exec(lines[1] ?? '');
    if (m) {
      userSec = Number(m[1]) * 60 + Number(m[2]);
      sysSec = Number(m[3]) * 60 + Number(m[4]);
    }
  } catch {
    // No times file: the generator was killed before bash could write it; CPU stays unknown (0).
  }
  rmSync(timesFile, { force: true });
  return { command, exitCode, wallSec, userSec, sysSec, cpuShare: wallSec > 0 ? (userSec + sysSec) / wallSec : 0, stderr: stderr.trim() };
}

/** Runs a short tool (vegeta report, git, rustc...) and returns its stdout; throws with stderr on failure. */
export async function output(file: string, args: readonly string[], maxBuffer = 512 * 1024 * 1024): Promise<string> {
  const { stdout } = await execFileP(file, args as string[], { maxBuffer, encoding: 'utf8' });
  return stdout;
}

/** Like `output`, but a missing tool or a failure gives `fallback`: for environment facts only. */
export async function outputOr(file: string, args: readonly string[], fallback: string): Promise<string> {
  try {
    return (await output(file, args)).trim();
  } catch {
    return fallback;
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
export async function getJson<T>(url: string, timeoutMs = 5000): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as T };
}
