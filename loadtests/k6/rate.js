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
