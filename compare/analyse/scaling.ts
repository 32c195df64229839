/**
 * Scaling with CPUs, from a `make compare SCALE=1` run: each engine x mode's heavy capacity under
 * each CPU limit, and the scaling efficiency capacity(N) / (N x capacity(1)): 1 is linear, below 1
 * is what each added CPU loses (to the event loop, memory bandwidth, the generator sharing the
 * machine...).
 */
import { capacityBound, type CapacityBound } from './bound.js';

/** What the table reads of one measured step (analyse/schema.ts StepResult has it). */
interface ScalingStep {
  serviceCpuCores: number | null;
  otherCores: number | null;
}

export interface ScalingRow {
  engine: string;
  mode: string;
  cpus: number;
  /** req/s at the heavy objective (null: not measured). */
  capacity: number | null;
  /** Whether `capacity` is the service's limit or a lower bound (bound.ts). */
  bound: CapacityBound;
  firstFailure: number | null;
  /** capacity(N) / (N x capacity(1)); null without both. Approximate when either capacity is a lower bound. */
  efficiency: number | null;
  efficiencyExact: boolean;
  /** Service CPU (cores) at the capacity step: how much of its limit it used. */
  cpuAtCapacity: number | null;
  /** Most cores other processes used during any step of the search (null: unknown). */
  otherCoresMax: number | null;
  steps: number;
}

export interface ScalingReport {
  cpus: number[];
  rows: ScalingRow[];
  /** The heavy search's resolution (null: unknown), and the machine's cores: what the notes weigh the efficiencies by. */
  resolution: number | null;
  cores: number;
}

/** Capacity of one search from its steps (the highest passing, not generator-limited rate). */
export type CapacityOf<S extends ScalingStep> = (steps: S[]) => { capacity: number | null; firstFailure: number | null; atCapacity: S | null };

/** Builds the table from the step results of every (engine, mode, cpus) search. */
export function scalingReport<S extends ScalingStep>(
  searches: { engine: string; mode: string; cpus: number; end: string | null; steps: S[] }[],
  capacityOf: CapacityOf<S>,
  cores: number,
  resolution: number | null = null,
): ScalingReport {
  const rows: ScalingRow[] = searches.map(({ engine, mode, cpus, end, steps }) => {
    const c = capacityOf(steps);
    return {
      engine,
      mode,
      cpus,
      capacity: steps.length > 0 ? c.capacity : null,
      bound: capacityBound(end, c.firstFailure),
      firstFailure: c.firstFailure,
      efficiency: null,
      efficiencyExact: false,
      cpuAtCapacity: c.atCapacity?.serviceCpuCores ?? null,
      otherCoresMax: steps.some((x) => x.otherCores !== null && x.otherCores !== undefined) ? Math.max(...steps.map((x) => x.otherCores ?? 0)) : null,
      steps: steps.length,
    };
  });
  for (const row of rows) {
    const one = rows.find((r) => r.engine === row.engine && r.mode === row.mode && r.cpus === 1);
    row.efficiency = row.capacity !== null && one?.capacity ? row.capacity / (row.cpus * one.capacity) : null;
    row.efficiencyExact = row.efficiency !== null && row.bound === 'service' && one!.bound === 'service';
  }
  const cpus = [...new Set(rows.map((r) => r.cpus))].sort((a, b) => a - b);
  return { cpus, rows, resolution, cores };
}
