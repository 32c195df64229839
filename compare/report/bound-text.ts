/** How every reporter prints a capacity and its bound (analyse/bound.ts): "at least X (why)" for a lower bound. */
import type { CapacityBound } from '../analyse/bound.js';

const WHY: Record<Exclude<CapacityBound, 'service'>, string> = {
  generator: 'generator-bound',
  'plan-max': "the plan's highest rate",
  open: 'no failing rate measured',
  noisy: 'the failure above it ran beside other busy processes',
};

/** "5264 req/s", or "at least 52000 req/s (generator-bound)"; `digits` for heavy rates below 10. */
export function capacityText(capacity: number | null, bound: CapacityBound, digits = 0): string {
  if (capacity === null) return '-';
  const x = `${capacity.toFixed(digits)} req/s`;
  return bound === 'service' ? x : `at least ${x} (${WHY[bound]})`;
}

/** A ratio built from a capacity: "3.5x", or ">= 34.7x (generator-bound)". */
export function ratioText(ratio: number | null, bound: CapacityBound, digits = 1): string {
  if (ratio === null || !Number.isFinite(ratio)) return '-';
  return bound === 'service' ? `${ratio.toFixed(digits)}x` : `>= ${ratio.toFixed(digits)}x (${WHY[bound]})`;
}

/**
 * A bare number for a table cell: "5264", or ">= 52000 (generator-bound)"; `short` leaves the
 * reason to a legend (`boundLegend`) for fixed-width tables.
 */
export function capacityCell(capacity: number | null, bound: CapacityBound, digits = 0, short = false): string {
  if (capacity === null) return '-';
  if (bound === 'service') return capacity.toFixed(digits);
  return short ? `>= ${capacity.toFixed(digits)}` : `>= ${capacity.toFixed(digits)} (${WHY[bound]})`;
}

/** A short ratio for fixed-width tables: "3.5x" or ">= 3.5x". */
export function ratioCell(ratio: number | null, bound: CapacityBound, digits = 1): string {
  if (ratio === null || !Number.isFinite(ratio)) return '-';
  return `${bound === 'service' ? '' : '>= '}${ratio.toFixed(digits)}x`;
}

/** The legend line under a table that used short cells, naming each lower bound's reason; null when none. */
export function boundLegend(rows: readonly { what: string; bound: CapacityBound }[]): string | null {
  const lower = rows.filter((r) => r.bound !== 'service');
  if (lower.length === 0) return null;
  return `">=": a lower bound, not the service's limit: ${lower.map((r) => `${r.what} ${WHY[r.bound as Exclude<CapacityBound, 'service'>]}`).join('; ')}`;
}
