import { STATUS_CODES } from 'node:http';

/**
 * The one catalog of errors the service answers with: a code, an HTTP status and a title.
 * Every error response is an RFC 9457 `application/problem+json` body built by `problem()`.
 * Every 503 has a default `retryAfterSec`: its answer always carries `Retry-After` (RFC 9110
 * 10.2.3), the error that knows better (OVERLOADED, DEADLINE_EXCEEDED) gives its own estimate.
 */
const CATALOG = Object.freeze({
  INVALID_PARAMETER: { status: 400, title: 'Invalid query parameter' },
  UNKNOWN_PARAMETER: { status: 400, title: 'Unknown query parameter' },
  REPEATED_PARAMETER: { status: 400, title: 'Repeated query parameter' },
  MALFORMED_QUERY: { status: 400, title: 'Malformed query string' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  IO_FAILED: { status: 500, title: 'File I/O step failed' },
  ENGINE_FAILED: { status: 500, title: 'Engine failed' },
  INTERNAL: { status: 500, title: 'Internal error' },
  // An engine that did not build stays missing until the service is rebuilt: retry much later.
  ENGINE_UNAVAILABLE: { status: 503, title: 'Engine unavailable', retryAfterSec: 60 },
  OVERLOADED: { status: 503, title: 'Too many heavy requests', retryAfterSec: 1 },
  DEADLINE_EXCEEDED: { status: 503, title: 'Deadline exceeded', retryAfterSec: 1 },
  // A draining instance is replaced (restart, rolling update) within seconds.
  SHUTTING_DOWN: { status: 503, title: 'Server is shutting down', retryAfterSec: 5 },
} as const);

export type ErrorCode = keyof typeof CATALOG;

/** One catalog entry: the status, the title and, for a 503, the default Retry-After in seconds. */
export interface ErrorEntry {
  readonly status: number;
  readonly title: string;
  readonly retryAfterSec?: number;
}

export const ERRORS: Readonly<Record<ErrorCode, ErrorEntry>> = CATALOG;

/** An RFC 9457 problem document; extension members carry the machine-readable specifics. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: ErrorCode;
  readonly [extension: string]: unknown;
}

export function problem(code: ErrorCode, detail: string, extensions: Record<string, unknown> = {}): Problem {
  const { status, title } = ERRORS[code];
  return { type: `urn:bottleneck-lab:problem:${code.toLowerCase().replaceAll('_', '-')}`, title, status, detail, code, ...extensions };
}

export interface HttpErrorOptions {
  /** Problem members naming what went wrong (`parameter`, `step`, ...). */
  readonly extensions?: Record<string, unknown>;
  /** Response headers that belong to this error (`Allow`, `Connection: close`, ...). */
  readonly headers?: Record<string, string>;
  /** Seconds for `Retry-After` (and the `retryAfterSec` member); defaults to the catalog's. */
  readonly retryAfterSec?: number;
  /** The underlying failure, for the server's log; never sent to the client. */
  readonly cause?: unknown;
}

/**
 * A thrown error that carries everything its response needs, like hono's HTTPException: the
 * problem body, its own response headers (a 503's `Retry-After` included) and the `cause`. One
 * place (app.ts) turns it into a response without knowing which error it is.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly problem: Problem;
  readonly headers: Readonly<Record<string, string>>;
  constructor(code: ErrorCode, detail: string, options: HttpErrorOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    const retry = options.retryAfterSec ?? ERRORS[code].retryAfterSec;
    const extensions = retry === undefined ? (options.extensions ?? {}) : { ...options.extensions, retryAfterSec: retry };
    this.problem = problem(code, detail, extensions);
    this.headers = Object.freeze(retry === undefined ? { ...options.headers } : { 'Retry-After': String(retry), ...options.headers });
  }
  get status(): number {
    return this.problem.status;
  }
}

/** "200 OK"-style status line for uWS `writeStatus`. */
export function statusLine(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? ''}`.trimEnd();
}
