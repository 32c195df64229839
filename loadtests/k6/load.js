// OPTIONAL, for users who bring their own k6 binary: k6 is licensed AGPL-3.0, so this lab neither
// installs, builds nor runs it (no make target, no test). The lab's own runs of the same test are
// `make load` on vegeta (MIT): loadtests/run.ts, with the shapes and thresholds of loadtests/config.ts.
// The seed's full load test: 1 -> 150 VUs over 10 minutes with its p50/p95/p99, throttling and
// server-error thresholds.
//   k6 run -e BASE_URL=http://127.0.0.1:8000 -e IMPL=native loadtests/k6/load.js
import { sleep } from 'k6';
import { checkHealth, heavyRequest, summary } from './lib/lab.js';
import { loadOptions } from './lib/load-options.js';

export const options = loadOptions(__ENV);

export function setup() {
  return checkHealth();
}

export default function () {
  heavyRequest();
  sleep(Number(__ENV.THINK_SEC || 1));
}

export function handleSummary(data) {
  return summary('load', data);
}
