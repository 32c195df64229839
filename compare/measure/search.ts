import type { SearchPlan } from './plan.js';

/** One measured step as the search sees it. */
export interface StepOutcome {
  readonly rate: number;
  readonly pass: boolean;
  /** The load generator, not the server, was the limit: the step says nothing about the server. */
  readonly generatorLimited: boolean;
}

/** Why the search stopped, in the report's words. */
export type SearchEnd =
  | 'bracketed' // a passing and a failing rate within the resolution
  | 'steps-exhausted' // maxSteps used before the bracket closed
  | 'capped' // passed at the plan's maximum rate: the capacity is at least that
  | 'generator-limited' // the generator ran out before the server failed: capacity is at least the highest pass
  | 'below-minimum'; // failed even at the plan's minimum rate

export interface SearchResult {
  /** Highest passing rate (requests/s), 0 when none passed. */
  readonly capacity: number;
  /** Lowest failing rate above it, when one was measured. */
  readonly firstFailure: number | null;
  readonly end: SearchEnd;
  readonly steps: readonly StepOutcome[];
}

/**
 * The capacity search: exponential steps from `start` (up while passing, down while failing)
 * until a pass and a fail bracket the capacity, then bisection (geometric mean, since rates span
 * orders of magnitude) until the bracket is within `resolution` or `maxSteps` are used. A pure
 * state machine, so the runner and the tests drive it the same way: `next()` gives the rate to
 * measure (null when done), `record()` takes its outcome.
 */
export class CapacitySearch {
  readonly #plan: SearchPlan;
  readonly #round: (rate: number) => number;
  readonly #steps: StepOutcome[] = [];
  #lo: number | null = null; // highest pass
  #hi: number | null = null; // lowest fail
  #genLimit: number | null = null; // lowest rate the generator could not offer
  #end: SearchEnd | null = null;
  #next: number | null;

  /** `round` maps a rate to one the generator can offer exactly (vegeta takes integers per period). */
  constructor(plan: SearchPlan, round: (rate: number) => number = (r) => r) {
    this.#plan = plan;
    this.#round = round;
    this.#next = round(Math.min(plan.max, Math.max(plan.min, plan.start)));
  }

  next(): number | null {
    return this.#end === null ? this.#next : null;
  }

  record(outcome: StepOutcome): void {
    if (this.#end !== null) throw new Error('the search has ended');
    const p = this.#plan;
    this.#steps.push(outcome);
    const { rate } = outcome;
    if (outcome.generatorLimited) {
      // The generator cannot offer this rate: bisect below it for the highest rate it can offer
      // that passes, a tighter lower bound on the server's capacity.
      if (this.#genLimit === null || rate < this.#genLimit) this.#genLimit = rate;
    } else if (outcome.pass) {
      if (this.#lo === null || rate > this.#lo) this.#lo = rate;
    } else if (this.#hi === null || rate < this.#hi) {
      this.#hi = rate;
    }
    if (outcome.pass && !outcome.generatorLimited && this.#hi === null && rate >= p.max) {
      this.#finish('capped');
      return;
    }
    if (!outcome.pass && !outcome.generatorLimited && this.#lo === null && rate <= p.min) {
      this.#finish('below-minimum');
      return;
    }
    // The upper end of the bracket: a server failure, or else the generator's limit.
    const hi = this.#hi !== null && (this.#genLimit === null || this.#hi <= this.#genLimit) ? this.#hi : this.#genLimit;
    const byGenerator = hi !== null && hi === this.#genLimit && hi !== this.#hi;
    const ended = (): SearchEnd => (byGenerator ? 'generator-limited' : this.#lo !== null && hi !== null && this.#closed(hi) ? 'bracketed' : 'steps-exhausted');
    if (this.#steps.length >= p.maxSteps) {
      this.#finish(ended());
      return;
    }
    let candidate: number;
    if (hi === null) candidate = Math.min(p.max, rate * p.upFactor);
    else if (this.#lo === null) {
      if (byGenerator) {
        this.#finish('generator-limited');
        return;
      }
      candidate = Math.max(p.min, rate * p.downFactor);
    } else {
      if (this.#closed(hi)) {
        this.#finish(ended());
        return;
      }
      candidate = Math.sqrt(this.#lo * hi);
    }
    const rounded = this.#round(candidate);
    // Rounding can land on a rate already measured (small heavy rates): the bracket is as tight as
    // the generator can offer.
    if (this.#steps.some((s) => s.rate === rounded)) {
      this.#finish(this.#lo !== null && hi !== null ? (byGenerator ? 'generator-limited' : 'bracketed') : 'steps-exhausted');
      return;
    }
    this.#next = rounded;
  }

  result(): SearchResult {
    return { capacity: this.#lo ?? 0, firstFailure: this.#hi, end: this.#end ?? 'steps-exhausted', steps: [...this.#steps] };
  }

  #closed(hi: number): boolean {
    return this.#lo !== null && hi <= this.#lo * (1 + this.#plan.resolution);
  }

  #finish(end: SearchEnd): void {
    this.#end = end;
    this.#next = null;
  }
}

/** /hello rates: whole requests per second. */
export function roundHelloRate(rate: number): number {
  return Math.max(1, Math.round(rate));
}

/** Heavy rates: whole requests per minute (vegeta's `-rate=N/1m`), at least one. */
export function roundHeavyRate(rate: number): number {
  return Math.max(1, Math.round(rate * 60)) / 60;
}
