import { costSection } from './cost-text.js';
import { code, recorded, strong, toMarkdown, type Block, type Text } from './document.js';
import { scalingSection } from './scaling-text.js';
import type { HeavyResult, Report, StepResult } from './schema.js';
import { capacityCell, capacityText, ratioText } from './bound-text.js';
import { summaryLines } from './text.js';
import { outOfCore } from '../../lab/generators/limited.js';

const f = (x: number | null | undefined, d = 2): string => (x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(d));
const mib = (b: number | null | undefined): string => (b ? (b / 2 ** 20).toFixed(0) : '-');

const table = (head: Text[], rows: Text[][], gap?: number): Block => ({ kind: 'table', head, rows, ...(gap === undefined ? {} : { gap }) });
const para = (text: Text): Block => ({ kind: 'paragraph', text });
const h2 = (text: string, gap?: number): Block => ({ kind: 'heading', level: 2, text, ...(gap === undefined ? {} : { gap }) });

export function stepRows(steps: readonly StepResult[], heavy: boolean): Text[][] {
  return steps.map((s) => [
    s.rate === null ? '-' : s.rate >= 10 ? s.rate.toFixed(0) : s.rate.toFixed(2),
    String(s.requests),
    `${(s.success * 100).toFixed(1)}%`,
    f(s.latencyMs.p50, heavy ? 0 : 2),
    f(s.latencyMs.p95, heavy ? 0 : 2),
    f(s.latencyMs.p99, heavy ? 0 : 2),
    f(s.serviceCpuCores),
    s.throttling ? `${(s.throttling.share * 100).toFixed(0)}% (${s.throttling.throttledMs.toFixed(0)} ms)` : '-',
    mib(s.serviceRssMaxBytes ?? s.prometheus['rssMaxBytes'] ?? null),
    s.prometheus['eventLoopMaxSec'] !== undefined && s.prometheus['eventLoopMaxSec'] !== null ? f(s.prometheus['eventLoopMaxSec']! * 1000, 1) : '-',
    heavy ? `${s.shed ?? '-'} / ${s.deadlineDropped ?? '-'}` : String(s.prometheus['shed'] ?? '-'),
    `${(s.generatorCpuShare * 100).toFixed(0)}%`,
    s.monitoringCores !== null ? f(s.monitoringCores) : '-',
    (s.repeatOf !== undefined ? 'REPEAT: ' : '') +
      (s.generatorLimited ? 'GENERATOR-LIMITED' : s.pass ? 'pass' : `FAIL: ${s.reasons.join('; ')}`) +
      (s.noisy ? ` (NOISY: others used ${f(s.otherCores)} cores)` : '') +
      (s.listenDrops ? ` (${s.listenDrops} SYNs dropped)` : ''),
  ]);
}

const STEP_HEAD = [
  'offered req/s',
  'requests',
  'ok',
  'p50 ms',
  'p95 ms',
  'p99 ms',
  'service CPU',
  'throttled periods',
  'RSS MiB',
  'loop lag max ms',
  'shed',
  'generator CPU',
  'monitoring CPU',
  'verdict',
];

/** The report as a document: what report.md and report.html both render. */
export function reportDocument(r: Report): Block[] {
  const out: Block[] = [];
  out.push({ kind: 'heading', level: 1, text: `Where each engine breaks: run ${r.run.id}` });
  out.push(
    para([
      'Status: ',
      strong(r.run.status),
      `${r.run.failure ? ` (${r.run.failure})` : ''}. Profile: ${r.run.profile}. Started ${r.run.startedAt}, finished ${r.run.finishedAt ?? '-'}.`,
    ]),
  );
  for (const n of r.notes) {
    const t = recorded(n);
    out.push({ kind: 'note', text: [strong('NOTE:'), ' ', ...(typeof t === 'string' ? [t] : t)] });
  }
  out.push(h2('Method'));
  out.push({ kind: 'list', items: r.method });
  out.push(h2('Summary'));
  out.push({ kind: 'code', lines: summaryLines(r) });
  out.push({ kind: 'charts' });
  out.push(h2('Heavy capacity per engine x mode'));
  const django = r.peers.find((x) => x.name === 'django')?.heavy ?? null;
  const heavyRow = (h: HeavyResult, vs: string): Text[] =>
    h.available
      ? [
          h.engine,
          h.mode,
          `${f(h.serviceTimeSec, 3)} (${f(h.cpuTimeSec, 3)})`,
          capacityCell(h.capacity, h.bound, 2),
          f(h.firstFailure),
          h.atCapacity ? `${f(h.atCapacity.latencyMs.p50, 0)} / ${f(h.atCapacity.latencyMs.p95, 0)} / ${f(h.atCapacity.latencyMs.p99, 0)}` : '-',
          vs,
          h.end ?? '-',
          h.diagnosis.detail,
        ]
      : [h.engine, h.mode, [strong('UNAVAILABLE')], '-', '-', '-', '-', '-', h.reason ?? ''];
  out.push(
    table(
      [
        'engine',
        'mode',
        'alone: total s (cpu s)',
        'capacity req/s',
        'first failure req/s',
        'p50 / p95 / p99 ms at capacity',
        `vs Django measured in this run${django ? ` (${capacityText(django.capacity, django.bound, 2)}, ${f(django.serviceTimeSec, 3)} s alone)` : ''}`,
        'search end',
        'breaks first',
      ],
      [
        ...r.heavy.map((h) =>
          heavyRow(
            h,
            `${h.vsDjango.capacityRatio !== null ? `${ratioText(h.vsDjango.capacityRatio, h.bound)} rate` : '-'}, ${h.vsDjango.speedup !== null ? `${f(h.vsDjango.speedup, 1)}x faster alone` : '-'}`,
          ),
        ),
        ...(django ? [heavyRow(django, 'the baseline')] : []),
      ],
    ),
  );
  out.push(
    para(
      `Quoted, not measured (context only): the seed documents give Django about ${r.seed.heavySecPerRequest} s per heavy request (at most ${f(r.seed.heavyReqPerSec)} req/s on one CPU) and ${r.seed.helloReqPerSec} req/s on /hello, on another machine with other code.${django ? ` Measured here under the same limits: ${f(django.serviceTimeSec, 3)} s alone, ${f(django.capacity)} req/s.` : ''}`,
    ),
  );
  out.push(h2('/hello'));
  const hc = r.hello;
  const peerHello = r.peers.map(
    (x) =>
      `${x.name} ${capacityText(x.hello.capacity, x.hello.bound)}${hc.vsPeers[x.name]?.capacityRatio != null ? ` (this is ${ratioText(hc.vsPeers[x.name]!.capacityRatio, hc.bound)} it)` : ''}`,
  );
  out.push(
    para([
      `Capacity (open model on ${hc.generator}, p99 < ${r.slo.hello.p99Ms} ms, 0 errors): `,
      strong(capacityText(hc.capacity, hc.bound)),
      ` (search end: ${hc.end ?? '-'}${peerHello.length ? `; measured in this run: ${peerHello.join(', ')}` : ''}; quoted by the seed for Django, not measured: ${r.seed.helloReqPerSec} req/s).`,
      ...(hc.bound === 'generator'
        ? [
            " The load generator, not the service, ran out first: the service's own capacity is higher (see its CPU in the steps below and ",
            code('make bench-generators'),
            " for the generator's ceiling).",
          ]
        : []),
      ` First failing rate: ${hc.firstFailure ?? '-'}. What breaks: ${hc.diagnosis.detail}.`,
    ]),
  );
  const bareMeasured = r.peers.some((x) => x.name === 'uws-bare' && x.measured);
  out.push(
    para(
      hc.ceiling
        ? `Ceiling of this measurement, in this run: against the bare uWS peer (same generator, objective and limits) ${hc.generator} passed up to ${hc.ceiling.passed}/s and failed at ${hc.ceiling.failedAt}/s while that server used ${f(hc.ceiling.cpuCores)} of its CPU: the generator ran out there, or its own tail crossed the objective. A failure above ${hc.ceiling.passed}/s is the measurement's, not the service's, and its capacity reads "at least".`
        : bareMeasured
          ? "Ceiling of this measurement: the bare uWS peer failed at its own CPU limit (or never failed), so the generator out-ran one uWS core in this run and each failure above is judged on its own step's evidence."
          : [
              "Ceiling of this measurement: not measured (the bare uWS peer was not in this run), so a failure with the service's CPU to spare may be the generator's; see ",
              code('make bench-generators'),
              '.',
            ],
    ),
  );
  if (hc.wrk)
    out.push(
      para([
        'Closed loop (',
        code(hc.wrk.command),
        '): ',
        strong(`${hc.wrk.requestsPerSec.toFixed(0)} req/s`),
        `, latency p50 ${f(hc.wrk.latencyMs['p50'])} ms, p99 ${f(hc.wrk.latencyMs['p99'])} ms, ${hc.wrk.errors} errors; service CPU ${f(hc.wrk.serviceCpuCores)}, wrk used ${(hc.wrk.generatorCpuShare * 100).toFixed(0)}% of its core${outOfCore({ cpuShare: hc.wrk.generatorCpuShare }) ? ' (GENERATOR-LIMITED: wrk ran out of core first, the service may do more)' : ''}.`,
      ]),
    );
  out.push(table(STEP_HEAD, stepRows(hc.steps, false)));
  out.push(h2('Mixed: /hello latency beside heavy load'));
  if (r.mixed.baseline)
    out.push(
      para(`Baseline, /hello alone: p50 ${f(r.mixed.baseline.latencyMs.p50)} ms, p99 ${f(r.mixed.baseline.latencyMs.p99)} ms, max ${f(r.mixed.baseline.latencyMs.max, 1)} ms.`),
    );
  out.push(
    table(
      [
        'engine',
        'mode',
        'heavy req/s (share of capacity)',
        '/hello req/s',
        '/hello ok',
        '/hello p50 ms',
        '/hello p99 ms',
        '/hello max ms',
        'heavy ok',
        'heavy p99 ms',
        'service CPU',
        'loop lag max ms',
      ],
      r.mixed.runs.map((x) => [
        x.engine,
        x.mode,
        `${f(x.heavyRate)} (${Math.round(x.fraction * 100)}%)`,
        String(x.helloRate),
        `${(x.hello.success * 100).toFixed(1)}%`,
        f(x.hello.latencyMs.p50),
        f(x.hello.latencyMs.p99),
        f(x.hello.latencyMs.max, 1),
        x.heavy ? `${(x.heavy.success * 100).toFixed(0)}%` : '-',
        x.heavy ? f(x.heavy.latencyMs.p99, 0) : '-',
        f(x.serviceCpuCores),
        x.eventLoopMaxSec !== null ? f(x.eventLoopMaxSec * 1000, 1) : '-',
      ]),
    ),
  );
  out.push(...peerSections(r));
  out.push(h2('Heavy steps'));
  for (const h of r.heavy.filter((x) => x.steps.length > 0)) {
    out.push({ kind: 'heading', level: 3, text: `${h.engine} / ${h.mode}` });
    out.push(para(`Estimate from the warm-up: ${f(h.estimate)} req/s. ${h.diagnosis.detail}.`));
    out.push(table(STEP_HEAD, stepRows(h.steps, true)));
  }
  // Every section after the heavy steps stands two blank lines below what precedes it in Markdown.
  if (r.scaling) out.push(...scalingSection(r.scaling));
  if (r.cost) out.push(...costSection(r.cost));
  out.push(h2('Verification', 2));
  const v = r.verification;
  if (v) {
    out.push(para(`${v.ok ? 'All' : 'NOT all'} ${v.checks.length} known-answer checks passed.`));
    const bad = v.checks.filter((c) => !c.ok);
    if (bad.length > 0)
      out.push(
        table(
          ['engine', 'mode', 'prime_limit', 'hash_rounds', 'expected', 'got'],
          bad.map((c) => [c.engine, c.mode, String(c.primeLimit), String(c.hashRounds), c.expected, c.got]),
          0,
        ),
      );
    for (const [e, why] of Object.entries(v.unavailable)) out.push(para([strong(`Engine ${e} UNAVAILABLE`), `: ${why}`]));
  } else out.push(para('Not run.'));
  out.push(h2('Environment'));
  const e = r.environment;
  out.push(
    table(
      ['what', 'value'],
      [
        ['CPU', `${e.cpuModel} (${e.cpus} cores visible)`],
        ['kernel', e.kernel],
        ['Node', e.node],
        ['rustc', e.rustc],
        ['vegeta / wrk', `${e.vegeta} / ${e.wrk}`],
        ['commit', e.commit],
        [
          'machine load at start',
          `${e.busyCoresBeforeStart != null ? `${e.busyCoresBeforeStart.toFixed(2)} cores busy before the run` : '-'}; load average ${(e.loadAverage ?? []).map((x) => x.toFixed(2)).join(' ')}`,
        ],
        ['limits', e.limits.detail],
        ['pinning', e.pinning.why],
        [
          'service',
          `uWS ${e.service.uws}; pool ${e.service.poolSize}, queue ${e.service.queueMax}, deadline ${e.service.deadlineMs} ms${
            Object.keys(e.serviceEnv).length
              ? `; env ${Object.entries(e.serviceEnv)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(' ')}`
              : ''
          }`,
        ],
        [
          'engines',
          Object.entries(r.engines)
            .map(([k, x]) => `${k}: ${x.available ? x.description : `UNAVAILABLE (${x.reason})`}`)
            .join('; '),
        ],
        [
          'build flags',
          Object.entries(e.builds)
            .map(([k, b]) => `${k}: ${b && typeof b === 'object' && 'summary' in b ? String((b as { summary: string }).summary) : 'no build-info'}`)
            .join('; '),
        ],
        ['Prometheus', recorded(`${e.prometheus.available ? 'available' : 'NOT available'}: ${e.prometheus.note}`)],
        ['throttling, whole run', r.throttlingTotal ? `${r.throttlingTotal.throttled} of ${r.throttlingTotal.periods} periods, ${r.throttlingTotal.throttledMs} ms` : '-'],
      ],
    ),
  );
  out.push(h2('Commands, in order'));
  out.push({ kind: 'code', lines: r.commands.map((c) => `${c.at}  ${c.command}`) });
  return out;
}

/** report.md. */
export function renderMarkdown(r: Report): string {
  return toMarkdown(reportDocument(r));
}

/** One section per peer: what it is, its checks, its limits' evidence, its steps. */
function peerSections(r: Report): Block[] {
  const out: Block[] = [];
  if (r.peers.length === 0) return out;
  out.push(h2('Peers: the baselines, measured in this run'));
  out.push(
    para([
      'Each peer replaced the lab under ',
      code('make run-constrained PEER=...'),
      ' (same limits and method), was checked before any load on it, then went through the same scenarios with the same generators and objectives.',
    ]),
  );
  for (const x of r.peers) {
    out.push({ kind: 'heading', level: 3, text: `${x.name}: ${x.description}` });
    if (x.failure) out.push(para([strong('FAILED'), `: ${x.failure}`]));
    const v = x.verification;
    out.push(
      table(
        ['what', 'value'],
        [
          ['checks before load', `/hello: ${x.helloCheck ?? 'not run'}${v ? `; heavy known answers: ${v.ok ? 'all' : 'NOT all'} ${v.checks.length} passed` : ''}`],
          ['limits', x.limits.detail],
          ['throttling, its whole part', x.throttlingTotal ? `${x.throttlingTotal.throttled} of ${x.throttlingTotal.periods} periods, ${x.throttlingTotal.throttledMs} ms` : '-'],
          [
            'memory',
            `cgroup peak ${mib(x.memoryPeakBytes)} MiB${x.oomKilled ? ' (KILLED FOR MEMORY)' : ''}; largest RSS summed over its processes in a step ${mib(x.rssMaxBytes)} MiB`,
          ],
          [
            '/hello',
            `capacity ${x.hello.capacity ?? '-'} req/s (${x.hello.end ?? '-'}); ${x.hello.diagnosis.detail}${x.hello.wrk ? `; wrk ${x.hello.wrk.requestsPerSec.toFixed(0)} req/s, p99 ${f(x.hello.wrk.latencyMs['p99'])} ms, service CPU ${f(x.hello.wrk.serviceCpuCores)}` : ''}`,
          ],
          ...(x.heavy
            ? [
                [
                  'heavy',
                  `alone ${f(x.heavy.serviceTimeSec, 3)} s (cpu ${f(x.heavy.cpuTimeSec, 3)} s); capacity ${f(x.heavy.capacity)} req/s (${x.heavy.end ?? '-'}); ${x.heavy.diagnosis.detail}`,
                ],
              ]
            : []),
          ...x.mixed.runs.map((m) => [
            '/hello beside heavy',
            `heavy ${f(m.heavyRate)} req/s (${Math.round(m.fraction * 100)}% of capacity) + /hello ${m.helloRate}/s: /hello ok ${(m.hello.success * 100).toFixed(1)}%, p50 ${f(m.hello.latencyMs.p50)} ms, p99 ${f(m.hello.latencyMs.p99)} ms${x.mixed.baseline ? ` (alone: p99 ${f(x.mixed.baseline.latencyMs.p99)} ms)` : ''}`,
          ]),
        ],
      ),
    );
    out.push(para('/hello steps:'));
    out.push(table(STEP_HEAD, stepRows(x.hello.steps, false)));
    if (x.heavy && x.heavy.steps.length > 0) {
      out.push(para(`Heavy steps (estimate from the warm-up ${f(x.heavy.estimate)} req/s):`));
      out.push(table(STEP_HEAD, stepRows(x.heavy.steps, true)));
    }
  }
  return out;
}
