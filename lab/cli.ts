/**
 * The lab's shared values for shell scripts, so none repeats them:
 *
 *   eval "$(node dist/lab/cli.js shell)"     # LAB_PRIME_LIMIT=500000 ... LAB_BASE_URL=http://127.0.0.1:8000
 *   node dist/lab/cli.js get base-url        # one value; HOST/PORT checked (loopback unless ALLOW_REMOTE=1)
 *
 * A bad HOST, PORT or ENGINES exits 2 with the reason on stderr.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { baseUrl, DEFAULT_WORKLOAD, heavyReference, MODES, readEngines, readHost, readPort, repoRoot } from './index.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Every value by name, computed only when asked (a bad HOST fails only what needs it). */
export const VALUES: Readonly<Record<string, (env: Env) => string>> = {
  'prime-limit': () => String(DEFAULT_WORKLOAD.primeLimit),
  'hash-rounds': () => String(DEFAULT_WORKLOAD.hashRounds),
  'io-kb': () => String(DEFAULT_WORKLOAD.ioKb),
  'primes-found': () => String(heavyReference().primesFound),
  digest: () => heavyReference().digest,
  engines: (env) => readEngines(env).join(' '),
  modes: () => MODES.join(' '),
  host: (env) => readHost(env),
  port: (env) => String(readPort(env)),
  'base-url': (env) => baseUrl(readHost(env), readPort(env)),
  'repo-root': () => repoRoot(),
};

/** `shell` output: one `LAB_NAME='value'` a line. */
export function shellLines(env: Env): string[] {
  return Object.entries(VALUES).map(([name, value]) => `LAB_${name.toUpperCase().replaceAll('-', '_')}=${quote(value(env))}`);
}

function quote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

const USAGE = `usage: lab/cli.js shell | get <${Object.keys(VALUES).join('|')}>`;

export function main(argv: readonly string[], env: Env): { code: number; out: string; err: string } {
  try {
    const [cmd, name] = argv;
    if (cmd === 'shell' && argv.length === 1) return { code: 0, out: `${shellLines(env).join('\n')}\n`, err: '' };
    if (cmd === 'get' && name !== undefined && argv.length === 2) {
      const value = VALUES[name];
      if (!value) return { code: 2, out: '', err: `unknown value "${name}"\n${USAGE}\n` };
      return { code: 0, out: `${value(env)}\n`, err: '' };
    }
    return { code: 2, out: '', err: `${USAGE}\n` };
  } catch (err) {
    return { code: 2, out: '', err: `${(err as Error).message}\n` };
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = main(process.argv.slice(2), process.env);
  process.stdout.write(r.out);
  process.stderr.write(r.err);
  process.exitCode = r.code;
}
