/**
 * The capacity search of `make compare` (search.ts), driven from shell one step at a time, so a
 * script that measures its own way (a user's own generator, another host's load) searches exactly as compare does:
 *
 *   S=out/search.json
 *   node dist/compare/search-cli.js init "$S" --start 2000 --max 40000 [--min 100 --up 2 --down 0.5
 *        --max-steps 12 --resolution 0.05 --round hello|heavy]
 *   while rate=$(node dist/compare/search-cli.js next "$S"); do
 *     measure "$rate" && pass=1 || pass=0          # and --generator-limited 1 when the generator was
 *     node dist/compare/search-cli.js record "$S" --rate "$rate" --pass "$pass"
 *   done
 *   node dist/compare/search-cli.js result "$S"    # capacity=... first_failure=... end=... steps=...
 *
 * The file keeps the plan and the outcomes; every call replays them through the same pure state
 * machine. `next` prints the rate to measure and exits 0, or exits 1 once the search has ended.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SearchPlan } from './plan.js';
import { CapacitySearch, roundHeavyRate, roundHelloRate, type StepOutcome } from './search.js';

interface SearchFile {
  plan: SearchPlan;
  round: 'hello' | 'heavy';
  steps: StepOutcome[];
}

const ROUND = { hello: roundHelloRate, heavy: roundHeavyRate } as const;

/** The search as the file leaves it: the plan with every recorded outcome replayed. */
export function replay(f: SearchFile): CapacitySearch {
  const search = new CapacitySearch(f.plan, ROUND[f.round]);
  for (const s of f.steps) search.record(s);
  return search;
}

function options(args: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    const k = args[i]!;
    const v = args[i + 1];
    if (!k.startsWith('--') || v === undefined) throw new Error(`expected --name value pairs (got "${args.slice(i).join(' ')}")`);
    m.set(k.slice(2), v);
  }
  return m;
}

function positive(m: Map<string, string>, name: string, fallback?: number): number {
  const raw = m.get(name);
  if (raw === undefined) {
    if (fallback === undefined) throw new Error(`--${name} is required`);
    return fallback;
  }
  const n = Number(raw);
  if (!(n > 0) || !Number.isFinite(n)) throw new Error(`--${name} must be a positive number (got "${raw}")`);
  return n;
}

function flag(m: Map<string, string>, name: string): boolean {
  const v = m.get(name) ?? '0';
  if (v !== '0' && v !== '1') throw new Error(`--${name} must be 0 or 1 (got "${v}")`);
  return v === '1';
}

/** Runs one command; returns what to print and the exit status. */
export function main(argv: readonly string[]): { code: number; out: string } {
  const [cmd, file, ...rest] = argv;
  if (!cmd || !file) throw new Error('usage: search-cli.js init|next|record|result FILE [--name value...]');
  const read = () => JSON.parse(readFileSync(file, 'utf8')) as SearchFile;
  const o = options(rest);
  switch (cmd) {
    case 'init': {
      const round = o.get('round') ?? 'hello';
      if (round !== 'hello' && round !== 'heavy') throw new Error(`--round must be hello or heavy (got "${round}")`);
      const plan: SearchPlan = {
        start: positive(o, 'start'),
        max: positive(o, 'max'),
        min: positive(o, 'min', 1),
        upFactor: positive(o, 'up', 2),
        downFactor: positive(o, 'down', 0.5),
        maxSteps: positive(o, 'max-steps', 12),
        resolution: positive(o, 'resolution', 0.05),
      };
      if (plan.upFactor <= 1 || plan.downFactor >= 1) throw new Error('--up must be above 1 and --down below 1');
      if (plan.min > plan.max) throw new Error('--min must not exceed --max');
      writeFileSync(file, `${JSON.stringify({ plan, round, steps: [] } satisfies SearchFile, null, 1)}\n`);
      return { code: 0, out: '' };
    }
    case 'next': {
      const rate = replay(read()).next();
      return rate === null ? { code: 1, out: '' } : { code: 0, out: `${rate}\n` };
    }
    case 'record': {
      const f = read();
      const rate = positive(o, 'rate');
      const expected = replay(f).next();
      if (expected === null) throw new Error('the search has ended: nothing to record');
      if (rate !== expected) throw new Error(`recorded rate ${rate} is not the one the search asked for (${expected})`);
      f.steps.push({ rate, pass: flag(o, 'pass'), generatorLimited: flag(o, 'generator-limited') });
      writeFileSync(file, `${JSON.stringify(f, null, 1)}\n`);
      return { code: 0, out: '' };
    }
    case 'result': {
      const r = replay(read()).result();
      return { code: 0, out: `capacity=${r.capacity} first_failure=${r.firstFailure ?? '-'} end=${r.end} steps=${r.steps.length}\n` };
    }
    default:
      throw new Error(`unknown command "${cmd}"; usage: search-cli.js init|next|record|result FILE [--name value...]`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const r = main(process.argv.slice(2));
    process.stdout.write(r.out);
    process.exitCode = r.code;
  } catch (err) {
    process.stderr.write(`search-cli: ${(err as Error).message}\n`);
    process.exitCode = 2;
  }
}
