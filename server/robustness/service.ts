/**
 * The real server as a child process for the robustness suite: under `scripts/run-constrained.sh`
 * (a real memory cgroup of 256 MiB and 1 CPU) where memory matters, or as a plain process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMemoryStat } from '../../lab/cgroup.js';
import { freePort, repoRoot } from '../../lab/index.js';

export const MiB = 1024 * 1024;

/** The server's entry point; ROBUSTNESS_ENTRY points the suite at another build (a "before" run). */
export function serverEntry(): string {
  return process.env['ROBUSTNESS_ENTRY'] ?? join(repoRoot(), 'dist/server/main.js');
}

export interface Health {
  status: string;
  pid: number;
  uws: { release: string; package: string; version: string; detail: string };
  data_dir?: { usable: boolean; reason?: string };
  heavy: { in_flight: number; running: number; queued: number; clientCancelled: number };
}

export interface ServiceOptions {
  /** Under run-constrained (1 CPU, 256 MiB memory cgroup) rather than a plain process. */
  readonly constrained?: boolean;
  readonly env?: Record<string, string>;
  /** Use this DATA_DIR instead of a fresh private one. */
  readonly dataDir?: string;
}

export class Service {
  readonly child: ChildProcess;
  readonly port: number;
  readonly work: string;
  readonly dataDir: string;
  readonly exited: Promise<number | null>;
  output = '';
  #memoryDir: string | null = null;
  #cgroupVersion = 0;

  private constructor(port: number, options: ServiceOptions) {
    this.port = port;
    this.work = mkdtempSync(join(tmpdir(), 'lab-robust-'));
    this.dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'lab-robust-data-'));
    const node = [process.execPath, '--max-old-space-size=160', serverEntry()];
    const cmd = options.constrained ? ['scripts/run-constrained.sh', '--', ...node] : node;
    this.child = spawn(cmd[0]!, cmd.slice(1), {
      cwd: repoRoot(),
      detached: true,
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        PORT: String(port),
        METRICS: '0',
        DATA_DIR: this.dataDir,
        // cgroup: the memory limit is what these cases measure, and `--` runs the entry directly.
        METHOD: 'cgroup',
        CPUS: '1',
        MEMORY: '256m',
        STATE_FILE: join(this.work, 'state.json'),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (d: Buffer) => (this.output += d));
    this.child.stderr!.on('data', (d: Buffer) => (this.output += d));
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve(code)));
  }

  static async start(options: ServiceOptions = {}): Promise<Service> {
    const s = new Service(await freePort(), options);
    await s.health(60_000);
    if (options.constrained) {
      const state = JSON.parse(readFileSync(join(s.work, 'state.json'), 'utf8')) as { cgroup?: { version: number; memory_dir: string } };
      if (!state.cgroup) throw new Error(`run-constrained reports no cgroup: ${JSON.stringify(state)}`);
      s.#memoryDir = state.cgroup.memory_dir;
      s.#cgroupVersion = state.cgroup.version;
    }
    return s;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The health answer (waits for the server to listen, up to `timeoutMs`). */
  async health(timeoutMs = 5000): Promise<Health> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`the service exited (${this.child.exitCode ?? this.child.signalCode}); output:\n${this.output}`);
      try {
        const r = await fetch(`${this.url}/heavy/health/`, { signal: AbortSignal.timeout(2000) });
        if (r.ok) return (await r.json()) as Health;
      } catch {
        // not listening yet, or busy
      }
      if (Date.now() > deadline) throw new Error(`no health answer from ${this.url}; output:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The memory cgroup's usage now, in bytes (constrained services only). */
  memory(): number {
    return this.#read(this.#cgroupVersion === 2 ? 'memory.current' : 'memory.usage_in_bytes');
  }

  /** The kernel's high-water mark of the cgroup's memory since the last reset (0 where the kernel keeps none). */
  peak(): number {
    return readMemoryStat(this.#memoryDir)?.peakBytes ?? 0;
  }

  /** Restarts the high-water mark (cgroup v1; v2 kernels >= 6.12), so a case sees only its own peak. */
  resetPeak(): void {
    try {
      const f = join(this.#memoryDir!, this.#cgroupVersion === 2 ? 'memory.peak' : 'memory.max_usage_in_bytes');
      writeFileSync(f, '0');
    } catch {
      // not resettable here: the sampled peak still bounds the case
    }
  }

  #read(file: string): number {
    if (!this.#memoryDir) throw new Error('not a constrained service');
    return Number(readFileSync(join(this.#memoryDir, file), 'utf8').trim());
  }

  /**
   * SIGTERM to the whole group, then the exit status and, for a constrained service, the state
   * run-constrained wrote at the end (whether the kernel killed it for memory, its peak).
   */
  async stop(): Promise<{ code: number | null; state: FinalState | null }> {
    if (this.running) {
      try {
        process.kill(-this.child.pid!, 'SIGTERM');
      } catch {
        // gone
      }
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-this.child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }, 20_000);
    const code = await this.exited;
    clearTimeout(timer);
    let state: FinalState | null = null;
    try {
      state = JSON.parse(readFileSync(join(this.work, 'state.json'), 'utf8')) as FinalState;
    } catch {
      // a plain service has no state file
    }
    rmSync(this.work, { recursive: true, force: true });
    rmSync(this.dataDir, { recursive: true, force: true });
    return { code, state };
  }
}

export interface FinalState {
  readonly status: string;
  readonly oom_killed?: boolean;
  readonly exit_status?: number;
  readonly memory_peak_bytes?: number;
}

/** Samples `read()` every `everyMs` until stopped; `stop()` returns the highest value seen. */
export function sampler(read: () => number, everyMs = 50): { stop(): number } {
  let max = 0;
  const tick = () => {
    try {
      max = Math.max(max, read());
    } catch {
      // the cgroup went away with the service
    }
  };
  tick();
  const timer = setInterval(tick, everyMs);
  return {
    stop() {
      clearInterval(timer);
      tick();
      return max;
    },
  };
}
