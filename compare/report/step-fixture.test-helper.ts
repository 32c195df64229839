/** A step result for the report room's tests (not a test itself). */
import type { StepResult } from '../analyse/schema.js';

/** A failing heavy step with everything neutral; each test changes what it is about. */
export function failingStep(over: Partial<StepResult> = {}): StepResult {
  return {
    id: 's',
    rate: 10,
    durationSec: 5,
    requests: 50,
    sentRate: 10,
    throughput: 10,
    success: 1,
    errors: 0,
    statusCodes: { '200': 50 },
    latencyMs: { min: 1, mean: 1, p50: 1, p90: 1, p95: 4000, p99: 4000, max: 4000 },
    pass: false,
    generatorLimited: false,
    generatorCpuShare: 0.01,
    serviceCpuCores: 0.6,
    serviceRssMaxBytes: 80 * 2 ** 20,
    throttling: null,
    shed: 0,
    deadlineDropped: 0,
    prometheus: {},
    prometheusDistrust: null,
    heavy: { wrongAnswers: 0, medianCpuSec: 0.05, medianQueueSec: 0.1, medianTotalSec: 0.2, medianIoSec: 0.001, problems: {} },
    generatorCoreBusy: 0.1,
    otherCores: 0,
    monitoringCores: 0,
    noisy: false,
    listenDrops: 0,
    ...over,
  };
}
