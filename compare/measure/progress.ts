/**
 * One line per measured step for the person waiting on `make compare`:
 *
 *   -- step 7 of ~31, 1m42s elapsed, ~3m10s left: 009-heavy-native-inline-1118rpm
 *
 * The total is the plan's upper bound (every search may stop early), revised as each phase ends;
 * time left is the planned seconds of the steps left, scaled by how much longer the finished
 * steps took than planned (drains, pauses, warm-ups, verification).
 */
import { PEER_MODE } from '../../lab/facts.js';
import { heavyStepSec, type Plan } from './plan.js';
import type { StepRecord } from './manifest.js';

export interface Phase {
  readonly name: string;
  /** Measured steps at most. */
  planned: number;
  /** Planned seconds of one step. */
  readonly secEach: number;
  done: number;
  closed: boolean;
}

/** The phase a step belongs to: phases run one after the other. */
export function phaseOf(step: Pick<StepRecord, 'scenario' | 'engine' | 'mode' | 'target'>): string {
  // A peer's phases follow the lab's, under its name.
  const peer = step.target && step.target !== 'lab' ? `${step.target} ` : '';
  return peer + (step.scenario === 'heavy' ? `heavy ${step.engine}/${step.mode}` : step.scenario === 'mixed-baseline' ? 'mixed' : step.scenario);
}

/** The plan's phases, in run order, for the engines that are available. */
export function plannedPhases(plan: Plan, engines: readonly string[]): Phase[] {
  const phase = (name: string, planned: number, secEach: number): Phase => ({ name, planned, secEach, done: 0, closed: false });
  const h = plan.hello;
  const heavySec = heavyStepSec(plan, plan.heavy.minRequests / ((plan.heavy.minStepSec + plan.heavy.maxStepSec) / 2));
  const mixedEngines = plan.mixed.engines === null ? engines : engines.filter((e) => plan.mixed.engines!.includes(e));
  return [
    phase('hello-warmup', 1, h.warmupSec),
    phase('hello', h.search.maxSteps, h.stepSec),
    phase('hello-wrk', 1, h.wrk.durationSec),
    ...plan.modes.flatMap((mode) => engines.map((e) => phase(`heavy ${e}/${mode}`, plan.heavy.search.maxSteps, heavySec))),
    phase('mixed', 1 + plan.mixed.heavyFractions.length * mixedEngines.length * plan.modes.length, plan.mixed.durationSec),
    ...(plan.peers?.names ?? []).flatMap((peer) => {
      const d = plan.peers.djangoHeavy;
      return [
        phase(`${peer} hello-warmup`, 1, h.warmupSec),
        phase(`${peer} hello`, plan.peers.hello[peer]?.maxSteps ?? h.search.maxSteps, h.stepSec),
        phase(`${peer} hello-wrk`, 1, h.wrk.durationSec),
        ...(peer === 'django'
          ? [
              phase(`${peer} heavy django/${PEER_MODE.django}`, d.search.maxSteps, heavyStepSec(d, d.minRequests / ((d.minStepSec + d.maxStepSec) / 2))),
              phase(`${peer} mixed`, 1 + plan.mixed.heavyFractions.length, plan.mixed.durationSec),
            ]
          : []),
      ];
    }),
  ];
}

function clock(sec: number): string {
  const s = Math.max(0, Math.round(sec));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export class Progress {
  readonly #phases: Phase[];
  readonly #startMs: number;
  #current: Phase | null = null;
  #firstStepMs: number | null = null;

  constructor(phases: Phase[], startMs = Date.now()) {
    this.#phases = phases;
    this.#startMs = startMs;
  }

  /** Records that a step begins and returns its progress line. */
  begin(step: Pick<StepRecord, 'id' | 'scenario' | 'engine' | 'mode' | 'target'>, nowMs = Date.now()): string {
    const name = phaseOf(step);
    let phase = this.#phases.find((p) => p.name === name);
    if (!phase) {
      phase = { name, planned: 1, secEach: 0, done: 0, closed: false };
      this.#phases.push(phase);
    }
    // A new phase means the previous one ended: its unused steps are not coming.
    if (this.#current && this.#current !== phase) this.#close(this.#current);
    this.#current = phase;
    this.#firstStepMs ??= nowMs;
    const plannedDoneSec = this.#phases.reduce((s, p) => s + p.done * p.secEach, 0);
    phase.done++;
    if (phase.done > phase.planned) phase.planned = phase.done;
    const total = this.#phases.reduce((s, p) => s + p.planned, 0);
    const index = this.#phases.reduce((s, p) => s + p.done, 0);
    const leftSec = this.#phases.reduce((s, p) => s + (p.planned - p.done) * p.secEach, 0) + phase.secEach;
    // How much longer than planned the finished steps took, pauses and drains included.
    const stretch = plannedDoneSec > 0 ? Math.max(1, (nowMs - this.#firstStepMs) / 1000 / plannedDoneSec) : 1.5;
    const exact = this.#phases.every((p) => p.closed || p === phase || p.planned === p.done);
    return `-- step ${index} of ${exact ? '' : '~'}${total}, ${clock((nowMs - this.#startMs) / 1000)} elapsed, ~${clock(leftSec * stretch)} left: ${step.id}`;
  }

  #close(p: Phase): void {
    p.planned = p.done;
    p.closed = true;
  }
}
