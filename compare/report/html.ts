import { capacityText } from './bound-text.js';
import type { Report } from './schema.js';
import { renderMarkdown } from './markdown.js';

/**
 * The HTML report: one file, nothing fetched (no CDN, no fonts), so it opens offline and from an
 * archive. The numbers are embedded as JSON and a small script draws every chart as SVG when the
 * page loads; it then sets `data-charts` and `data-marks` on <body>, which the headless-Chromium
 * test reads to know the charts really rendered.
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
            points: x.hello.steps.filter((st) => st.rate !== null && st.requests > 0).map((st): Point => [st.rate!, Math.max(0.01, st.latencyMs.p99), !st.pass, st.generatorLimited]).sort((a, b) => a[0] - b[0]),
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
      const pts = (k: 'p50' | 'p99') => h.steps.filter((s) => s.requests > 0).map((s): Point => [s.rate!, Math.max(1, s.latencyMs[k]), !s.pass, s.generatorLimited]).sort((a, b) => a[0] - b[0]);
      // One colour per engine in every chart, whatever subset of engines a run measured.
      const color = ENGINE_COLORS[r.heavy.findIndex((x) => x.engine === h.engine) % ENGINE_COLORS.length];
      series.push({ name: `${h.engine} p99`, points: pts('p99'), color });
      series.push({ name: `${h.engine} p50`, points: pts('p50'), dashed: true, color });
    }
    if (series.length > 0 && djangoHeavy && djangoHeavy.steps.length > 0) {
      series.push({ name: 'django p99', color: PEER_COLORS[0], points: djangoHeavy.steps.filter((s) => s.requests > 0).map((s): Point => [s.rate!, Math.max(1, s.latencyMs.p99), !s.pass, s.generatorLimited]).sort((a, b) => a[0] - b[0]) });
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
      series: modes.map((mode) => ({ name: mode, values: [...new Set(pairs.map((p) => p.engine))].map((e) => pairs.find((p) => p.engine === e && p.mode === mode)?.hello.latencyMs.p99 ?? null) })),
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
    charts.push({ kind: 'line', id: 'cpu', title: 'Service CPU over time (cores, /proc, 1 s samples)', x: 'seconds since start', y: 'CPU cores', series: [{ name: 'service CPU', points: tl.points.map((p) => [p.t, p.cpu]) }], hlines: r.environment.limits.cpus ? [{ y: r.environment.limits.cpus, label: 'quota' }] : [], bands });
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

/** Runs in the page: draws each spec into its <figure> as SVG. Plain ES2017, no dependencies. */
const DRAW = String.raw`
(function () {
  var NS = 'http://www.w3.org/2000/svg';
  var COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];
  var W = 860, H = 360, L = 70, R = 170, T = 16, B = 46;
  var marks = 0;
  function el(name, attrs, parent, text) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function scale(min, max, a, b, log) {
    if (log) { min = Math.log10(min); max = Math.log10(max); }
    if (max === min) { max = min + 1; }
    return function (v) { var x = log ? Math.log10(v) : v; return a + (x - min) / (max - min) * (b - a); };
  }
  function ticks(min, max, log) {
    var out = [];
    if (log) {
      for (var p = Math.floor(Math.log10(min)); p <= Math.ceil(Math.log10(max)); p++) {
        [1, 2, 5].forEach(function (m) { var v = m * Math.pow(10, p); if (v >= min * 0.999 && v <= max * 1.001) out.push(v); });
      }
      return out;
    }
    var step = Math.pow(10, Math.floor(Math.log10((max - min) / 5 || 1)));
    if ((max - min) / step > 10) step *= 2;
    if ((max - min) / step > 10) step *= 2.5;
    for (var v = Math.ceil(min / step) * step; v <= max + 1e-9; v += step) out.push(v);
    return out;
  }
  function fmt(v) {
    if (v >= 10000) return (v / 1000).toFixed(0) + 'k';
    if (v >= 100) return v.toFixed(0);
    if (v >= 1) return +v.toFixed(1) + '';
    return +v.toPrecision(2) + '';
  }
  function frame(svg, title) { el('text', { x: L, y: 12, class: 'title' }, svg, title); }
  function axes(svg, xs, ys, xt, yt, xl, yl) {
    yt.forEach(function (v) { var y = ys(v); el('line', { x1: L, x2: W - R, y1: y, y2: y, class: 'grid' }, svg); el('text', { x: L - 6, y: y + 4, class: 'tick', 'text-anchor': 'end' }, svg, fmt(v)); });
    if (xt) xt.forEach(function (v) { var x = xs(v); el('line', { x1: x, x2: x, y1: T + 8, y2: H - B, class: 'grid' }, svg); el('text', { x: x, y: H - B + 16, class: 'tick', 'text-anchor': 'middle' }, svg, fmt(v)); });
    el('line', { x1: L, x2: W - R, y1: H - B, y2: H - B, class: 'axis' }, svg);
    el('line', { x1: L, x2: L, y1: T + 8, y2: H - B, class: 'axis' }, svg);
    el('text', { x: (L + W - R) / 2, y: H - 8, class: 'label', 'text-anchor': 'middle' }, svg, xl);
    el('text', { x: 14, y: (T + H - B) / 2, class: 'label', 'text-anchor': 'middle', transform: 'rotate(-90 14 ' + (T + H - B) / 2 + ')' }, svg, yl);
  }
  function hlines(svg, list, ys, lo, hi) {
    (list || []).forEach(function (h) {
      if (h.y < lo || h.y > hi) return;
      var y = ys(h.y);
      el('line', { x1: L, x2: W - R, y1: y, y2: y, class: 'ref' }, svg);
      el('text', { x: W - R - 4, y: y - 3, class: 'reflabel', 'text-anchor': 'end' }, svg, h.label);
    });
  }
  function legend(svg, names, dashed, colors) {
    names.forEach(function (n, i) {
      var y = T + 24 + i * 16;
      el('line', { x1: W - R + 8, x2: W - R + 30, y1: y, y2: y, stroke: (colors && colors[i]) || COLORS[i % COLORS.length], 'stroke-width': 2, 'stroke-dasharray': dashed && dashed[i] ? '5 3' : '' }, svg);
      el('text', { x: W - R + 34, y: y + 4, class: 'tick' }, svg, n);
    });
  }
  function line(fig, c) {
    var svg = el('svg', { viewBox: '0 0 ' + W + ' ' + H, class: 'chart', 'data-chart': c.id, role: 'img' }, fig);
    frame(svg, c.title);
    var xsAll = [], ysAll = [];
    c.series.forEach(function (s) { s.points.forEach(function (p) { xsAll.push(p[0]); ysAll.push(p[1]); }); });
    (c.hlines || []).forEach(function (h) { if (!c.logY || h.y > 0) ysAll.push(h.y); });
    if (xsAll.length === 0) { el('text', { x: L, y: H / 2, class: 'label' }, svg, 'no data'); return; }
    var xmin = Math.min.apply(null, xsAll), xmax = Math.max.apply(null, xsAll);
    var ymin = Math.min.apply(null, ysAll), ymax = Math.max.apply(null, ysAll);
    if (c.logX) { xmin = xmin / 1.3; xmax = xmax * 1.3; }
    if (c.logY) { ymin = ymin / 1.5; ymax = ymax * 1.5; } else { ymin = Math.min(0, ymin); ymax = ymax * 1.1 || 1; }
    var xs = scale(xmin, xmax, L, W - R, c.logX), ys = scale(ymin, ymax, H - B, T + 8, c.logY);
    (c.bands || []).forEach(function (b, i) {
      var x1 = xs(b.start), x2 = xs(b.end);
      el('rect', { x: x1, y: T + 8, width: Math.max(1, x2 - x1), height: H - B - T - 8, class: 'band' + (i % 2) }, svg);
      if (x2 - x1 > 34) el('text', { x: (x1 + x2) / 2, y: T + 20, class: 'bandlabel', 'text-anchor': 'middle' }, svg, b.label);
    });
    axes(svg, xs, ys, ticks(xmin, xmax, c.logX), ticks(ymin, ymax, c.logY), c.x, c.y);
    hlines(svg, c.hlines, ys, ymin, ymax);
    c.series.forEach(function (s, i) {
      var color = s.color || COLORS[i % COLORS.length];
      if (s.points.length === 0) return;
      var d = s.points.map(function (p, j) { return (j ? 'L' : 'M') + xs(p[0]).toFixed(1) + ' ' + ys(p[1]).toFixed(1); }).join(' ');
      el('path', { d: d, fill: 'none', stroke: color, 'stroke-width': 2, 'stroke-dasharray': s.dashed ? '5 3' : '', class: 'series' }, svg);
      marks++;
      if (s.points.length <= 60) s.points.forEach(function (p) {
        var dot = el('circle', { cx: xs(p[0]), cy: ys(p[1]), r: 3.5, fill: p[3] ? '#bbb' : p[2] ? 'white' : color, stroke: color, 'stroke-width': 1.5, class: 'mark' }, svg);
        el('title', {}, dot, s.name + ': ' + fmt(p[0]) + ' -> ' + fmt(p[1]));
        marks++;
      });
    });
    legend(svg, c.series.map(function (s) { return s.name; }), c.series.map(function (s) { return s.dashed; }), c.series.map(function (s) { return s.color; }));
  }
  function bar(fig, c) {
    var svg = el('svg', { viewBox: '0 0 ' + W + ' ' + H, class: 'chart', 'data-chart': c.id, role: 'img' }, fig);
    frame(svg, c.title);
    var vals = [];
    c.series.forEach(function (s) { s.values.forEach(function (v) { if (v !== null && v > 0) vals.push(v); }); });
    (c.hlines || []).forEach(function (h) { if (h.y > 0) vals.push(h.y); });
    if (vals.length === 0) { el('text', { x: L, y: H / 2, class: 'label' }, svg, 'no data'); return; }
    var ymin = c.logY ? Math.min.apply(null, vals) / 2 : 0, ymax = Math.max.apply(null, vals) * (c.logY ? 2 : 1.15);
    var ys = scale(ymin, ymax, H - B, T + 8, c.logY);
    axes(svg, null, ys, null, ticks(ymin, ymax, c.logY), '', c.y);
    var gw = (W - R - L) / c.groups.length, bw = Math.min(48, (gw - 16) / c.series.length);
    c.groups.forEach(function (g, gi) {
      var x0 = L + gi * gw + (gw - bw * c.series.length) / 2;
      el('text', { x: L + gi * gw + gw / 2, y: H - B + 16, class: 'tick', 'text-anchor': 'middle' }, svg, g);
      c.series.forEach(function (s, si) {
        var v = s.values[gi], x = x0 + si * bw;
        if (v === null || v === undefined) { el('text', { x: x + bw / 2, y: H - B - 6, class: 'na', 'text-anchor': 'middle' }, svg, 'n/a'); return; }
        var y = ys(Math.max(v, ymin));
        var rect = el('rect', { x: x + 1, y: y, width: bw - 2, height: Math.max(0, H - B - y), fill: COLORS[si % COLORS.length], class: 'mark' }, svg);
        el('title', {}, rect, g + ' ' + s.name + ': ' + fmt(v));
        el('text', { x: x + bw / 2, y: y - 3, class: 'val', 'text-anchor': 'middle' }, svg, fmt(v));
        marks++;
      });
    });
    hlines(svg, c.hlines, ys, ymin, ymax);
    legend(svg, c.series.map(function (s) { return s.name; }));
  }
  var specs = JSON.parse(document.getElementById('chart-data').textContent);
  var drawn = 0;
  specs.forEach(function (c) {
    var fig = document.getElementById('fig-' + c.id);
    if (!fig) return;
    (c.kind === 'bar' ? bar : line)(fig, c);
    drawn++;
  });
  document.body.setAttribute('data-charts', String(drawn));
  document.body.setAttribute('data-marks', String(marks));
})();
`;

const CSS = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1100px; color: #222; padding: 0 16px; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ddd; } h3 { font-size: 15px; }
table { border-collapse: collapse; margin: 8px 0; font-size: 12.5px; } td, th { border: 1px solid #ccc; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } pre { background: #f6f6f6; padding: 8px; overflow-x: auto; font-size: 12px; white-space: pre-wrap; }
blockquote { border-left: 4px solid #d62728; margin: 8px 0; padding: 4px 12px; background: #fff3f3; }
figure { margin: 12px 0; } svg.chart { width: 100%; height: auto; border: 1px solid #eee; background: #fff; }
.title { font-size: 13px; font-weight: 600; } .tick { font-size: 11px; fill: #444; } .label { font-size: 12px; fill: #222; }
.grid { stroke: #eee; } .axis { stroke: #888; } .ref { stroke: #999; stroke-dasharray: 2 3; } .reflabel { font-size: 10.5px; fill: #666; }
.val { font-size: 10px; fill: #333; } .na { font-size: 11px; fill: #d62728; } .band0 { fill: #f4f7fb; } .band1 { fill: #fbf8f2; } .bandlabel { font-size: 9.5px; fill: #777; }
`;

const esc = (s: string): string => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** A deliberately small Markdown subset: exactly what markdown.ts writes (headings, lists, tables, code, quotes). */
export function markdownToHtml(md: string): string {
  const out: string[] = [];
  const lines = md.split('\n');
  const inline = (s: string) =>
    esc(s)
      .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
      .replace(/`([^`]+)`/g, '<code>$1</code>');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.startsWith('```')) {
      const block: string[] = [];
      for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) block.push(lines[i]!);
      out.push(`<pre>${esc(block.join('\n'))}</pre>`);
    } else if (l.startsWith('|')) {
      const rows: string[][] = [];
      for (; i < lines.length && lines[i]!.startsWith('|'); i++) {
        const cells = lines[i]!.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim().replaceAll('\\|', '|'));
        if (!cells.every((c) => /^-+$/.test(c))) rows.push(cells);
      }
      i--;
      const [head, ...body] = rows;
      out.push(`<table><tr>${(head ?? []).map((c) => `<th>${inline(c)}</th>`).join('')}</tr>${body.map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join('')}</tr>`).join('')}</table>`);
    } else if (/^#{1,3} /.test(l)) {
      const n = l.indexOf(' ');
      const text = l.slice(n + 1);
      out.push(`<h${n} id="${esc(text.toLowerCase().replace(/[^a-z0-9]+/g, '-'))}">${inline(text)}</h${n}>`);
    } else if (l.startsWith('- ')) {
      const items: string[] = [];
      for (; i < lines.length && lines[i]!.startsWith('- '); i++) items.push(`<li>${inline(lines[i]!.slice(2))}</li>`);
      i--;
      out.push(`<ul>${items.join('')}</ul>`);
    } else if (l.startsWith('> ')) {
      out.push(`<blockquote>${inline(l.slice(2))}</blockquote>`);
    } else if (l.trim() !== '') {
      out.push(`<p>${inline(l)}</p>`);
    }
  }
  return out.join('\n');
}

export function renderHtml(r: Report): string {
  const specs = chartSpecs(r);
  const figures = specs.map((c) => `<figure id="fig-${c.id}"></figure>`).join('\n');
  // The charts go right after the summary: the Markdown body is split at its first level-2 heading after it.
  const body = markdownToHtml(renderMarkdown(r));
  const marker = '<h2 id="heavy-capacity-per-engine-x-mode">';
  const withCharts = body.includes(marker) ? body.replace(marker, `<h2 id="charts">Charts</h2>\n${figures}\n${marker}`) : `${body}\n<h2>Charts</h2>\n${figures}`;
  // JSON inside <script>: "</" must not close the element.
  const data = JSON.stringify(specs).replaceAll('</', '<\\/');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Where each engine breaks: ${esc(r.run.id)}</title>
<style>${CSS}</style></head>
<body data-charts="0" data-marks="0">
${withCharts}
<script type="application/json" id="chart-data">${data}</script>
<script>${DRAW}</script>
</body></html>
`;
}
