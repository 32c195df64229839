import { STATUS_CODES } from 'node:http';

/**
 * The one catalog of errors the service answers with: a code, an HTTP status and a title.
 * Every error response is an RFC 9457 `application/problem+json` body built by `problem()`.
 */
export const ERRORS = Object.freeze({
  INVALID_PARAMETER: { status: 400, title: 'Invalid query parameter' },
  UNKNOWN_PARAMETER: { status: 400, title: 'Unknown query parameter' },
  REPEATED_PARAMETER: { status: 400, title: 'Repeated query parameter' },
  MALFORMED_QUERY: { status: 400, title: 'Malformed query string' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  IO_FAILED: { status: 500, title: 'File I/O step failed' },
  ENGINE_FAILED: { status: 500, title: 'Engine failed' },
  INTERNAL: { status: 500, title: 'Internal error' },
  ENGINE_UNAVAILABLE: { status: 503, title: 'Engine unavailable' },
  OVERLOADED: { status: 503, title: 'Too many heavy requests' },
  DEADLINE_EXCEEDED: { status: 503, title: 'Deadline exceeded' },
  SHUTTING_DOWN: { status: 503, title: 'Server is shutting down' },
} as const);

export type ErrorCode = keyof typeof ERRORS;

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

/** A thrown error that carries its catalog entry, so one place turns it into a response. */
export class HttpError extends Error {
  readonly problem: Problem;
  constructor(code: ErrorCode, detail: string, extensions: Record<string, unknown> = {}) {
    super(detail);
    this.problem = problem(code, detail, extensions);
  }
}

/** "200 OK"-style status line for uWS `writeStatus`. */
export function statusLine(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? ''}`.trimEnd();
}
