/**
 * The report: the analysis (analyse/schema.ts) with its words, as report.json holds it and the
 * writers (text.ts, markdown.ts, html.ts) print it. report.schema.json is its JSON Schema.
 */
import type * as A from '../analyse/schema.js';
import type { Text } from './document.js';
import type { CostReport as CostNumbers } from '../analyse/cost.js';
import type { ScalingReport as ScalingNumbers } from '../analyse/scaling.js';

export type StepResult = Omit<A.StepResult, 'prometheusDistrust'> & {
  /** Why the step failed, in words (empty for a pass). */
  reasons: string[];
  /** Why its Prometheus numbers are not used, in words; null when they are. */
  prometheusNote: string | null;
};

export interface Diagnosis {
  bottleneck: A.Diagnosis['bottleneck'];
  detail: string;
}

type WithWords<T> = Omit<T, 'atCapacity' | 'steps' | 'diagnosis'> & { atCapacity: StepResult | null; steps: StepResult[]; diagnosis: Diagnosis };

export type HeavyResult = WithWords<A.HeavyResult>;
export type HelloResult = WithWords<A.HelloResult>;

export type PeerResult = Omit<A.PeerResult, 'health' | 'limits' | 'hello' | 'heavy'> & {
  /** What it is: stack and settings, from its health answer. */
  description: string;
  limits: { method: string; detail: string };
  hello: HelloResult;
  heavy: HeavyResult | null;
};

export type CostReport = Omit<CostNumbers, 'pricing' | 'notFound'> & { notes: string[] };
export type ScalingReport = Omit<ScalingNumbers, 'resolution' | 'cores'> & { notes: string[] };
export type { CostRow, Platform } from '../analyse/cost.js';
export type { MixedResult } from '../analyse/schema.js';

export interface Report {
  schema: A.Analysis['schema'];
  run: A.Analysis['run'];
  /** The method section: text with emphasis; report.json holds each item as a Markdown line. */
  method: Text[];
  environment: Omit<A.Analysis['environment'], 'limits' | 'service'> & {
    limits: { cpus: number | null; memoryBytes: number | null; method: string; detail: string };
    service: { poolSize: number | null; queueMax: number | null; deadlineMs: number | null; uws: string };
  };
  slo: A.Analysis['slo'];
  seed: A.Analysis['seed'];
  engines: A.Analysis['engines'];
  verification: A.Analysis['verification'];
  hello: HelloResult & Pick<A.Analysis['hello'], 'vsSeed' | 'vsPeers' | 'ceiling'>;
  heavy: HeavyResult[];
  peers: PeerResult[];
  mixed: A.Analysis['mixed'];
  timeline: A.Analysis['timeline'];
  throttlingTotal: A.Analysis['throttlingTotal'];
  scaling?: ScalingReport | null;
  cost?: CostReport | null;
  notes: string[];
  commands: A.Analysis['commands'];
}
