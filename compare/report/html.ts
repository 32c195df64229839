import { capacityText } from './bound-text.js';
import type { Report } from './schema.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../lab/index.js';
import { esc, toHtml } from './document.js';
import { reportDocument } from './markdown.js';

/**
 * The HTML report: one file, nothing fetched (no CDN, no fonts), so it opens offline and from an
 * archive. The body is the report document (markdown.ts) as HTML; the chart specs are embedded as
 * JSON and assets/charts.js draws every chart as SVG when the page loads; it then sets
 * `data-charts` and `data-marks` on <body>, which the headless-Chromium test reads to know the
 * charts really rendered.
 */

/** x, y, and for step charts: failed, generator-limited. */
type Point = [number, number, boolean?, boolean?];

interface Series {
  name: string;
  points: Point[];
  dashed?: boolean;
  color?: string;
}

interface LineSpec {
  kind: 'line';
  id: string;
  title: string;
  x: string;
  y: string;
  logX?: boolean;
  logY?: boolean;
  series: Series[];
  hlines?: { y: number; label: string }[];
  bands?: { start: number; end: number; label: string }[];
}

interface BarSpec {
  kind: 'bar';
  id: string;
  title: string;
  y: string;
  logY?: boolean;
  groups: string[];
  series: { name: string; values: (number | null)[] }[];
  hlines?: { y: number; label: string }[];
}

type ChartSpec = LineSpec | BarSpec;

const ENGINE_COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];
const PEER_COLORS = ['#8c564b', '#7f7f7f', '#17becf'];

export function chartSpecs(r: Report): ChartSpec[] {
  const charts: ChartSpec[] = [];
  const hs = r.hello.steps.filter((s) => s.rate !== null && s.requests > 0);
  if (hs.length > 0) {
    const by = (k: 'p50' | 'p90' | 'p99'): Point[] => hs.map((s): Point => [s.rate!, Math.max(0.01, s.latencyMs[k]), !s.pass, s.generatorLimited]).sort((a, b) => a[0] - b[0]);
    charts.push({
      kind: 'line',
      id: 'hello-latency',
      title: `/hello latency vs offered rate (capacity ${capacityText(r.hello.capacity, r.hello.bound)}): hollow = failed step, grey = generator-limited`,
      x: 'offered rate, req/s',
      y: 'latency, ms',
      logX: true,
      logY: true,
      series: [
        { name: 'p50', points: by('p50') },
        { name: 'p90', points: by('p90') },
        { name: 'p99', points: by('p99') },
        // The peers measured in this run, on the same generator and objective.
        ...r.peers
          .filter((x) => x.hello.steps.length > 0)
          .map((x, i) => ({
            name: `${x.name} p99`,
            dashed: true,
            color: PEER_COLORS[i % PEER_COLORS.length],
            points: x.hello.steps
              .filter((st) => st.rate !== null && st.requests > 0)
              .map((st): Point => [st.rate!, Math.max(0.01, st.latencyMs.p99), !st.pass, st.generatorLimited])
              .sort((a, b) => a[0] - b[0]),
          })),
      ],
      hlines: [{ y: r.slo.hello.p99Ms, label: `SLO p99 ${r.slo.hello.p99Ms} ms` }],
    });
  }
  if (r.peers.length > 0) {
    const names = ['lab (uWS)', ...r.peers.map((x) => x.name)];
    const hellos = [r.hello, ...r.peers.map((x) => x.hello)];
    charts.push({
      kind: 'bar',
      id: 'hello-peers',
      title: '/hello: the lab and the peers, measured in this run (open-model capacity at p99 < 10 ms; wrk closed loop)',
      y: 'req/s',
      logY: true,
      groups: names,
      series: [
        { name: 'open-model capacity', values: hellos.map((h) => h.capacity) },
        { name: 'wrk closed loop', values: hellos.map((h) => h.wrk?.requestsPerSec ?? null) },
      ],
    });
  }
  const djangoHeavy = r.peers.find((x) => x.name === 'django')?.heavy ?? null;
  const modes = [...new Set(r.heavy.map((h) => h.mode))];
  for (const mode of modes) {
    const series: Series[] = [];
    for (const h of r.heavy.filter((x) => x.mode === mode && x.steps.length > 0)) {
      const pts = (k: 'p50' | 'p99') =>
        h.steps
          .filter((s) => s.requests > 0)
          .map((s): Point => [s.rate!, Math.max(1, s.latencyMs[k]), !s.pass, s.generatorLimited])
          .sort((a, b) => a[0] - b[0]);
      // One colour per engine in every chart, whatever subset of engines a run measured.
      const color = ENGINE_COLORS[r.heavy.findIndex((x) => x.engine === h.engine) % ENGINE_COLORS.length];
      series.push({ name: `${h.engine} p99`, points: pts('p99'), color });
      series.push({ name: `${h.engine} p50`, points: pts('p50'), dashed: true, color });
    }
    if (series.length > 0 && djangoHeavy && djangoHeavy.steps.length > 0) {
      series.push({
        name: 'django p99',
        color: PEER_COLORS[0],
        points: djangoHeavy.steps
          .filter((s) => s.requests > 0)
          .map((s): Point => [s.rate!, Math.max(1, s.latencyMs.p99), !s.pass, s.generatorLimited])
          .sort((a, b) => a[0] - b[0]),
      });
    }
    if (series.length > 0) {
      charts.push({
        kind: 'line',
        id: `heavy-latency-${mode}`,
        title: `Heavy latency vs offered rate, mode=${mode}: solid p99, dashed p50, hollow = failed step`,
        x: 'offered rate, req/s',
        y: 'latency, ms',
        logX: true,
        logY: true,
        series,
        hlines: [
          { y: r.slo.heavy.p99Ms, label: 'p99 6 s' },
          { y: r.slo.heavy.p95Ms, label: 'p95 3 s' },
          ...(djangoHeavy?.serviceTimeSec ? [{ y: djangoHeavy.serviceTimeSec * 1000, label: `Django alone ${djangoHeavy.serviceTimeSec.toFixed(2)} s (measured)` }] : []),
        ],
      });
    }
  }
  const engines = [...new Set(r.heavy.map((h) => h.engine))];
  charts.push({
    kind: 'bar',
    id: 'capacity',
    title: 'Heavy capacity per engine x mode (req/s at p95 < 3 s, p99 < 6 s, no errors)',
    y: 'req/s',
    logY: true,
    groups: engines,
    series: modes.map((mode) => ({ name: mode, values: engines.map((e) => r.heavy.find((h) => h.engine === e && h.mode === mode)?.capacity ?? null) })),
    hlines: djangoHeavy?.capacity ? [{ y: djangoHeavy.capacity, label: `Django ${djangoHeavy.capacity.toFixed(2)} req/s (measured)` }] : [],
  });
  if (r.mixed.runs.length > 0) {
    const pairs = r.mixed.runs;
    charts.push({
      kind: 'bar',
      id: 'mixed',
      title: `/hello p99 beside heavy load (heavy at ${[...new Set(pairs.map((p) => `${Math.round(p.fraction * 100)}%`))].join(', ')} of capacity)`,
      y: '/hello p99, ms',
      logY: true,
      groups: [...new Set(pairs.map((p) => p.engine))],
      series: modes.map((mode) => ({
        name: mode,
        values: [...new Set(pairs.map((p) => p.engine))].map((e) => pairs.find((p) => p.engine === e && p.mode === mode)?.hello.latencyMs.p99 ?? null),
      })),
      hlines: r.mixed.baseline ? [{ y: Math.max(0.01, r.mixed.baseline.latencyMs.p99), label: `alone ${r.mixed.baseline.latencyMs.p99.toFixed(2)} ms` }] : [],
    });
  }
  if (r.scaling && r.scaling.rows.length > 0) {
    const pairs = [...new Set(r.scaling.rows.map((x) => `${x.engine}/${x.mode}`))];
    const one = (pair: string) => r.scaling!.rows.find((x) => `${x.engine}/${x.mode}` === pair && x.cpus === 1)?.capacity ?? null;
    charts.push({
      kind: 'line',
      id: 'scaling',
      title: 'Heavy capacity vs CPU limit: solid measured, dashed linear (N x capacity at 1 CPU)',
      x: 'CPUS',
      y: 'capacity, req/s',
      series: pairs.flatMap((pair, i) => {
        const color = ENGINE_COLORS[i % ENGINE_COLORS.length];
        const rows = r.scaling!.rows.filter((x) => `${x.engine}/${x.mode}` === pair && x.capacity !== null).sort((a, b) => a.cpus - b.cpus);
        const base = one(pair);
        return [
          { name: pair, points: rows.map((x): Point => [x.cpus, x.capacity!]), color },
          ...(base ? [{ name: `${pair} linear`, points: rows.map((x): Point => [x.cpus, x.cpus * base]), dashed: true, color }] : []),
        ];
      }),
    });
  }
  if (r.cost && r.cost.rows.length > 0) {
    const subjects = [...new Set(r.cost.rows.map((x) => x.subject))];
    const platforms = [...new Set(r.cost.rows.map((x) => x.platform))];
    charts.push({
      kind: 'bar',
      id: 'cost',
      title: `Estimated cost per million heavy requests (${r.cost.currency}, ${r.cost.region}, on-demand; from this machine's capacity)`,
      y: `${r.cost.currency} per 1M requests`,
      logY: true,
      groups: subjects,
      series: platforms.map((p) => ({ name: p, values: subjects.map((s) => r.cost!.rows.find((x) => x.subject === s && x.platform === p)?.costPerMillion ?? null) })),
    });
  }
  const tl = r.timeline;
  if (tl.points.length > 1) {
    const bands = tl.phases.map((p) => ({ start: p.start, end: p.end, label: p.label }));
    charts.push({
      kind: 'line',
      id: 'cpu',
      title: 'Service CPU over time (cores, /proc, 1 s samples)',
      x: 'seconds since start',
      y: 'CPU cores',
      series: [{ name: 'service CPU', points: tl.points.map((p) => [p.t, p.cpu]) }],
      hlines: r.environment.limits.cpus ? [{ y: r.environment.limits.cpus, label: 'quota' }] : [],
      bands,
    });
    charts.push({
      kind: 'line',
      id: 'rss',
      title: 'Service RSS over time (MiB)',
      x: 'seconds since start',
      y: 'MiB',
      series: [{ name: 'RSS', points: tl.points.map((p) => [p.t, p.rssMb]) }],
      hlines: r.environment.limits.memoryBytes ? [{ y: r.environment.limits.memoryBytes / 2 ** 20, label: 'memory limit' }] : [],
      bands,
    });
  }
  return charts;
}

/**
 * The page's script and style, real files beside this one (compare/report/assets/), read from the
 * source tree at run time (repoRoot), so the built tree needs no copy of them. The script's first
 * lines are its header comment, which the page leaves out.
 */
function asset(name: string): string {
  return readFileSync(join(repoRoot(), 'compare', 'report', 'assets', name), 'utf8');
}
const DRAW_HEADER = /^(\/\/.*\n)+/;

export function renderHtml(r: Report): string {
  const specs = chartSpecs(r);
  const figures = specs.map((c) => `<figure id="fig-${c.id}"></figure>`).join('\n');
  // The charts stand where the document says (right after the summary).
  const body = toHtml(reportDocument(r), `<h2 id="charts">Charts</h2>\n${figures}`);
  // JSON inside <script>: "</" must not close the element.
  const data = JSON.stringify(specs).replaceAll('</', '<\\/');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Where each engine breaks: ${esc(r.run.id)}</title>
<style>\n${asset('report.css')}</style></head>
<body data-charts="0" data-marks="0">
${body}
<script type="application/json" id="chart-data">${data}</script>
<script>\n${asset('charts.js').replace(DRAW_HEADER, '')}</script>
</body></html>
`;
}
