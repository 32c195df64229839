/** The report's method section: how the run measured, from its plan (no number written twice). */
import { DEFAULT_WORKLOAD } from '../../lab/index.js';
import type { MethodFacts } from '../analyse/schema.js';
import { code, type Text } from './document.js';
import { SEED_QUOTED as SEED } from '../../lab/facts.js';
import { SPARE_CPU } from '../measure/verdict.js';
import { GENERATOR_CPU_LIMIT } from '../../lab/generators/limited.js';
import { NOISE_CORES } from '../measure/verdict.js';

export function methodText(m: MethodFacts): Text[] {
  const p = m.plan;
  const h = p.heavy;
  const how =
    m.limitMethod === 'docker'
      ? [`in a Docker container (image ${m.image ?? '?'}, Node ${m.node ?? '?'}, `, code('docker run --cpus --memory --memory-swap'), `, host network)`]
      : [`limited by ${m.limitMethod ?? 'an unknown method'} (Node ${m.node ?? '?'})`];
  return [
    [
      `Service: the built server under `,
      code('make run-constrained'),
      ' ',
      ...how,
      ` (1 CPU quota, 256 MB, no swap), loopback only. Pinning: ${m.pinning ?? 'unknown'}. Each generator's CPU time is measured (bash `,
      code('times'),
      `); a step is flagged GENERATOR-LIMITED when a generator used more than ${Math.round(GENERATOR_CPU_LIMIT * 100)}% of a core, when its core was more than 95% busy while it used over 45% of it, or when it sent under 90% of the asked rate while answers stayed within the objective. A capacity whose search ended at the generator's limit (or the plan's highest rate) is only a lower bound, and every table and ratio prints it as "at least X req/s (generator-bound)". The bare uWS peer (peers/uws-bare, when measured) is the control of the /hello measurement: when its own search fails while it has CPU to spare (under 90% of its quota), the generator ran out or its own tail crossed the objective there, and any /hello failure above the highest rate the generator passed against it is the measurement's, so that capacity reads "at least" too. /proc/stat per-core times show how much other processes used: a step where they took more than ${NOISE_CORES} cores is marked NOISY.`,
    ],
    `Verification before any load: every available engine in every mode answers ${m.checks} known-answer requests (fixtures/vectors.json); one wrong answer aborts the run. Heavy answers under load are checked again from the raw results.`,
    [
      `/hello capacity: after a primer request and a ${p.hello.warmupSec} s warm-up at ${p.hello.warmupRate}/s, constant-rate pacer steps of ${p.hello.stepSec} s (open model, wrk2's: `,
      code('pacer --rate RATE --connections 32'),
      `, the project's own generator in pacer/, each connection on its own constant-rate schedule, one request in flight, every latency counted from when its request was due, so a stall shows as the latency of every request behind it; requests due but never sent count as failures; pacer's JSON output of each step is kept), exponential from ${p.hello.search.start}/s (x${p.hello.search.upFactor}) then bisection, at most ${p.hello.search.maxSteps} steps, capped at ${p.hello.search.max}/s. A step passes with 0 errors and p99 < ${p.hello.sloP99Ms} ms.${p.hello.repeatSpareFailures ? ` A step that failed while the generator kept up and the service used under ${Math.round(SPARE_CPU * 100)}% of its CPU quota is measured once more at the same rate, and the search takes the repeat's verdict: such a failure is a tail crossing the objective, which one stall of this shared machine (a neighbour, a GC pause) can cause, while a limit of the service's own repeats; both steps are in the tables (the repeat's verdict reads REPEAT), ${m.repeats} in this run.` : ''} Closed-loop maximum: wrk -t${p.hello.wrk.threads} -c${p.hello.wrk.connections} for ${p.hello.wrk.durationSec} s.`,
    ],
    `Heavy capacity (default workload prime_limit=${DEFAULT_WORKLOAD.primeLimit}, hash_rounds=${DEFAULT_WORKLOAD.hashRounds}, io_kb=${DEFAULT_WORKLOAD.ioKb}), per engine x mode: a primer and ${h.warmupRequests} sequential warm-up requests give the service time alone; the search starts at ${h.startFraction} x (CPUs / service time), steps x${h.search.upFactor} up or x${h.search.downFactor} down, then bisects, at most ${h.search.maxSteps} steps; each step lasts long enough for ${h.minRequests} requests within ${h.minStepSec}-${h.maxStepSec} s. A step passes with no error (a 503 shed by admission control counts), p95 < ${h.sloP95Ms / 1000} s and p99 < ${h.sloP99Ms / 1000} s (the seed's k6 thresholds; p50 < ${h.sloP50Ms / 1000} s is shown, not required). Capacity = the highest passing rate.`,
    `Mixed: /hello at ${p.mixed.helloRate}/s alone (baseline), then beside heavy load at ${p.mixed.heavyFractions.map((f) => `${Math.round(f * 100)}%`).join(' and ')} of each engine x mode's measured capacity, ${p.mixed.durationSec} s each.`,
    `Engine order rotates: mode number i starts with the i-th engine, the mixed scenario with the third. After each step the service drains (no heavy request running or queued) and rests ${p.pauseSec} s.`,
    [
      `Evidence per step: vegeta raw results (runs/**/*.bin) and the /hello generator's output (runs/hello/*.json, pacer's or oha's), every latency number here recomputed from them by `,
      code('make report'),
      `; service CPU and RSS from /proc, cgroup cpu.stat throttling counters before/after (a quota throttles in 100 ms periods, adding up to 100 ms of tail latency), scheduler counters from /heavy/health/, Prometheus queries over the step's window (CPU, RSS, event-loop delay, shed requests).`,
    ],
    ...(p.peers?.names.length
      ? [
          [
            `Peers (peers/), measured after the lab in the same run: ${p.peers.names.join(', ')}. Each replaces the lab under `,
            code('make run-constrained PEER=...'),
            ` (same limits, method and state file), is checked before any load on it (its /hello text; Django's heavy answers against the same known answers), then runs the same /hello search and wrk loop (on its own ladder: ${p.peers.names.map((n) => `${n} from ${p.peers.hello?.[n]?.start ?? p.hello.search.start}/s down to ${p.peers.hello?.[n]?.min ?? p.hello.search.min}/s, at most ${p.peers.hello?.[n]?.maxSteps ?? p.hello.search.maxSteps} steps`).join('; ')})${p.peers.names.includes('django') ? `; Django also the heavy search against the same objective on its own rate ladder (from ${p.peers.djangoHeavy.startFraction} x its estimate, x${p.peers.djangoHeavy.search.upFactor} up, x${p.peers.djangoHeavy.search.downFactor} down, at most ${p.peers.djangoHeavy.search.maxSteps} steps of ${p.peers.djangoHeavy.minRequests} requests within ${p.peers.djangoHeavy.minStepSec}-${p.peers.djangoHeavy.maxStepSec} s) and /hello beside heavy load at ${Math.round((p.mixed.heavyFractions[0] ?? 0.5) * 100)}% of its capacity` : ''}. Every "vs" figure is the lab's figure divided by the peer's from this run.`,
          ],
        ]
      : []),
    `Quoted, not measured (context only): the seed documents give the Django service ${SEED.helloReqPerSec} req/s on /hello (gunicorn, 1 CPU, 256 MB) and about ${SEED.heavySecPerRequest} s per heavy request, i.e. at most ${SEED.heavyReqPerSec.toFixed(2)} req/s on one CPU, measured on another machine.`,
  ];
}
