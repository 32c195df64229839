/**
 * Checks a finished compare run (RUN, default reports/latest; `make test-compare` runs
 * `make compare QUICK=1` first): report.json against compare/report/report.schema.json, the HTML
 * self-contained and its charts really drawn by headless Chromium (a screenshot is saved into the
 * run folder), and the report rebuilt from the raw files alone giving the same numbers.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Report } from './report/schema.js';

const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020.js') as new (opts: object) => { compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown[] | null } };

const runDir = realpathSync(process.env['RUN'] ?? 'reports/latest');
const report = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')) as Report;

test('report.json matches compare/report/report.schema.json', () => {
  const schema = JSON.parse(readFileSync('compare/report/report.schema.json', 'utf8')) as object;
  const validate = new Ajv2020({ allErrors: true, strict: true, strictRequired: false }).compile(schema);
  const ok = validate(report);
  assert.ok(ok, `schema errors: ${JSON.stringify(validate.errors, null, 1)}`);
});

test('/hello ran on pacer, and a capacity only a lower bound reads "at least" in the summary and the report', () => {
  assert.equal(report.hello.generator, 'pacer');
  const md = readFileSync(join(runDir, 'report.md'), 'utf8');
  const capacityLine = md.split('\n').find((l) => l.startsWith('Capacity (open model on pacer')) ?? '';
  if (report.hello.bound === 'service') assert.match(capacityLine, new RegExp(`\\*\\*${report.hello.capacity} req/s\\*\\*`));
  else {
    assert.match(capacityLine, new RegExp(`\\*\\*at least ${report.hello.capacity} req/s \\(`));
    assert.match(md, /\/hello: capacity at least [0-9]+ req\/s/, 'the summary says "at least" too');
    if (report.hello.vsSeed !== null) assert.match(capacityLine, />= [0-9.]+x \(/, 'the ratio to Django is a lower bound too');
  }
});

test('the run verified its engines and measured /hello and at least one heavy engine', () => {
  assert.equal(report.run.status, 'complete', report.run.failure ?? '');
  assert.ok(report.verification?.ok, 'verification failed');
  assert.ok(report.hello.steps.length > 0 && (report.hello.capacity ?? 0) > 0, 'no /hello capacity');
  assert.ok(report.hello.wrk && report.hello.wrk.requestsPerSec > 0, 'no wrk closed-loop number');
  const measured = report.heavy.filter((h) => h.available && h.steps.length > 0);
  assert.ok(measured.length > 0, 'no heavy engine measured');
  for (const h of measured) assert.ok(h.serviceTimeSec !== null && h.serviceTimeSec > 0, `${h.engine}/${h.mode}: no service time`);
  // The peers were measured in the same run, and every "vs Django" divides by Django's figure from it.
  const django = report.peers.find((x) => x.name === 'django');
  assert.ok(django, 'the Django peer was not measured');
  assert.ok(django.verification?.ok && django.verification.checks.length >= 3, 'Django was not verified against the known answers');
  assert.equal(django.helloCheck, 'ok');
  assert.ok((django.hello.capacity ?? 0) > 0 && django.hello.wrk, 'no Django /hello figures');
  assert.ok(django.heavy?.serviceTimeSec && django.heavy.steps.length > 0, 'no Django heavy figures');
  assert.ok(django.throttlingTotal && django.memoryPeakBytes, 'no throttling or memory evidence for Django');
  for (const h of measured) {
    if (h.vsDjango.speedup !== null)
      assert.ok(Math.abs(h.vsDjango.speedup - django.heavy.serviceTimeSec / h.serviceTimeSec!) < 1e-9, `${h.engine}/${h.mode}: vs Django is not this run's ratio`);
  }
  const node = report.peers.find((x) => x.name === 'node-http');
  assert.ok(node && (node.hello.capacity ?? 0) > 0, 'the node:http peer was not measured');
  assert.ok(report.hello.vsPeers['node-http'], 'no /hello ratio against node:http');
  // Every raw file the manifest names is on disk: the report can be rebuilt.
  const manifest = JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8')) as { steps: { files: Record<string, string> }[] };
  for (const s of manifest.steps) for (const f of Object.values(s.files)) assert.ok(existsSync(join(runDir, f)), `missing raw file ${f}`);
});

test('report.html loads nothing from elsewhere', () => {
  const html = readFileSync(join(runDir, 'report.html'), 'utf8');
  assert.doesNotMatch(html, /<script[^>]+src=/i);
  assert.doesNotMatch(html, /<link[^>]+href=/i);
  assert.doesNotMatch(html, /url\(\s*['"]?https?:/i);
  assert.doesNotMatch(html, /<img[^>]+src=["']?https?:/i);
});

test('headless Chromium draws the charts, and a screenshot is saved', () => {
  const chromium = process.env['CHROMIUM'] ?? 'chromium';
  const url = pathToFileURL(join(runDir, 'report.html')).href;
  // A throwaway profile: Chromium must not touch the user's, and root needs --no-sandbox.
  const profile = mkdtempSync(join(tmpdir(), 'compare-chromium-'));
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--user-data-dir=${profile}`, '--virtual-time-budget=5000'];
  try {
    const dom = execFileSync(chromium, [...flags, '--dump-dom', url], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'], timeout: 90_000 });
    const charts = Number(/<body[^>]*data-charts="(\d+)"/.exec(dom)?.[1] ?? 0);
    const marks = Number(/<body[^>]*data-marks="(\d+)"/.exec(dom)?.[1] ?? 0);
    const svgs = (dom.match(/<svg[^>]*class="chart"/g) ?? []).length;
    const drawn = (dom.match(/<(circle|rect|path)[^>]*class="(mark|series)"/g) ?? []).length;
    // /hello latency, /hello lab vs peers, one heavy latency chart per mode, capacity, mixed, CPU and RSS over time,
    const expected =
      1 +
      (report.peers.length > 0 ? 1 : 0) +
      new Set(report.heavy.map((h) => h.mode)).size +
      1 +
      (report.mixed.runs.length > 0 ? 1 : 0) +
      (report.timeline.points.length > 1 ? 2 : 0) +
      // scaling (a SCALE=1 run) and the cost estimate.
      (report.scaling?.rows.length ? 1 : 0) +
      (report.cost?.rows.length ? 1 : 0);
    assert.equal(charts, expected, `the script drew ${charts} charts, expected ${expected}`);
    assert.equal(svgs, expected, `${svgs} chart SVGs in the DOM`);
    assert.equal(drawn, marks, 'the marks counted by the script are all in the DOM');
    const steps = report.hello.steps.length + report.heavy.reduce((a, h) => a + h.steps.length, 0);
    assert.ok(marks >= steps, `only ${marks} marks drawn for ${steps} measured steps`);

    const png = join(runDir, 'screenshot.png');
    rmSync(png, { force: true });
    spawnSync(chromium, [...flags, '--hide-scrollbars', '--window-size=1200,4000', `--screenshot=${png}`, url], { stdio: 'ignore', timeout: 90_000 });
    assert.ok(existsSync(png), 'no screenshot written');
    const bytes = readFileSync(png);
    assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG');
    // A blank page compresses to a few kB; a page of tables and charts does not.
    assert.ok(statSync(png).size > 50_000, `screenshot only ${statSync(png).size} bytes: blank page?`);
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
});

test('make report rebuilds the same numbers from the raw results alone', () => {
  execFileSync('node', ['dist/compare/report.js', runDir], { stdio: 'ignore' });
  const rebuilt = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')) as Report;
  const numbers = (r: Report) => ({
    hello: [r.hello.capacity, r.hello.steps.map((s) => [s.rate, s.requests, s.latencyMs.p99, s.pass])],
    heavy: r.heavy.map((h) => [h.engine, h.mode, h.capacity, h.steps.map((s) => [s.rate, s.requests, s.latencyMs.p99, s.pass])]),
    mixed: r.mixed.runs.map((m) => [m.engine, m.mode, m.hello.latencyMs.p99]),
  });
  assert.deepEqual(numbers(rebuilt), numbers(report));
});
