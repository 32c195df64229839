/** Mixed: /hello at a constant rate alone, then beside heavy load at fractions of each measured capacity. */
import { join } from 'node:path';
import { rotate } from '../plan.js';
import type { Run } from '../runner.js';
import { roundHeavyRate } from '../search.js';
import { attackArgs, summarizeVegeta } from '../../../lab/generators/vegeta.js';

/** `helloRate` overrides the plan's (a peer whose /hello capacity is below it). */
export async function mixed(run: Run, capacities: Map<string, number>, helloRate = run.plan.mixed.helloRate): Promise<void> {
  const m = { ...run.plan.mixed, helloRate };
  const dir = run.runsDir('mixed');
  const helloTargets = run.targets('mixed-hello', [`GET ${run.helloUrl}`]);
  const base = run.newStep('mixed-baseline', null, null, 'mixed-baseline');
  base.helloRate = m.helloRate;
  base.durationSec = m.durationSec;
  base.files.helloBin = run.rel(join(dir, `${base.id}.hello.bin`));
  await run.measure(base, [
    { tool: 'vegeta', argv: attackArgs(run.vegeta, helloTargets, { perSecond: m.helloRate }, m.durationSec, 10, false), out: join(run.dir, base.files.helloBin) },
  ]);
  const pairs = [...capacities.entries()].filter(([key]) => m.engines === null || run.target !== 'lab' || m.engines.includes(key.split(' ')[0]!));
  for (const fraction of m.heavyFractions) {
    for (const [key, capacity] of rotate(pairs, 2)) {
      const [engine, mode] = key.split(' ') as [string, string];
      if (capacity <= 0) {
        run.note(`mixed ${engine}/${mode}: skipped, no heavy capacity was measured`);
        continue;
      }
      const rate = roundHeavyRate(fraction * capacity);
      const step = run.newStep('mixed', engine, mode, `mixed-${engine}-${mode}-${Math.round(fraction * 100)}pct`);
      step.rate = rate;
      step.fraction = fraction;
      step.helloRate = m.helloRate;
      step.durationSec = m.durationSec;
      step.files.helloBin = run.rel(join(dir, `${step.id}.hello.bin`));
      step.files.heavyBin = run.rel(join(dir, `${step.id}.heavy.bin`));
      const heavyTargets = run.targets(`mixed-heavy-${engine}-${mode}`, [`GET ${run.heavyUrl(engine, mode)}`]);
      await run.measure(step, [
        { tool: 'vegeta', argv: attackArgs(run.vegeta, helloTargets, { perSecond: m.helloRate }, m.durationSec, 10, false), out: join(run.dir, step.files.helloBin) },
        { tool: 'vegeta', argv: attackArgs(run.vegeta, heavyTargets, { perMinute: Math.round(rate * 60) }, m.durationSec, 30, false), out: join(run.dir, step.files.heavyBin) },
      ]);
      const s = await summarizeVegeta(run.vegeta, join(run.dir, step.files.helloBin));
      console.log(
        `   mixed ${engine}/${mode}: heavy ${rate.toFixed(2)}/s (${Math.round(fraction * 100)}% of capacity) + /hello ${m.helloRate}/s -> /hello p50 ${s.latencyMs.p50.toFixed(2)} ms, p99 ${s.latencyMs.p99.toFixed(2)} ms, max ${s.latencyMs.max.toFixed(1)} ms`,
      );
    }
  }
}
