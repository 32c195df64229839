/**
 * Scaling with CPUs (`make compare SCALE=1`): the heavy capacity search of the engines that run off
 * the event loop (native/pool, wasm/pool) under CPU limits of 0.5, 1 and 2, the service restarted
 * under each limit (run-constrained's CPUS=; the pool sizes itself to the CPUs it may use). The
 * generator is light for heavy load (a few requests a second), so it shares the machine without
 * limiting the service; on a 2-core machine CPUS=2 gives the service every core, generator's
 * included, and the report says so. Efficiency is capacity(N) / (N x capacity(1)) (scaling.ts).
 */
import type { HeavyReference } from '../../../lab/index.js';
import { SCALE_CPUS, SCALE_PAIRS } from '../plan.js';
import { Sampler } from '../../../lab/proc.js';
import type { Run } from '../runner.js';
import { heavy } from './heavy.js';
import { join } from 'node:path';

/** Restarts the service under `cpus` CPUs (same memory limit, same metrics instance). */
async function restart(run: Run, cpus: number): Promise<void> {
  run.sampler?.stop();
  await run.service.stop();
  run.health = await run.service.start(
    run.log,
    run.serviceCpu,
    { STATSD_HOST: '127.0.0.1', STATSD_PORT: '9125', METRICS_INSTANCE: run.metricsInstance, CPUS: String(cpus) },
    run.abort.signal,
  );
  if (Math.abs((run.health.limits.cpus ?? 0) - cpus) > 0.01) {
    throw new Error(`scaling: the service reports a CPU limit of ${run.health.limits.cpus} after a restart with CPUS=${cpus}`);
  }
  run.sampler = new Sampler(join(run.dir, 'samples.jsonl'), run.service.pid, run.service.cpuStatFile);
  run.sampler.start();
}

/** Every limit x pair; returns capacity by `${engine} ${mode} ${cpus}`. */
export async function scale(run: Run, available: readonly string[], reference: HeavyReference): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const cpus of SCALE_CPUS) {
    console.log(`== scaling: the service restarted with CPUS=${cpus}`);
    await restart(run, cpus);
    run.note(`scaling: CPUS=${cpus}: pool size ${run.health?.pool_size ?? '?'}, limits read back ${run.health?.limits.cpus ?? '?'} CPU`);
    for (const [engine, mode] of SCALE_PAIRS) {
      if (!available.includes(engine)) continue;
      out.set(`${engine} ${mode} ${cpus}`, await heavy(run, engine, mode, reference, {}, cpus));
    }
  }
  return out;
}
