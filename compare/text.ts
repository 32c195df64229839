/** The text reporter: the summary table printed at the end of `make compare` and in report.md. */
import { boundLegend, capacityCell, capacityText, ratioCell, ratioText } from './bound.js';
import type { Report } from './schema.js';
import { GENERATOR_CPU_LIMIT } from './verdict.js';

/** The summary table, as printed at the end of `make compare`. */
export function summaryLines(r: Report): string[] {
  const lines: string[] = [];
  const pad = (s: string, n: number) => `${s} `.padEnd(n);
  const f2 = (x: number | null | undefined, d = 2) => (x === null || x === undefined ? '-' : x.toFixed(d));
  lines.push(`/hello: capacity ${capacityText(r.hello.capacity, r.hello.bound)} at p99 < ${r.slo.hello.p99Ms} ms (${r.hello.generator}, open model; search end: ${r.hello.end ?? 'not measured'}; ${r.hello.vsSeed !== null ? `${ratioText(r.hello.vsSeed, r.hello.bound)} the Django 1500` : '-'}), wrk closed loop ${r.hello.wrk ? `${r.hello.wrk.requestsPerSec.toFixed(0)} req/s at service CPU ${f2(r.hello.wrk.serviceCpuCores)}${r.hello.wrk.generatorCpuShare > GENERATOR_CPU_LIMIT ? ' (wrk-limited)' : ''}` : '-'}; breaks: ${r.hello.diagnosis.detail}`);
  lines.push('');
  lines.push(`${pad('engine', 12)}${pad('mode', 8)}${pad('alone s', 9)}${pad('cap req/s', 11)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('vs Django', 11)}${pad('/hello p99 ms mixed', 21)}breaks first`);
  for (const h of r.heavy) {
    const mix = r.mixed.runs.find((x) => x.engine === h.engine && x.mode === h.mode);
    if (!h.available) {
      lines.push(`${pad(h.engine, 12)}${pad(h.mode, 8)}UNAVAILABLE: ${h.reason}`);
      continue;
    }
    lines.push(
      `${pad(h.engine, 12)}${pad(h.mode, 8)}${pad(f2(h.serviceTimeSec, 3), 9)}${pad(capacityCell(h.capacity, h.bound, 2, true), 11)}${pad(f2(h.atCapacity?.latencyMs.p50, 0), 9)}${pad(f2(h.atCapacity?.latencyMs.p99, 0), 9)}${pad(ratioCell(h.vsSeed.capacityRatio, h.bound), 11)}${pad(mix ? f2(mix.hello.latencyMs.p99, 1) : '-', 21)}${h.diagnosis.bottleneck}`,
    );
  }
  const legend = boundLegend(r.heavy.filter((h) => h.available && h.capacity !== null).map((h) => ({ what: `${h.engine}/${h.mode}`, bound: h.bound })));
  if (legend) lines.push(legend);
  if (r.mixed.baseline) lines.push(`(/hello alone at ${r.mixed.runs[0]?.helloRate ?? ''}/s: p99 ${f2(r.mixed.baseline.latencyMs.p99, 2)} ms)`);
  if (r.scaling) {
    lines.push('', 'scaling (heavy capacity req/s, efficiency = cap(N) / (N x cap(1))):');
    for (const x of r.scaling.rows) lines.push(`  ${pad(`${x.engine}/${x.mode}`, 14)}CPUS ${pad(String(x.cpus), 5)}${pad(f2(x.capacity, 2), 9)}eff ${f2(x.efficiency, 2)}`);
  }
  if (r.cost) {
    lines.push('', `cost per 1M heavy requests, ESTIMATES (${r.cost.currency}, ${r.cost.region}; tasks for ${r.cost.targetRps} req/s +30%):`);
    for (const x of r.cost.rows) lines.push(`  ${pad(x.subject, 18)}${pad(x.platform, 30)}$${pad(x.costPerMillion.toFixed(4), 10)}${x.tasks} tasks`);
  }
  for (const n of r.notes) lines.push(`NOTE: ${n}`);
  return lines;
}

export function printSummary(r: Report): void {
  console.log(`\n== summary (${r.run.id}, ${r.run.status})`);
  for (const l of summaryLines(r)) console.log(l);
}

