/**
 * Distributed load, vegeta's documented way, on one machine: N `vegeta attack` processes, each at
 * rate/N against the same targets for the same duration, each keeping its raw results; then one
 * `vegeta report` over every part. The merged report is the whole attack's: its request and status
 * counts are the parts' sums, and its latency percentiles come from every sample (vegeta reads all
 * files into one set of metrics), not from averaging the parts' percentiles, which is wrong.
 * deploy/k8s/loadtest runs the same split as an Indexed Job of N pods.
 *
 *   node dist/loadtests/distributed/split.js --parts 4 --rate 400 --duration 10s \
 *     --targets FILE --out DIR          (make attack-distributed wraps it)
 *
 * The per-part rate is written RATE/PARTSs ("400/4s" = 100 req/s), so nothing is rounded away.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isLoopback } from '../../lab/index.js';

export interface SplitOptions {
  readonly parts: number;
  /** Total requests per second over all parts. */
  readonly rate: number;
  /** A vegeta duration, e.g. "10s". */
  readonly duration: string;
  readonly targets: string;
  readonly out: string;
  readonly vegeta: string;
  /** Allow targets off this machine (a real distributed run's). */
  readonly allowRemote?: boolean;
}

/** The numbers of one `vegeta report -type=json`. Latencies in nanoseconds, as vegeta gives them. */
export interface Report {
  readonly requests: number;
  readonly rate: number;
  readonly throughput: number;
  readonly success: number;
  readonly latencies: Readonly<Record<'total' | 'mean' | '50th' | '90th' | '95th' | '99th' | 'max' | 'min', number>>;
  readonly status_codes: Readonly<Record<string, number>>;
  readonly errors: readonly string[];
}

export interface SplitResult {
  readonly options: Omit<SplitOptions, 'vegeta'>;
  /** The argv of each part, as run. */
  readonly commands: readonly string[][];
  readonly parts: readonly (Report & { readonly file: string })[];
  readonly merged: Report;
  /** The merged text report, as `vegeta report` prints it. */
  readonly text: string;
}

export class SplitError extends Error {
  override readonly name = 'SplitError';
}

/** Checks the options; every message names the option. */
export function checkOptions(o: SplitOptions): void {
  if (!Number.isInteger(o.parts) || o.parts < 1 || o.parts > 64) throw new SplitError(`--parts must be a whole number from 1 to 64 (got ${o.parts})`);
  if (!Number.isFinite(o.rate) || o.rate <= 0 || o.rate > 1_000_000) throw new SplitError(`--rate must be a number of requests per second above 0 (got ${o.rate})`);
  if (!/^\d+(\.\d+)?(ms|s|m)$/.test(o.duration)) throw new SplitError(`--duration must be a vegeta duration such as 500ms, 10s or 2m (got "${o.duration}")`);
  if (!existsSync(o.targets)) throw new SplitError(`--targets: no such file ${o.targets}`);
  for (const line of readFileSync(o.targets, 'utf8').split('\n')) {
    const m = /^[A-Z]+\s+(\S+)/.exec(line.trim());
    if (!m) continue;
    let host: string;
    try {
      host = new URL(m[1]!).hostname;
    } catch {
      throw new SplitError(`--targets: not a URL: ${m[1]}`);
    }
    if (!o.allowRemote && !isLoopback(host))
      throw new SplitError(`--targets: ${m[1]} is not on this machine; the lab loads loopback only (ALLOW_REMOTE=1 for a real distributed run)`);
  }
}

/** vegeta's -rate for one of `parts` attackers sharing `rate` req/s: exact, as a count per period. */
export function partRate(rate: number, parts: number): string {
  return Number.isInteger(rate) ? `${rate}/${parts}s` : `${Math.round(rate * 1000)}/${parts * 1000}ms`;
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', (e) => reject(new SplitError(`${cmd}: ${e.message}`)));
    // 'close', not 'exit': 'exit' may come before the output is read to its end (an empty report,
    // then "Unexpected end of JSON input", seen once in a make test).
    child.on('close', (code, signal) =>
      code === 0 ? resolve(out) : reject(new SplitError(`${cmd} ${args.join(' ')} failed (${signal ?? `exit ${code}`}): ${err.trim().slice(-500)}`)),
    );
  });
}

function parseReport(json: string): Report {
  const r = JSON.parse(json) as Report & { status_codes: Record<string, number> | null; errors: string[] | null };
  return { ...r, status_codes: r.status_codes ?? {}, errors: r.errors ?? [] };
}

/** Runs the N attacks at once, then reports each part and all of them together. */
export async function split(o: SplitOptions): Promise<SplitResult> {
  checkOptions(o);
  mkdirSync(o.out, { recursive: true });
  const files = Array.from({ length: o.parts }, (_, i) => join(o.out, `part-${i}.bin`));
  const commands = files.map((file) => [
    'attack',
    `-targets=${o.targets}`,
    `-rate=${partRate(o.rate, o.parts)}`,
    `-duration=${o.duration}`,
    '-timeout=30s',
    '-max-workers=1000',
    `-output=${file}`,
  ]);
  await Promise.all(commands.map((args) => run(o.vegeta, args)));
  const parts = await Promise.all(files.map(async (file) => ({ ...parseReport(await run(o.vegeta, ['report', '-type=json', file])), file })));
  const merged = parseReport(await run(o.vegeta, ['report', '-type=json', ...files]));
  const text = await run(o.vegeta, ['report', ...files]);
  const { vegeta: _tool, ...options } = o;
  const result: SplitResult = { options, commands: commands.map((a) => [o.vegeta, ...a]), parts, merged, text };
  writeFileSync(join(o.out, 'split.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(o.out, 'merged.txt'), text);
  return result;
}

const ms = (ns: number) => (ns / 1e6).toFixed(3);

/** Per-part rows, the sum of the parts, and the merged report: the table the CLI prints. */
export function formatTable(r: SplitResult): string {
  const codes = (c: Readonly<Record<string, number>>) =>
    Object.entries(c)
      .map(([k, v]) => `${k}:${v}`)
      .join(' ');
  const row = (name: string, x: Report) =>
    `${name.padEnd(12)} ${String(x.requests).padStart(8)} ${x.rate.toFixed(1).padStart(9)} ${ms(x.latencies['50th']).padStart(9)} ${ms(x.latencies['99th']).padStart(9)} ${ms(x.latencies.max).padStart(9)}  ${codes(x.status_codes)}`;
  const sum = r.parts.reduce((n, p) => n + p.requests, 0);
  return [
    `${'part'.padEnd(12)} ${'requests'.padStart(8)} ${'rate/s'.padStart(9)} ${'p50 ms'.padStart(9)} ${'p99 ms'.padStart(9)} ${'max ms'.padStart(9)}  codes`,
    ...r.parts.map((p, i) => row(`part ${i}`, p)),
    `${'sum of parts'.padEnd(12)} ${String(sum).padStart(8)}`,
    row('merged', r.merged),
  ].join('\n');
}

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const o: SplitOptions = {
    parts: Number(arg(args, 'parts') ?? '4'),
    rate: Number(arg(args, 'rate') ?? '100'),
    duration: arg(args, 'duration') ?? '10s',
    targets: arg(args, 'targets') ?? '',
    out: arg(args, 'out') ?? 'reports/distributed',
    vegeta: process.env['VEGETA'] ?? (existsSync('.tools/bin/vegeta') ? '.tools/bin/vegeta' : 'vegeta'),
    allowRemote: process.env['ALLOW_REMOTE'] === '1',
  };
  const r = await split(o);
  console.log(`${o.parts} vegeta processes at ${partRate(o.rate, o.parts)} each (${o.rate} req/s in all) for ${o.duration}; raw results in ${o.out}/part-*.bin\n`);
  console.log(formatTable(r));
  console.log(`\nvegeta report ${o.out}/part-*.bin\n${r.text}`);
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main().catch((err) => {
    console.error(err instanceof SplitError ? `attack-distributed: ${err.message}` : err);
    process.exit(err instanceof SplitError ? 2 : 1);
  });
}
