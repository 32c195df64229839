/** The scaling section of the report document (analyse/scaling.ts computes it). */
import { capacityCell } from './bound-text.js';
import type { Block } from './document.js';
import type { ScalingReport } from './schema.js';

const f = (x: number | null, d = 2) => (x === null ? '-' : x.toFixed(d));

/** The section; after the heavy steps, so two blank lines before it in Markdown. */
export function scalingSection(s: ScalingReport): Block[] {
  return [
    { kind: 'heading', level: 2, text: 'Scaling with CPUs (heavy, pool mode)', gap: 2 },
    {
      kind: 'table',
      head: ['engine', 'mode', 'CPUS', 'capacity req/s', 'efficiency', 'service CPU at capacity', 'first failure req/s', 'other processes, max cores'],
      rows: s.rows.map((r) => [
        r.engine,
        r.mode,
        String(r.cpus),
        capacityCell(r.capacity, r.bound, 2),
        r.efficiency === null ? '-' : `${r.efficiencyExact ? '' : '~'}${f(r.efficiency)}`,
        f(r.cpuAtCapacity),
        f(r.firstFailure),
        f(r.otherCoresMax),
      ]),
    },
    { kind: 'list', items: s.notes },
  ];
}
