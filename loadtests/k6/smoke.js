// OPTIONAL, for users who bring their own k6 binary: k6 is licensed AGPL-3.0, so this lab neither
// installs, builds nor runs it (no make target, no test). The lab's own runs of the same test are
// `make smoke` on vegeta (MIT): loadtests/run.ts, with the shapes and thresholds of loadtests/config.ts.
// Smoke: 10 VUs for 30 s on the heavy endpoint (the seed's smoke test). Shorten with DURATION.
//   k6 run -e BASE_URL=http://127.0.0.1:8000 -e IMPL=wasm -e MODE=pool loadtests/k6/smoke.js
import { sleep } from 'k6';
import { checkHealth, heavyRequest, summary } from './lib/lab.js';
import { smokeOptions } from './lib/load-options.js';

export const options = smokeOptions(__ENV);

export function setup() {
  return checkHealth();
}

export default function () {
  heavyRequest();
  sleep(Number(__ENV.THINK_SEC || 1));
}

export function handleSummary(data) {
  return summary('smoke', data);
}
