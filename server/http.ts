import type { HttpResponse } from 'uws-20.57';
import { statusLine, type Problem } from './errors.js';
import { answered } from './metrics.js';

/**
 * Response writers. Each writes status first, then headers, then the body, as uWS requires, and
 * corks so the whole answer leaves in one syscall. Call them only on a response that has not been
 * aborted (the handler tracks that).
 *
 * Every body goes out through `finish` (tryEnd), never `end`: `end` copies whatever the socket
 * cannot take into an unbounded per-connection buffer, so a client that pipelines requests and
 * never reads the answers grew the process without limit (issue 13, item 1). See `finish`.
 */
export function sendJson(res: HttpResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  send(res, status, 'application/json', JSON.stringify(body), headers);
}

export function sendProblem(res: HttpResponse, p: Problem, headers: Readonly<Record<string, string>> = {}): void {
  send(res, p.status, 'application/problem+json', JSON.stringify(p), headers);
}

export function send(res: HttpResponse, status: number, contentType: string, body: string, headers: Readonly<Record<string, string>> = {}): void {
  res.cork(() => {
    res.writeStatus(statusLine(status));
    res.writeHeader('Content-Type', contentType);
    for (const name in headers) res.writeHeader(name, headers[name]!);
    finish(res, body);
  });
  answered(res, status);
}

/** Marks a response as the answer to HEAD: the writers send the headers GET would, and no body. */
export function markHead(res: HttpResponse): void {
  (res as Marked)[HEAD] = true;
}

const HEAD = Symbol('head');
type Marked = HttpResponse & { [HEAD]?: true };

/**
 * Ends a response whose status and headers are written, with `body` (or, for HEAD, its length).
 *
 * tryEnd writes what the socket takes now and buffers nothing of the body beyond it. When the
 * client is not reading (the kernel's buffers are full), the answer stays pending and is finished
 * from onWritable as the client reads. With an answer pending, uWS stops reading the connection
 * (v20.51, v20.57; v20.30 closed it when another request arrived), so a client that pipelines
 * without reading holds at most one unfinished answer: the memory held per connection is bounded by
 * one answer plus uWS's 16 KiB cork buffer, whatever the client sends.
 */
export function finish(res: HttpResponse, body: string): void {
  if ((res as Marked)[HEAD]) {
    // endWithoutBody(length) of uWS 20.30 leaves the response pending (its offset never reaches the
    // reported length), so the length is written as a header and the answer ends with no body.
    res.writeHeader('Content-Length', String(Buffer.byteLength(body)));
    res.endWithoutBody();
    return;
  }
  // tryEnd's total is in bytes; a JSON body may hold non-ASCII text (a truncated echo ends in '…').
  const bytes = body.length === Buffer.byteLength(body) ? body : Buffer.from(body);
  const [, done] = res.tryEnd(bytes, bytes.length);
  if (!done) pending(res, typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
}

/**
 * The rest of an answer the socket could not take. An unfinished response must have an abort
 * handler (uWS terminates the process otherwise); the handler of an asynchronous answer already
 * set its own, which this replaces: that request is answered, only its delivery is left.
 */
function pending(res: HttpResponse, body: Buffer): void {
  res.onAborted(noop);
  res.onWritable((offset) => {
    const [ok] = res.tryEnd(body.subarray(offset), body.length);
    return ok;
  });
}

function noop(): void {}
