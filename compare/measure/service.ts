/** The service under `make run-constrained`, started, watched, drained and stopped by a run. */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { baseUrl } from '../../lab/index.js';
import { getJson, shellLine, sleep } from './exec.js';
import type { HealthAnswer, SchedulerStats } from './manifest.js';
import type { CommandLog } from './monitoring.js';
import { serviceUsage } from '../../lab/proc.js';

/** True when something accepts connections on host:port. */
export function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.setTimeout(1000);
    s.on('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.on('timeout', () => {
      s.destroy();
      resolve(false);
    });
    s.on('error', () => resolve(false));
  });
}

interface ConstrainedState {
  status?: string;
  method?: string;
  pid?: number | null;
  cgroup?: { cpu_stat?: string };
}

/**
 * The service under `make run-constrained`, in its own process group so Ctrl-C reaches only us.
 * With `peer` set it is that peer (`make run-constrained PEER=...`), with its own state file and log.
 */
export class ConstrainedService {
  readonly baseUrl: string;
  readonly stateFile: string;
  #child: ChildProcess | null = null;
  #state: ConstrainedState = {};

  constructor(
    readonly host: string,
    readonly port: number,
    readonly runDir: string,
    readonly peer: string | null = null,
  ) {
    this.baseUrl = baseUrl(host, port);
    this.stateFile = join(runDir, peer ? `constrained-${peer}.json` : 'constrained.json');
  }

  get pid(): number | null {
    return typeof this.#state.pid === 'number' ? this.#state.pid : null;
  }

  get cpuStatFile(): string | null {
    return this.#state.cgroup?.cpu_stat ?? null;
  }

  readState(): unknown {
    try {
      return JSON.parse(readFileSync(this.stateFile, 'utf8'));
    } catch {
      return null;
    }
  }

  async start(log: CommandLog, pin: string | null, env: Record<string, string>, signal?: AbortSignal): Promise<HealthAnswer> {
    if (await listening(this.host, this.port)) {
      throw new Error(`something already listens on ${this.host}:${this.port}; stop it or choose another PORT=`);
    }
    // PEER is always set: empty runs the lab, whatever the caller's environment holds. The settings
    // go on make's command line, not only in the environment: `make compare METHOD=docker` hands its
    // own METHOD to every make below it (MAKEFLAGS), which would win over an environment variable.
    const vars = { ...env, PEER: this.peer ?? '', STATE_FILE: this.stateFile };
    const envLine = Object.entries(vars).map(([k, v]) => `${k}=${v}`);
    const argv = [...(pin ? ['taskset', '-c', pin] : []), 'make', '--no-print-directory', 'run-constrained', ...envLine];
    log(shellLine(argv));
    const out = openSync(join(this.runDir, this.peer ? `service-${this.peer}.log` : 'service.log'), 'a');
    this.#child = spawn(argv[0]!, argv.slice(1), {
      stdio: ['ignore', out, out],
      env: { ...process.env, ...vars, HOST: this.host, PORT: String(this.port) },
      detached: true,
    });
    closeSync(out);
    const exited = new Promise<number>((resolve) => this.#child!.on('close', (code) => resolve(code ?? -1)));
    let done: number | null = null;
    void exited.then((c) => (done = c));
    // The first build of a Docker image or a cold start can be slow; 120 s is generous.
    for (let i = 0; i < 240; i++) {
      // The caller's finally stops what was started; here only stop waiting.
      signal?.throwIfAborted();
      if (done !== null) throw new Error(`run-constrained exited with status ${done} before the service answered; see service.log`);
      try {
        const state = JSON.parse(readFileSync(this.stateFile, 'utf8')) as ConstrainedState;
        if (state.status === 'running') {
          this.#state = state;
          const h = await getJson<HealthAnswer>(`${this.baseUrl}/heavy/health/`, 2000);
          if (h.status === 200) return h.body;
        }
      } catch {
        // Not up yet.
      }
      await sleep(500);
    }
    throw new Error('the service did not answer /heavy/health/ within 120 s; see service.log');
  }

  /** SIGTERM to the group (run-constrained forwards it and the server drains), SIGKILL after 30 s. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || child.pid === undefined) return;
    this.#child = null;
    const group = -child.pid;
    try {
      process.kill(group, 'SIGTERM');
    } catch {
      return;
    }
    for (let i = 0; i < 60; i++) {
      await sleep(500);
      const state = this.readState() as ConstrainedState | null;
      let alive = true;
      try {
        process.kill(group, 0);
      } catch {
        alive = false;
      }
      if (!alive || (state?.status === 'stopped' && !alive)) return;
    }
    try {
      process.kill(group, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }

  async health(): Promise<HealthAnswer | null> {
    try {
      const h = await getJson<HealthAnswer>(`${this.baseUrl}/heavy/health/`, 3000);
      return h.status === 200 ? h.body : null;
    } catch {
      return null;
    }
  }

  /** Waits until no heavy request is running or queued, so one step's backlog never spills into the next. */
  async drain(maxMs: number, signal?: AbortSignal): Promise<SchedulerStats | null> {
    const until = Date.now() + maxMs;
    let last: SchedulerStats | null = null;
    while (Date.now() < until) {
      const h = await this.health();
      // A peer reports no scheduler: it has drained when its processes stop using CPU.
      if (h && h.heavy === undefined) {
        await this.idle(until, signal);
        return null;
      }
      last = h?.heavy ?? null;
      if (last && last.in_flight === 0 && last.running === 0 && last.queued === 0) return last;
      await sleep(250, signal);
    }
    return last;
  }

  /** Until `deadline`: waits for 0.5 s in which the service's processes used under 5% of a core. */
  async idle(deadline: number, signal?: AbortSignal): Promise<void> {
    while (Date.now() < deadline) {
      const a = serviceUsage(this.pid, this.cpuStatFile);
      await sleep(500, signal);
      const b = serviceUsage(this.pid, this.cpuStatFile);
      if (!a || !b || b.cpuSec - a.cpuSec < 0.025) return;
    }
  }
}
