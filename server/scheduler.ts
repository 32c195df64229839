import { performance } from 'node:perf_hooks';
import { Piscina } from 'piscina';
import type { Config, Mode } from './config.js';
import type { Engine, EngineName } from './engines/engine.js';
import { HttpError } from './errors.js';
import { computeOnThisThread, type ComputeResult } from './heavy.js';
import type { PoolTask } from './pool-worker.js';

/** Why a job ended without a result. `client` means the client went away: nobody to answer. */
export type CancelReason = 'client' | 'deadline' | 'shutdown';

/**
 * The rejection of a job whose client went away. Nobody reads it (there is no one to answer); it
 * is not an HttpError so it can never be mistaken for an answer.
 */
export class JobCancelled extends Error {
  override readonly name = 'JobCancelled';
  constructor(readonly reason: CancelReason) {
    super(`job cancelled: ${reason}`);
  }
}

/** What the handler gets back: the compute result and how long the job waited for a slot. */
export interface Scheduled {
  readonly compute: ComputeResult;
  readonly queueMs: number;
}

export interface Ticket {
  /** Settles once: the result, or an HttpError (DEADLINE_EXCEEDED, ENGINE_FAILED, ...). */
  readonly result: Promise<Scheduled>;
  /** The client went away: a queued job never starts; running pool work is stopped. */
  cancel(): void;
}

export interface SchedulerStats {
  /** Jobs holding a compute slot (including native work whose answer was already given up). */
  readonly running: number;
  readonly queued: number;
  /** Cumulative counts since start. */
  readonly shed: number;
  readonly deadlineDropped: number;
  /** Inline jobs refused at once because the work ahead of them could not finish by the deadline. */
  readonly deadlinePredicted: number;
  readonly clientCancelled: number;
  /** Pool worker threads that have loaded their engines and take tasks (a stopped one is replaced). */
  readonly poolWorkersReady: number;
}

/** What one engine's compute costs, learned from its answers: ms per sieve unit and per hash round. */
interface Cost {
  sieveMsPerUnit: number;
  hashMsPerRound: number;
}

interface Job {
  readonly engine: Engine;
  readonly mode: Mode;
  readonly primeLimit: number;
  readonly hashRounds: number;
  readonly arrived: number;
  /** The compute time this job is expected to take (0 while its engine's cost is unknown). */
  readonly expectedMs: number;
  /** performance.now() when it got its slot. */
  startedAt: number;
  readonly abort: AbortController;
  state: 'queued' | 'running' | 'settled';
  resolve(value: Scheduled): void;
  reject(err: unknown): void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Admission control and placement of heavy work.
 *
 * At most `poolSize` jobs compute at once, in either mode, because on `poolSize` CPUs more would
 * only slow each other down. Up to `queueMax` more wait in FIFO order; beyond that a request is
 * refused at once (503 + Retry-After) instead of queueing where it could only time out.
 *
 * Where a job runs:
 * - inline: on the event loop, one `setImmediate` turn per job, so pending I/O (and /hello) is
 *   served between jobs but not during one. A running inline job cannot be stopped, and nothing is
 *   answered while it runs (not even a 503), so admission must be right beforehand: from each
 *   engine's cost learned from its own answers, a job that cannot finish by its deadline behind
 *   the inline work ahead of it (or alone) is refused at once with the estimate.
 * - pool, native engine: its napi AsyncTask on libuv's thread pool. It cannot be interrupted: at
 *   the deadline the client gets its 503 and the result is dropped when the task ends; the slot
 *   stays taken until then, so admission never over-commits the CPU.
 * - pool, any other engine: a piscina worker thread; deadline or client abort terminates it.
 */
export class HeavyScheduler {
  readonly #config: Config;
  readonly #pool: Piscina<PoolTask, ComputeResult>;
  readonly #queue: Job[] = [];
  #running = 0;
  #shed = 0;
  #deadlineDropped = 0;
  #deadlinePredicted = 0;
  #clientCancelled = 0;
  readonly #costs = new Map<EngineName, Cost>();
  /** Jobs holding a slot, for the inline backlog estimate. */
  readonly #active = new Set<Job>();
  /** Smoothed compute time per job (ms), for Retry-After. */
  #serviceMs = 100;
  /** Pool workers between piscina's workerCreate (sent once a replacement is ready) and workerDestroy. */
  readonly #readyWorkers = new Set<unknown>();

  constructor(config: Config) {
    this.#config = config;
    this.#pool = new Piscina<PoolTask, ComputeResult>({
      filename: new URL('./pool-worker.js', import.meta.url).href,
      minThreads: config.poolSize,
      maxThreads: config.poolSize,
      // Workers are started at once and kept: engines load at worker start, not on a request.
      idleTimeout: Number.MAX_SAFE_INTEGER,
    });
    this.#pool.on('workerCreate', (worker: unknown) => this.#readyWorkers.add(worker));
    this.#pool.on('workerDestroy', (worker: unknown) => this.#readyWorkers.delete(worker));
  }

  stats(): SchedulerStats {
    return {
      running: this.#running,
      queued: this.#queue.length,
      shed: this.#shed,
      deadlineDropped: this.#deadlineDropped,
      deadlinePredicted: this.#deadlinePredicted,
      clientCancelled: this.#clientCancelled,
      poolWorkersReady: this.#readyWorkers.size,
    };
  }

  /** The expected compute time of one job on `engine`, in ms; 0 while nothing was learned about it. */
  expectedMs(engine: EngineName, primeLimit: number, hashRounds: number): number {
    const c = this.#costs.get(engine);
    return c ? c.sieveMsPerUnit * primeLimit + c.hashMsPerRound * hashRounds : 0;
  }

  /**
   * How long a new job is expected to wait before it computes: the work ahead of it (the rest of
   * each running job, every queued one) shared by `poolSize` slots, but never less than the inline
   * work ahead, which runs one job at a time on the one event loop whatever the pool size.
   */
  #backlogMs(now: number): number {
    let all = 0;
    let inline = 0;
    for (const job of this.#active) {
      const left = Math.max(0, job.expectedMs - (now - job.startedAt));
      all += left;
      if (job.mode === 'inline') inline += left;
    }
    for (const job of this.#queue) {
      all += job.expectedMs;
      if (job.mode === 'inline') inline += job.expectedMs;
    }
    return Math.max(inline, all / this.#config.poolSize);
  }

  #learn(engine: EngineName, primeLimit: number, hashRounds: number, compute: ComputeResult): void {
    // Tiny jobs say little about the per-unit cost (fixed overheads dominate): learn from real ones.
    const sieve = primeLimit >= 10_000 ? compute.sieveMs / primeLimit : undefined;
    const hash = hashRounds >= 10_000 ? compute.hashMs / hashRounds : undefined;
    const c = this.#costs.get(engine);
    if (!c) {
      if (sieve !== undefined || hash !== undefined) this.#costs.set(engine, { sieveMsPerUnit: sieve ?? 0, hashMsPerRound: hash ?? 0 });
      return;
    }
    // Down at once, up slowly: a cold first run (JIT, caches) or a noisy neighbour must not make
    // admission refuse work that would have met its deadline.
    if (sieve !== undefined) c.sieveMsPerUnit = learnRate(c.sieveMsPerUnit, sieve);
    if (hash !== undefined) c.hashMsPerRound = learnRate(c.hashMsPerRound, hash);
  }

  /**
   * Admits a job, or throws at once: HttpError OVERLOADED when the slots and the queue are full,
   * DEADLINE_EXCEEDED when an inline job cannot finish by its deadline (see the class comment).
   */
  admit(engine: Engine, mode: Mode, primeLimit: number, hashRounds: number, arrived = performance.now()): Ticket {
    const cfg = this.#config;
    if (this.#running >= cfg.poolSize && this.#queue.length >= cfg.queueMax) {
      this.#shed++;
      const waitSec = ((this.#queue.length + 1) * this.#serviceMs) / cfg.poolSize / 1000;
      throw new HttpError('OVERLOADED', `${this.#running} heavy request(s) running and ${this.#queue.length} queued (limit ${cfg.poolSize} + ${cfg.queueMax}); retry later`, {
        extensions: { running: this.#running, queued: this.#queue.length },
        retryAfterSec: Math.max(1, Math.ceil(waitSec)),
      });
    }
    const expectedMs = this.expectedMs(engine.name, primeLimit, hashRounds);
    if (mode === 'inline') {
      const now = performance.now();
      const backlogMs = this.#backlogMs(now);
      const finishMs = now - arrived + backlogMs + expectedMs;
      if (finishMs > cfg.deadlineMs) {
        this.#deadlinePredicted++;
        const estimate = Math.round(finishMs);
        throw new HttpError(
          'DEADLINE_EXCEEDED',
          `inline work cannot meet the ${cfg.deadlineMs} ms deadline: expected to finish in ${estimate} ms ` +
            `(${Math.round(backlogMs)} ms of work ahead, ${Math.round(expectedMs)} ms its own), and a running inline job cannot be stopped; refused before it started`,
          {
            extensions: { deadlineMs: cfg.deadlineMs, stage: 'admission', estimatedMs: estimate, backlogMs: Math.round(backlogMs) },
            retryAfterSec: Math.max(1, Math.ceil(backlogMs / 1000)),
          },
        );
      }
    }
    let resolve!: (v: Scheduled) => void;
    let reject!: (e: unknown) => void;
    const result = new Promise<Scheduled>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const job: Job = { engine, mode, primeLimit, hashRounds, arrived, expectedMs, startedAt: 0, abort: new AbortController(), state: 'queued', resolve, reject, timer: undefined };
    job.timer = setTimeout(() => this.#expire(job), Math.max(0, arrived + cfg.deadlineMs - performance.now()));
    this.#queue.push(job);
    this.#pump();
    return { result, cancel: () => this.#cancel(job) };
  }

  /** Stops the worker threads. Queued jobs are answered 503 SHUTTING_DOWN. */
  async close(): Promise<void> {
    for (const job of this.#queue.splice(0)) this.#settle(job, this.#reasonError(job, 'shutdown'));
    await this.#pool.destroy();
  }

  #pump(): void {
    while (this.#running < this.#config.poolSize && this.#queue.length > 0) {
      const job = this.#queue.shift()!;
      this.#start(job);
    }
  }

  #start(job: Job): void {
    job.state = 'running';
    this.#running++;
    this.#active.add(job);
    const started = performance.now();
    job.startedAt = started;
    const queueMs = started - job.arrived;
    this.#run(job)
      .then(
        (compute) => {
          this.#learn(job.engine.name, job.primeLimit, job.hashRounds, compute);
          this.#settle(job, null, { compute, queueMs });
        },
        (err: unknown) => this.#settle(job, this.#failure(job, err)),
      )
      .finally(() => {
        // The slot frees when the work really ends, even if its answer was given up earlier.
        this.#running--;
        this.#active.delete(job);
        this.#serviceMs = 0.8 * this.#serviceMs + 0.2 * (performance.now() - started);
        this.#pump();
      });
  }

  #run(job: Job): Promise<ComputeResult> {
    const { engine, primeLimit, hashRounds } = job;
    if (job.mode === 'inline') {
      return new Promise((resolve, reject) =>
        setImmediate(() => {
          // Between being picked and this turn the job may have been cancelled: don't start it.
          if (job.abort.signal.aborted) return reject(job.abort.signal.reason);
          try {
            resolve(computeOnThisThread(engine, primeLimit, hashRounds));
          } catch (err) {
            reject(err);
          }
        }),
      );
    }
    if (engine.sieveCount && engine.sha256Chain) return computeAsync(engine, primeLimit, hashRounds, job.abort.signal);
    return this.#pool.run({ impl: engine.name, primeLimit, hashRounds }, { signal: job.abort.signal });
  }

  #failure(job: Job, err: unknown): unknown {
    if (err instanceof HttpError) return err;
    if (job.abort.signal.aborted) return job.abort.signal.reason;
    return new HttpError('ENGINE_FAILED', `engine "${job.engine.name}" failed: ${err instanceof Error ? err.message : String(err)}`, {
      extensions: { engine: job.engine.name },
      cause: err,
    });
  }

  /** The rejection a job ended early for `reason` gets: an answer (503) or, for `client`, none. */
  #reasonError(job: Job, reason: CancelReason): Error {
    switch (reason) {
      case 'client':
        return new JobCancelled('client');
      case 'deadline':
        return new HttpError(
          'DEADLINE_EXCEEDED',
          `not done within the ${this.#config.deadlineMs} ms deadline (${job.state === 'queued' ? 'dropped before it started' : 'stopped while running'})`,
          {
            extensions: { deadlineMs: this.#config.deadlineMs, stage: job.state },
            retryAfterSec: Math.max(1, Math.ceil(this.#backlogMs(performance.now()) / 1000)),
          },
        );
      case 'shutdown':
        return new HttpError('SHUTTING_DOWN', 'the server stopped before this request could run');
    }
  }

  #expire(job: Job): void {
    if (job.state === 'settled') return;
    this.#deadlineDropped++;
    this.#stop(job, 'deadline');
  }

  #cancel(job: Job): void {
    if (job.state === 'settled') return;
    this.#clientCancelled++;
    this.#stop(job, 'client');
  }

  /** Ends a job early: removed from the queue, or its running work aborted where possible. */
  #stop(job: Job, reason: CancelReason): void {
    const err = this.#reasonError(job, reason);
    if (job.state === 'queued') {
      const i = this.#queue.indexOf(job);
      if (i !== -1) this.#queue.splice(i, 1);
    } else if (job.state === 'running') {
      job.abort.abort(err); // piscina terminates the worker; inline and native ignore it
    }
    this.#settle(job, err);
  }

  #settle(job: Job, err: unknown, value?: Scheduled): void {
    if (job.state === 'settled') return;
    job.state = 'settled';
    clearTimeout(job.timer);
    if (err) job.reject(err);
    else job.resolve(value!);
  }
}

function learnRate(current: number, sample: number): number {
  return current === 0 || sample < current ? sample : 0.7 * current + 0.3 * sample;
}

/**
 * The native engine's off-loop path: each stage is one AsyncTask on libuv's pool. A running task
 * cannot be interrupted, but a job stopped during the sieve does not start its hash.
 */
async function computeAsync(engine: Engine, primeLimit: number, hashRounds: number, signal: AbortSignal): Promise<ComputeResult> {
  const t0 = performance.now();
  const primesFound = await engine.sieveCount!(primeLimit);
  signal.throwIfAborted();
  const t1 = performance.now();
  const digest = await engine.sha256Chain!(hashRounds);
  const t2 = performance.now();
  return { primesFound, digest, sieveMs: t1 - t0, hashMs: t2 - t1 };
}
