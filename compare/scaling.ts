/**
 * Scaling with CPUs, from a `make compare SCALE=1` run: each engine x mode's heavy capacity under
 * each CPU limit, and the scaling efficiency capacity(N) / (N x capacity(1)): 1 is linear, below 1
 * is what each added CPU loses (to the event loop, memory bandwidth, the generator sharing the
 * machine...).
 */
import { capacityBound, capacityCell, type CapacityBound } from './bound.js';
import type { StepResult } from './schema.js';

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
  notes: string[];
}

/** Capacity of one search from its steps (the highest passing, not generator-limited rate). */
export type CapacityOf = (steps: StepResult[]) => { capacity: number | null; firstFailure: number | null; atCapacity: StepResult | null };

/** Builds the table from the step results of every (engine, mode, cpus) search. */
export function scalingReport(searches: { engine: string; mode: string; cpus: number; end: string | null; steps: StepResult[] }[], capacityOf: CapacityOf, cores: number, resolution: number | null = null): ScalingReport {
  const rows: ScalingRow[] = searches.map(({ engine, mode, cpus, end, steps }) => {
    const c = capacityOf(steps);
    return { engine, mode, cpus, capacity: steps.length > 0 ? c.capacity : null, bound: capacityBound(end, c.firstFailure), firstFailure: c.firstFailure, efficiency: null, efficiencyExact: false, cpuAtCapacity: c.atCapacity?.serviceCpuCores ?? null, otherCoresMax: steps.some((x) => x.otherCores !== null && x.otherCores !== undefined) ? Math.max(...steps.map((x) => x.otherCores ?? 0)) : null, steps: steps.length };
  });
  for (const row of rows) {
    const one = rows.find((r) => r.engine === row.engine && r.mode === row.mode && r.cpus === 1);
    row.efficiency = row.capacity !== null && one?.capacity ? row.capacity / (row.cpus * one.capacity) : null;
    row.efficiencyExact = row.efficiency !== null && row.bound === 'service' && one!.bound === 'service';
  }
  const cpus = [...new Set(rows.map((r) => r.cpus))].sort((a, b) => a - b);
  const notes = [
    'Efficiency = capacity(N) / (N x capacity(1)); 1.00 is linear scaling. "~" marks an efficiency built from a capacity that is only a lower bound (the search ran out of steps before a rate failed).',
    ...(resolution !== null ? [`Each capacity is bracketed only to the search's resolution (the failing rate within ${Math.round(resolution * 100)}% of the passing one), so an efficiency carries about that much error either way: near 1, it may read above 1.`] : []),
    ...(cpus.some((n) => n >= cores) ? [`CPUS=${Math.max(...cpus)} gives the service every core of this ${cores}-core machine, the load generator's included: that row is a lower bound, all the more where other processes took cores meanwhile (the last column).`] : []),
  ];
  return { cpus, rows, notes };
}

const f = (x: number | null, d = 2) => (x === null ? '-' : x.toFixed(d));

/** The markdown section. */
export function scalingMarkdown(s: ScalingReport): string[] {
  const out = ['## Scaling with CPUs (heavy, pool mode)', '', '| engine | mode | CPUS | capacity req/s | efficiency | service CPU at capacity | first failure req/s | other processes, max cores |', '|---|---|---|---|---|---|---|---|'];
  for (const r of s.rows) out.push(`| ${r.engine} | ${r.mode} | ${r.cpus} | ${capacityCell(r.capacity, r.bound, 2)} | ${r.efficiency === null ? '-' : `${r.efficiencyExact ? '' : '~'}${f(r.efficiency)}`} | ${f(r.cpuAtCapacity)} | ${f(r.firstFailure)} | ${f(r.otherCoresMax)} |`);
  out.push('', ...s.notes.map((n) => `- ${n}`), '');
  return out;
}
