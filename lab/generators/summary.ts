import { existsSync } from 'node:fs';

/**
 * What one load step measured, whichever generator ran it (pacer, vegeta or oha): each adapter in
 * this folder decodes its tool's output into this one shape, so a verdict or a report never asks
 * which tool it was.
 */
export interface StepSummary {
  /** Requests planned or sent: answered, failed, or (pacer) due but never sent. */
  readonly requests: number;
  /** Rate the step actually sent at (requests/s): below the asked rate, the generator fell behind. */
  readonly sentRate: number;
  /** Successful responses per second over the step plus the wait for the last answers. */
  readonly throughput: number;
  /** Share of 2xx answers. */
  readonly success: number;
  readonly durationSec: number;
  readonly latencyMs: { readonly min: number; readonly mean: number; readonly p50: number; readonly p90: number; readonly p95: number; readonly p99: number; readonly max: number };
  /** Answers per HTTP status; '0' for no answer (timeouts, refused or closed connections, never sent). */
  readonly statusCodes: Readonly<Record<string, number>>;
  /** Distinct transport errors (timeouts, refused connections), at most 5. */
  readonly errors: readonly string[];
}

/** Where a tool is: its environment variable (VEGETA, PACER, OHA), else the local build or install, else PATH. */
export function toolPath(variable: string, name: string, local: string): string {
  return process.env[variable] ?? (existsSync(local) ? local : name);
}
