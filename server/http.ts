import type { HttpResponse } from 'uWebSockets.js';
import { statusLine, type Problem } from './errors.js';
import { answered } from './metrics.js';

/**
 * Response writers. Each writes status first, then headers, then the body, as uWS requires, and
 * corks so the whole answer leaves in one syscall. Call them only on a response that has not been
 * aborted (the handler tracks that).
 */
export function sendJson(res: HttpResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  send(res, status, 'application/json', JSON.stringify(body), headers);
}

export function sendProblem(res: HttpResponse, p: Problem, headers: Record<string, string> = {}): void {
  send(res, p.status, 'application/problem+json', JSON.stringify(p), headers);
}

export function send(res: HttpResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  res.cork(() => {
    res.writeStatus(statusLine(status));
    res.writeHeader('Content-Type', contentType);
    for (const name in headers) res.writeHeader(name, headers[name]!);
    res.end(body);
  });
  answered(res, status);
}
