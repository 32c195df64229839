/** The cost section of report.md (analyse/cost.ts computes it). */
import type { CostReport } from './schema.js';

const money = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toFixed(4));

/** The markdown section. */
export function costMarkdown(c: CostReport): string[] {
  const out = [
    `## Cost per million heavy requests (estimates, ${c.currency}, ${c.region})`,
    '',
    `| subject | platform | capacity req/s per task | task $/h | $ per 1M requests | tasks for ${c.targetRps} req/s (+30%) | fleet $/h |`,
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of c.rows) {
    const at = r.bound === 'service' ? '' : '<= ';
    out.push(`| ${r.subject} | ${r.platform} | ${r.bound === 'service' ? '' : '>= '}${r.capacity.toFixed(2)} | ${money(r.taskHourly)} | ${at}${money(r.costPerMillion)} | ${at}${r.tasks}${r.instances !== null ? ` (${r.instances} instances)` : ''} | ${at}${money(r.fleetHourly)} |`);
  }
  const open = c.rows.some((r) => r.bound !== 'service');
  out.push('', ...c.notes.map((n) => `- ${n}`), ...(open ? ['- ">=" capacity: a lower bound (its search ran out of steps or load before a rate failed), so "<=" cost and tasks are upper bounds.'] : []), '', 'Prices used:', '');
  for (const p of c.platforms) out.push(`- ${p.label}: $${money(p.taskHourly)} per task-hour${p.instanceHourly !== null ? ` ($${p.instanceHourly}/h per instance)` : ''}; source ${p.source}, read ${p.read}`);
  out.push('');
  return out;
}
