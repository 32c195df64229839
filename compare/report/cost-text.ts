/** The cost section of the report document (analyse/cost.ts computes it). */
import type { Block } from './document.js';
import type { CostReport } from './schema.js';

const money = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toFixed(4));

/** The section; after the heavy steps, so two blank lines before it in Markdown. */
export function costSection(c: CostReport): Block[] {
  const rows = c.rows.map((r) => {
    const at = r.bound === 'service' ? '' : '<= ';
    return [
      r.subject,
      r.platform,
      `${r.bound === 'service' ? '' : '>= '}${r.capacity.toFixed(2)}`,
      money(r.taskHourly),
      `${at}${money(r.costPerMillion)}`,
      `${at}${r.tasks}${r.instances !== null ? ` (${r.instances} instances)` : ''}`,
      `${at}${money(r.fleetHourly)}`,
    ];
  });
  const open = c.rows.some((r) => r.bound !== 'service');
  return [
    { kind: 'heading', level: 2, text: `Cost per million heavy requests (estimates, ${c.currency}, ${c.region})`, gap: 2 },
    { kind: 'table', head: ['subject', 'platform', 'capacity req/s per task', 'task $/h', '$ per 1M requests', `tasks for ${c.targetRps} req/s (+30%)`, 'fleet $/h'], rows },
    {
      kind: 'list',
      items: [...c.notes, ...(open ? ['">=" capacity: a lower bound (its search ran out of steps or load before a rate failed), so "<=" cost and tasks are upper bounds.'] : [])],
    },
    { kind: 'paragraph', text: 'Prices used:' },
    {
      kind: 'list',
      items: c.platforms.map(
        (p) => `${p.label}: $${money(p.taskHourly)} per task-hour${p.instanceHourly !== null ? ` ($${p.instanceHourly}/h per instance)` : ''}; source ${p.source}, read ${p.read}`,
      ),
    },
  ];
}
