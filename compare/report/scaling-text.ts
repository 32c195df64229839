/** The scaling section of report.md (analyse/scaling.ts computes it). */
import type { ScalingReport } from './schema.js';
import { capacityCell } from './bound-text.js';

const f = (x: number | null, d = 2) => (x === null ? '-' : x.toFixed(d));

/** The markdown section. */
export function scalingMarkdown(s: ScalingReport): string[] {
  const out = ['## Scaling with CPUs (heavy, pool mode)', '', '| engine | mode | CPUS | capacity req/s | efficiency | service CPU at capacity | first failure req/s | other processes, max cores |', '|---|---|---|---|---|---|---|---|'];
  for (const r of s.rows) out.push(`| ${r.engine} | ${r.mode} | ${r.cpus} | ${capacityCell(r.capacity, r.bound, 2)} | ${r.efficiency === null ? '-' : `${r.efficiencyExact ? '' : '~'}${f(r.efficiency)}`} | ${f(r.cpuAtCapacity)} | ${f(r.firstFailure)} | ${f(r.otherCoresMax)} |`);
  out.push('', ...s.notes.map((n) => `- ${n}`), '');
  return out;
}
