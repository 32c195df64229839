import type { Config, Mode } from './config.js';
import { MODES } from './config.js';
import { ENGINE_NAMES, type EngineName } from './engines/engine.js';
import { HttpError } from './errors.js';

/** The validated parameters of one heavy request. */
export interface HeavyParams {
  readonly primeLimit: number;
  readonly hashRounds: number;
  readonly ioKb: number;
  readonly impl: EngineName;
  readonly mode: Mode;
}

/** The seed's defaults. */
export const HEAVY_DEFAULTS = Object.freeze({ prime_limit: 500_000, hash_rounds: 1_000_000, io_kb: 128 });

const NUMERIC = ['prime_limit', 'hash_rounds', 'io_kb'] as const;
const KNOWN = new Set<string>([...NUMERIC, 'impl', 'mode']);
// Longer digit strings are rejected before any parsing: no cap is anywhere near 16 digits, and
// Number() loses precision past 2^53 anyway.
const DECIMAL = /^[0-9]{1,15}$/;

/**
 * Parses the raw query string (`req.getQuery()`, without `?`). Strict on purpose: an unknown,
 * repeated or malformed parameter is a 400, because a typo must not silently run the default.
 * Throws HttpError naming the parameter.
 */
export function parseHeavyQuery(query: string, config: Config): HeavyParams {
  const raw = new Map<string, string>();
  if (query !== '') {
    for (const pair of query.split('&')) {
      const eq = pair.indexOf('=');
      const name = decode(eq === -1 ? pair : pair.slice(0, eq), pair);
      const value = eq === -1 ? '' : decode(pair.slice(eq + 1), name);
      if (!KNOWN.has(name)) {
        throw new HttpError('UNKNOWN_PARAMETER', `unknown parameter "${truncate(name)}"; known: ${[...KNOWN].join(', ')}`, { extensions: { parameter: truncate(name) } });
      }
      if (raw.has(name)) throw new HttpError('REPEATED_PARAMETER', `parameter "${name}" is given more than once`, { extensions: { parameter: name } });
      raw.set(name, value);
    }
  }
  const caps = { prime_limit: config.caps.primeLimit, hash_rounds: config.caps.hashRounds, io_kb: config.caps.ioKb };
  const numbers = {} as Record<(typeof NUMERIC)[number], number>;
  for (const name of NUMERIC) {
    const value = raw.get(name);
    numbers[name] = value === undefined ? HEAVY_DEFAULTS[name] : decimal(name, value, caps[name]);
  }
  return {
    primeLimit: numbers.prime_limit,
    hashRounds: numbers.hash_rounds,
    ioKb: numbers.io_kb,
    impl: oneOf('impl', raw.get('impl'), ENGINE_NAMES, config.defaultImpl),
    mode: oneOf('mode', raw.get('mode'), MODES, config.defaultMode),
  };
}

function decimal(name: string, value: string, cap: number): number {
  if (!DECIMAL.test(value)) {
    const why =
      value === ''
        ? 'is empty'
        : value.length > 15 && /^[0-9]+$/.test(value)
          ? 'has too many digits'
          : 'is not a plain decimal integer (digits 0-9 only: no sign, exponent, fraction, hex or spaces)';
    throw new HttpError('INVALID_PARAMETER', `${name} ${why}`, { extensions: { parameter: name, value: truncate(value) } });
  }
  const n = Number(value);
  if (n > cap) throw new HttpError('INVALID_PARAMETER', `${name} must be <= ${cap} (got ${n})`, { extensions: { parameter: name, value: truncate(value), max: cap } });
  return n;
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new HttpError('INVALID_PARAMETER', `${name} must be one of ${allowed.join(', ')} (got "${truncate(value)}")`, {
    extensions: { parameter: name, value: truncate(value), allowed },
  });
}

function decode(part: string, parameter: string): string {
  try {
    return decodeURIComponent(part.replaceAll('+', ' '));
  } catch {
    throw new HttpError('MALFORMED_QUERY', `bad percent-encoding in "${truncate(parameter)}"`, { extensions: { parameter: truncate(parameter) } });
  }
}

/** Keeps echoed input short: an error body must not grow with a hostile query. */
function truncate(s: string): string {
  return s.length > 64 ? `${s.slice(0, 64)}…` : s;
}
