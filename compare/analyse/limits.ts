import type { ConstrainedLimits } from './schema.js';

/** The limits in a run-constrained state file, as numbers; null without one. */
export function constrainedLimits(state: { method?: string; limits?: Record<string, number> } | null): ConstrainedLimits | null {
  if (!state) return null;
  const n = (k: string) => state.limits?.[k] ?? null;
  return {
    method: state.method ?? null,
    cpuQuotaUs: n('cpu_quota_us'),
    cpuPeriodUs: n('cpu_period_us'),
    memoryBytes: n('memory_bytes'),
    swapBytes: n('swap_bytes'),
    heapMb: n('heap_mb'),
  };
}
