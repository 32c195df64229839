/**
 * The statsd_exporter + Prometheus stack around a run: reused when one already answers, else
 * `make monitoring` (stopped at the end with `make monitoring-stop`).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { shellLine, sleep } from './exec.js';

/** Records every command before it runs: the manifest's `commands` and the console's `+ ` lines. */
export type CommandLog = (command: string) => void;

/** How the monitoring stack was obtained, so the end of the run stops only what it started. */
export interface MonitoringHandle {
  available: boolean;
  note: string;
  how: 'make' | 'reused' | 'none';
}

async function prometheusReady(promUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${promUrl}/-/ready`, { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

async function waitReady(promUrl: string, seconds: number): Promise<boolean> {
  for (let i = 0; i < seconds * 2; i++) {
    if (await prometheusReady(promUrl)) return true;
    await sleep(500);
  }
  return false;
}

/**
 * statsd_exporter + Prometheus: a stack already answering is reused (and left running); else
 * `make monitoring` starts it and `make monitoring-stop` stops it at the end. A stack that cannot
 * start is a loud note, not an abort: /proc sampling still gives CPU and RSS.
 */
export async function startMonitoring(log: CommandLog, promUrl: string, pin: string | null, runDir: string): Promise<MonitoringHandle> {
  if (await prometheusReady(promUrl)) {
    return { available: true, how: 'reused', note: `reused the Prometheus already answering at ${promUrl} (not started, so not stopped, by this run)` };
  }
  const argv = [...(pin ? ['taskset', '-c', pin] : []), 'make', '--no-print-directory', 'monitoring'];
  log(shellLine(argv));
  const out = openSync(join(runDir, 'monitoring.log'), 'a');
  const r = spawnSync(argv[0]!, argv.slice(1), { stdio: ['ignore', out, out], env: process.env, timeout: 180_000 });
  closeSync(out);
  if (r.status !== 0) return { available: false, how: 'none', note: `\`make monitoring\` failed (exit ${r.status}; see monitoring.log): no Prometheus data` };
  if (await waitReady(promUrl, 30)) return { available: true, how: 'make', note: 'statsd_exporter + Prometheus started by `make monitoring`' };
  return { available: false, how: 'make', note: `Prometheus did not answer at ${promUrl}/-/ready within 30 s: no Prometheus data` };
}

/** Stops the stack only when this run started it. */
export function stopMonitoring(log: CommandLog, handle: MonitoringHandle | null, runDir: string): void {
  if (handle?.how !== 'make') return;
  const argv = ['make', '--no-print-directory', 'monitoring-stop'];
  log(shellLine(argv));
  const out = openSync(join(runDir, 'monitoring.log'), 'a');
  spawnSync(argv[0]!, argv.slice(1), { stdio: ['ignore', out, out], env: process.env, timeout: 60_000 });
  closeSync(out);
}
