/**
 * Whether a step's Prometheus numbers can be used: the answers they counted against what the step
 * sent, and whose answers they were (by their labels). report/compose.ts says why not in words.
 */
import { METRICS_LAG_MS } from '../measure/prometheus.js';
import type { AnsweredSeries, StepRecord } from '../measure/manifest.js';

/** Answers in the step's window for what the step did not load: another sender's, by its labels. */
export function foreignAnswers(step: Pick<StepRecord, 'scenario' | 'engine' | 'mode' | 'target' | 'prometheusSeries'>): { count: number; what: string[] } | null {
  const series = step.prometheusSeries?.series;
  if (!series || (step.target !== undefined && step.target !== 'lab')) return null;
  const heavyOwn = (s: AnsweredSeries) => s.route !== '/hello' && s.engine === step.engine && s.mode === step.mode;
  const own = (s: AnsweredSeries): boolean => (step.scenario === 'heavy' ? heavyOwn(s) : step.scenario === 'mixed' ? s.route === '/hello' || heavyOwn(s) : s.route === '/hello');
  const foreign = series.filter((s) => !own(s) && s.count > 0);
  return {
    count: foreign.reduce((n, s) => n + s.count, 0),
    what: foreign.map((s) => `${Math.round(s.count)} x ${s.route}${s.engine && s.engine !== 'none' ? ` ${s.engine}/${s.mode}` : ''}`),
  };
}

/**
 * Whether a step's Prometheus numbers are this service's step alone: the answers counted in the
 * step's window must match what the generators sent. The queries keep only this service's
 * instance when it has one (stepQueries, seriesQuery), so other servers on the same exporter are
 * not counted at all; without it, statsd_exporter takes StatsD from anyone on the machine, and a
 * cause is named only when the counts show it: answers for routes, engines or modes the step did
 * not load come from another sender.
 */
export type Distrust =
  | { kind: 'no-counts' }
  /** Answers for what the step did not load; `scoped`: counted on the service's own instance. */
  | { kind: 'foreign'; scoped: boolean; what: string[] }
  | { kind: 'too-many'; answered: number; sent: number }
  | { kind: 'too-few'; answered: number; sent: number; lagMs: number };

export function prometheusTrust(
  answered: number | null | undefined,
  sent: number,
  foreign: { count: number; what: string[] } | null = null,
  scoped = false,
): { trusted: boolean | null; distrust: Distrust | null } {
  if (answered === undefined) return { trusted: null, distrust: null };
  if (answered === null) return { trusted: false, distrust: { kind: 'no-counts' } };
  // Scoped to the service's instance, they were this service's answers to requests from outside
  // the step; unscoped, another sender's StatsD is the one explanation the labels allow.
  if (foreign && foreign.count > 0) return { trusted: false, distrust: { kind: 'foreign', scoped, what: foreign.what.slice(0, 3) } };
  if (answered > sent * 1.1 + 20) return { trusted: false, distrust: { kind: 'too-many', answered, sent } };
  if (answered < sent * 0.5 - 20) return { trusted: false, distrust: { kind: 'too-few', answered, sent, lagMs: METRICS_LAG_MS } };
  return { trusted: true, distrust: null };
}
