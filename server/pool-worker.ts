/**
 * The worker-thread side of `mode=pool` (run by piscina). Engines load once per worker, when the
 * worker starts, never per task. The native engine is not here: in pool mode it runs as its own
 * napi AsyncTask on libuv's pool instead (see scheduler.ts).
 */
import type { EngineName } from './engines/engine.js';
import { loadEngines } from './engines/registry.js';
import { computeOnThisThread, type ComputeResult } from './heavy.js';

/** Engines whose pool mode runs in these worker threads. */
export const WORKER_ENGINES = ['js', 'wasm', 'hash-wasm', 'node-crypto'] as const satisfies readonly EngineName[];

export interface PoolTask {
  readonly impl: EngineName;
  readonly primeLimit: number;
  readonly hashRounds: number;
}

const engines = await loadEngines(WORKER_ENGINES);

export default function compute(task: PoolTask): ComputeResult {
  const status = engines.get(task.impl);
  if (!status) throw new Error(`engine "${task.impl}" does not run in the worker pool`);
  if (!status.available) throw new Error(`engine "${task.impl}" failed to load in the worker: ${status.reason}`);
  return computeOnThisThread(status.engine, task.primeLimit, task.hashRounds);
}
