/** The text reporter: the summary table printed at the end of `make compare` and in report.md. */
import { boundLegend, capacityCell, capacityText, ratioCell, ratioText } from './bound-text.js';
import type { HeavyResult, Report } from './schema.js';
import { outOfCore } from '../../lab/generators/limited.js';
import { PEER_LABEL, type PeerName } from '../../lab/facts.js';

/** The summary table, as printed at the end of `make compare`. */
export function summaryLines(r: Report): string[] {
  const lines: string[] = [];
  const pad = (s: string, n: number) => `${s} `.padEnd(n);
  const f2 = (x: number | null | undefined, d = 2) => (x === null || x === undefined ? '-' : x.toFixed(d));
  // Every "vs" divides by a peer measured in this run; a lab capacity that is a lower bound makes
  // its ratio one too.
  const peerVs = r.peers
    .filter((x) => r.hello.vsPeers[x.name])
    .map((x) => {
      const v = r.hello.vsPeers[x.name]!;
      return `${ratioText(v.capacityRatio, r.hello.bound)} ${PEER_LABEL[x.name as PeerName] ?? x.name} (wrk ${v.wrkRatio === null ? '-' : `${f2(v.wrkRatio, 1)}x`})`;
    });
  lines.push(
    `/hello: capacity ${capacityText(r.hello.capacity, r.hello.bound)} at p99 < ${r.slo.hello.p99Ms} ms (${r.hello.generator}, open model; search end: ${r.hello.end ?? 'not measured'}${peerVs.length ? `; measured in this run: ${peerVs.join(', ')}` : ''}), wrk closed loop ${r.hello.wrk ? `${r.hello.wrk.requestsPerSec.toFixed(0)} req/s at service CPU ${f2(r.hello.wrk.serviceCpuCores)}${outOfCore({ cpuShare: r.hello.wrk.generatorCpuShare }) ? ' (wrk-limited)' : ''}` : '-'}; breaks: ${r.hello.diagnosis.detail}`,
  );
  if (r.hello.ceiling)
    lines.push(
      `  (ceiling of the /hello measurement in this run: ${r.hello.generator} failed at ${r.hello.ceiling.failedAt}/s against bare uWS using ${f2(r.hello.ceiling.cpuCores)} of its CPU, passed ${r.hello.ceiling.passed}/s)`,
    );
  for (const x of r.peers) {
    const w = x.hello.wrk;
    lines.push(
      `  ${x.name}: /hello capacity ${capacityText(x.hello.capacity, x.hello.bound)} (search end: ${x.hello.end ?? 'not measured'}), wrk ${w ? `${w.requestsPerSec.toFixed(0)} req/s` : '-'}; throttled ${x.throttlingTotal ? `${x.throttlingTotal.throttled} of ${x.throttlingTotal.periods} periods` : '-'}, memory peak ${x.memoryPeakBytes ? `${(x.memoryPeakBytes / 2 ** 20).toFixed(0)} MiB` : '-'}${x.oomKilled ? ' (OOM-KILLED)' : ''}${x.failure ? `; FAILED: ${x.failure}` : ''}`,
    );
  }
  lines.push('');
  const django = r.peers.find((x) => x.name === 'django')?.heavy ?? null;
  lines.push(
    `${pad('engine', 12)}${pad('mode', 10)}${pad('alone s', 9)}${pad('cap req/s', 11)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('vs Django', 11)}${pad('/hello p99 ms mixed', 21)}breaks first`,
  );
  const row = (h: HeavyResult, vs: string, mixP99: string) =>
    `${pad(h.engine, 12)}${pad(h.mode, 10)}${pad(f2(h.serviceTimeSec, 3), 9)}${pad(capacityCell(h.capacity, h.bound, 2, true), 11)}${pad(f2(h.atCapacity?.latencyMs.p50, 0), 9)}${pad(f2(h.atCapacity?.latencyMs.p99, 0), 9)}${pad(vs, 11)}${pad(mixP99, 21)}${h.diagnosis.bottleneck}`;
  for (const h of r.heavy) {
    const mix = r.mixed.runs.find((x) => x.engine === h.engine && x.mode === h.mode);
    if (!h.available) {
      lines.push(`${pad(h.engine, 12)}${pad(h.mode, 10)}UNAVAILABLE: ${h.reason}`);
      continue;
    }
    lines.push(row(h, ratioCell(h.vsDjango.capacityRatio, h.bound), mix ? f2(mix.hello.latencyMs.p99, 1) : '-'));
  }
  if (django) {
    const mix = r.peers.find((x) => x.name === 'django')!.mixed.runs[0];
    lines.push(row(django, '1.0x', mix ? `${f2(mix.hello.latencyMs.p99, 1)} (at ${mix.helloRate}/s)` : '-'));
  }
  const legend = boundLegend(
    [...r.heavy, ...(django ? [django] : [])].filter((h) => h.available && h.capacity !== null).map((h) => ({ what: `${h.engine}/${h.mode}`, bound: h.bound })),
  );
  if (legend) lines.push(legend);
  if (r.mixed.baseline) lines.push(`(/hello alone at ${r.mixed.runs[0]?.helloRate ?? ''}/s: p99 ${f2(r.mixed.baseline.latencyMs.p99, 2)} ms)`);
  lines.push(
    `(quoted, not measured: the seed documents give Django ${r.seed.helloReqPerSec} req/s on /hello and ${r.seed.heavySecPerRequest} s per heavy request, on another machine; context only${r.hello.vsSeed !== null ? `: /hello here is ${ratioText(r.hello.vsSeed, r.hello.bound)} that quoted figure` : ''})`,
  );
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
