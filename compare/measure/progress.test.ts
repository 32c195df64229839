import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { PLANS } from './plan.js';
import { plannedPhases, Progress } from './progress.js';

const step = (id: string, scenario: string, engine: string | null = null, mode: string | null = null) => ({ id, scenario, engine, mode }) as Parameters<Progress['begin']>[0];

test('progress: step i of ~N, elapsed and time left; N shrinks when a search stops early', () => {
  const plan = { ...PLANS.quick, peers: { ...PLANS.quick.peers, names: [] } };
  const phases = plannedPhases(plan, ['native', 'js']);
  const helloSteps = plan.hello.search.maxSteps;
  // hello-warmup 1 + hello search + wrk 1 + 4 heavy phases x 3 + mixed (1 + 1 x 2 x 2).
  const total = 1 + helloSteps + 1 + 12 + 5;
  assert.equal(
    phases.reduce((s, p) => s + p.planned, 0),
    total,
  );
  const t0 = 1_000_000;
  const p = new Progress(phases, t0);
  assert.match(p.begin(step('001-hello-warmup', 'hello-warmup'), t0 + 5000), new RegExp(`^-- step 1 of ~${total}, 5s elapsed, ~(\\d+m)?\\d+s left: 001-hello-warmup$`));
  p.begin(step('002-hello-4000rps', 'hello'), t0 + 8000);
  p.begin(step('003-hello-12000rps', 'hello'), t0 + 12000);
  // The /hello search stopped after 2 of its steps: the total drops by the ones it did not run.
  const line = p.begin(step('004-hello-wrk', 'hello-wrk'), t0 + 70_000);
  assert.match(line, new RegExp(`^-- step 4 of ~${total - (helloSteps - 2)}, 1m10s elapsed, ~\\d+m\\d\\ds left: 004-hello-wrk$`));
});

test("progress: the last phase's last planned step has an exact total and little left", () => {
  const plan = PLANS.quick;
  const phases = plannedPhases(plan, []).filter((x) => x.name === 'mixed');
  const p = new Progress(phases, 0);
  assert.match(p.begin(step('001-mixed-baseline', 'mixed-baseline'), 1000), /^-- step 1 of 1, 1s elapsed, ~(\d+m)?\d+s left/);
});

test("progress: the peers' phases follow the lab's, under their names", () => {
  const plan = PLANS.quick;
  const names = plannedPhases(plan, ['native']).map((x) => x.name);
  assert.deepEqual(names.slice(-11), [
    'django hello-warmup',
    'django hello',
    'django hello-wrk',
    'django heavy django/gunicorn',
    'django mixed',
    'node-http hello-warmup',
    'node-http hello',
    'node-http hello-wrk',
    'uws-bare hello-warmup',
    'uws-bare hello',
    'uws-bare hello-wrk',
  ]);
  const p = new Progress(plannedPhases(plan, ['native']), 0);
  const line = p.begin({ id: '040-django-hello-500rps', scenario: 'hello', engine: null, mode: null, target: 'django' } as Parameters<Progress['begin']>[0], 1000);
  assert.match(line, /^-- step 1 of ~\d+, 1s elapsed/);
});
