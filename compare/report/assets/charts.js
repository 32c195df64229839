// The report's charts, drawn in the page (report/html.ts embeds this file): each spec in
// #chart-data into its <figure> as SVG. Plain ES2017, no dependencies; when done it sets
// data-charts and data-marks on <body>, which the headless-Chromium test reads.
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
