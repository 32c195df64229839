/**
 * The peers' part of the analysis (collect.ts): each peer measured in the run with the same step
 * results, capacities and diagnoses as the lab, plus its own limits' evidence (throttling, memory
 * peak, OOM) from its run-constrained state.
 */
import type { Manifest, StepRecord } from '../measure/manifest.js';
import type { HeavyResult, HelloResult, MixedResult, PeerResult } from './schema.js';
import type { StepSummary } from '../../lab/generators/summary.js';
import { PEER_MODE, type PeerName } from '../../lab/facts.js';
import { constrainedLimits } from './limits.js';

/** The collectors of collect.ts, for one target at a time. */
export interface TargetCollectors {
  helloOf(target: string, quota: number, memoryBytes: number | null): Promise<HelloResult>;
  heavyOf(target: string, engine: string, mode: string, info: { available: boolean; reason: string | null }, quota: number, memoryBytes: number | null): Promise<HeavyResult>;
  mixedOf(target: string): Promise<{ baseline: StepSummary | null; runs: MixedResult[] }>;
  stepsOf(target: string): StepRecord[];
}

interface PeerState {
  method?: string;
  limits?: Record<string, number>;
  throttling?: { nr_periods: number; nr_throttled: number; throttled_ms: number };
  memory_peak_bytes?: number;
  oom_killed?: boolean;
}

export async function collectPeers(m: Manifest, c: TargetCollectors): Promise<PeerResult[]> {
  const out: PeerResult[] = [];
  for (const [name, rec] of Object.entries(m.peers ?? {})) {
    const start = rec.constrained.start as PeerState | null;
    const end = rec.constrained.end as PeerState | null;
    const limits = (rec.health?.['limits'] ?? {}) as { cpus?: number | null; memory_bytes?: number | null; cgroup_version?: number | null };
    const quota = limits.cpus ?? 1;
    const memoryBytes = limits.memory_bytes ?? null;
    const steps = c.stepsOf(name);
    const rss = steps.map((s) => s.serviceRssMaxBytes ?? 0).filter((x) => x > 0);
    const hasHeavy = steps.some((s) => s.scenario === 'heavy-warmup');
    const mode = PEER_MODE[name as PeerName] ?? '-';
    out.push({
      name,
      health: rec.health,
      measured: steps.length > 0,
      failure: rec.failure,
      verification: rec.verification,
      helloCheck: rec.hello,
      limits: {
        method: start?.method ?? 'unknown',
        constrained: constrainedLimits(start),
        readBack: { cpus: limits.cpus ?? null, memoryBytes: limits.memory_bytes ?? null, cgroupVersion: limits.cgroup_version ?? null },
      },
      throttlingTotal: end?.throttling ? { periods: end.throttling.nr_periods, throttled: end.throttling.nr_throttled, throttledMs: end.throttling.throttled_ms } : null,
      memoryPeakBytes: end?.memory_peak_bytes ?? null,
      oomKilled: end?.oom_killed ?? null,
      rssMaxBytes: rss.length > 0 ? Math.max(...rss) : null,
      hello: await c.helloOf(name, quota, memoryBytes),
      heavy: hasHeavy ? await c.heavyOf(name, name, mode, { available: true, reason: null }, quota, memoryBytes) : null,
      mixed: await c.mixedOf(name),
    });
  }
  return out;
}
