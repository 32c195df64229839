// OPTIONAL, for users who bring their own k6 binary: k6 is licensed AGPL-3.0, so this lab neither
// installs, builds nor runs it (no make target, no test). The lab's own runs of the same test are
// `make load MODEL=open` on vegeta (MIT): loadtests/run.ts, with the shapes and thresholds of loadtests/config.ts.
// A constant arrival rate on one engine (RATE requests/s for DURATION), the open-model counterpart
// of load.js: run it once per engine to compare them at the same offered load.
//   k6 run -e IMPL=wasm -e RATE=5 -e DURATION=1m loadtests/k6/rate.js
import { checkHealth, heavyRequest, summary } from './lib/lab.js';
import { arrivalRateOptions } from './lib/load-options.js';

export const options = arrivalRateOptions(__ENV);

export function setup() {
  return checkHealth();
}

export default function () {
  heavyRequest();
}

export function handleSummary(data) {
  return summary('rate', data);
}
