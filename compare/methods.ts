/**
 * `make compare-methods`: the same `make compare` twice in one run, the service limited once by a
 * plain cgroup (METHOD=cgroup) and once in a Docker container (METHOD=docker: the image on Node 24,
 * `docker run --cpus=1 --memory=256m`), then one table of the capacities side by side. Both limit the
 * same kernel knobs (CFS quota and memory cgroup), so the capacities should agree; where they do not,
 * the table shows the runtime difference (Node and uWS build, container network) next to it.
 *
 *   node dist/compare/methods.js [--profile quick|default|long] [--out reports/methods-<UTC time>]
 *
 * ENGINES defaults to native (the engine whose capacity the lab leads with), PEERS to none. Each run keeps its own
 * full report under <out>/cgroup and <out>/docker; methods.{md,json} hold the comparison.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from './report/schema.js';

export const METHODS = ['cgroup', 'docker'] as const;
type Method = (typeof METHODS)[number];

export interface MethodRow {
  what: string;
  values: Record<Method, string>;
  ratio: number | null;
}

const fmt = (v: number | null | undefined, digits = 1) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits));

/** The comparison rows: per engine x mode capacity, service time alone, latency and throttling at capacity; /hello. */
export function compareMethods(reports: Record<Method, Report>): { rows: MethodRow[]; verdict: string[] } {
  const rows: MethodRow[] = [];
  const ratio = (a: number | null | undefined, b: number | null | undefined) => (a && b ? b / a : null);
  const keys = reports.cgroup.heavy.filter((h) => h.available).map((h) => `${h.engine}/${h.mode}`);
  const verdict: string[] = [];
  for (const key of keys) {
    const [engine, mode] = key.split('/');
    const h = (m: Method) => reports[m].heavy.find((x) => x.engine === engine && x.mode === mode);
    const c = h('cgroup');
    const d = h('docker');
    const r = ratio(c?.capacity, d?.capacity);
    rows.push({ what: `${key} capacity (req/s)`, values: { cgroup: fmt(c?.capacity, 2), docker: fmt(d?.capacity, 2) }, ratio: r });
    rows.push({
      what: `${key} service time alone (ms)`,
      values: { cgroup: fmt((c?.serviceTimeSec ?? NaN) * 1000), docker: fmt((d?.serviceTimeSec ?? NaN) * 1000) },
      ratio: ratio(c?.serviceTimeSec, d?.serviceTimeSec),
    });
    rows.push({
      what: `${key} p99 at capacity (ms)`,
      values: { cgroup: fmt(c?.atCapacity?.latencyMs['p99']), docker: fmt(d?.atCapacity?.latencyMs['p99']) },
      ratio: ratio(c?.atCapacity?.latencyMs['p99'], d?.atCapacity?.latencyMs['p99']),
    });
    const thr = (x: typeof c) => (x?.atCapacity?.throttling ? `${(x.atCapacity.throttling.share * 100).toFixed(0)}% of periods` : '—');
    rows.push({ what: `${key} throttled at capacity`, values: { cgroup: thr(c), docker: thr(d) }, ratio: null });
    if (r === null) verdict.push(`${key}: no capacity to compare (cgroup ${fmt(c?.capacity, 2)}, docker ${fmt(d?.capacity, 2)})`);
    else if (Math.abs(r - 1) <= 0.15) verdict.push(`${key}: the methods agree (docker/cgroup = ${r.toFixed(2)}, within the ±15% a search step resolves)`);
    else verdict.push(`${key}: the methods DIFFER (docker/cgroup = ${r.toFixed(2)}); see the service time alone (runtime: Node and uWS build differ) and throttling`);
  }
  rows.push({
    what: '/hello capacity (req/s)',
    values: { cgroup: fmt(reports.cgroup.hello.capacity, 0), docker: fmt(reports.docker.hello.capacity, 0) },
    ratio: ratio(reports.cgroup.hello.capacity, reports.docker.hello.capacity),
  });
  rows.push({ what: 'limits', values: { cgroup: reports.cgroup.environment.limits.method, docker: reports.docker.environment.limits.method }, ratio: null });
  rows.push({ what: 'uWS', values: { cgroup: reports.cgroup.environment.service.uws, docker: reports.docker.environment.service.uws }, ratio: null });
  return { rows, verdict };
}

export function methodsMarkdown(out: string, reports: Record<Method, Report>): string {
  const { rows, verdict } = compareMethods(reports);
  const lines = [
    '# Docker vs cgroup: the same load, the service limited two ways',
    '',
    `Both runs: \`make compare\` profile ${reports.cgroup.run.profile}, 1 CPU and 256 MB, one after the other on the same machine (${out}/cgroup, ${out}/docker).`,
    '',
    '| | cgroup | docker | docker / cgroup |',
    '|---|---:|---:|---:|',
    ...rows.map((r) => `| ${r.what} | ${r.values.cgroup} | ${r.values.docker} | ${r.ratio === null ? '' : r.ratio.toFixed(2)} |`),
    '',
    ...verdict.map((v) => `- ${v}`),
    '',
  ];
  return lines.join('\n');
}

function main(argv: string[]): number {
  let profile = 'quick';
  let out = join(
    'reports',
    `methods-${new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z')}`,
  );
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--profile') profile = argv[++i] ?? profile;
    else if (argv[i] === '--out') out = argv[++i] ?? out;
    else throw new Error(`unknown argument "${argv[i]}"; usage: methods.js [--profile quick|default|long] [--out DIR]`);
  }
  mkdirSync(out, { recursive: true });
  const reports = {} as Record<Method, Report>;
  for (const method of METHODS) {
    console.log(`== compare with METHOD=${method}`);
    const r = spawnSync(process.execPath, ['dist/compare/run.js', '--profile', profile, '--out', join(out, method)], {
      stdio: 'inherit',
      env: { ...process.env, METHOD: method, ENGINES: process.env['ENGINES'] ?? 'native', PEERS: process.env['PEERS'] ?? 'none' },
    });
    if (r.status !== 0) {
      console.error(`compare-methods: the METHOD=${method} run failed (status ${r.status}); its files are in ${join(out, method)}`);
      return 1;
    }
    reports[method] = JSON.parse(readFileSync(join(out, method, 'report.json'), 'utf8')) as Report;
  }
  const md = methodsMarkdown(out, reports);
  writeFileSync(join(out, 'methods.md'), md);
  writeFileSync(join(out, 'methods.json'), `${JSON.stringify(compareMethods(reports), null, 2)}\n`);
  console.log(`\n${md}\n(${join(out, 'methods.md')})`);
  return 0;
}

if (process.argv[1]?.endsWith('methods.js')) process.exitCode = main(process.argv.slice(2));
