/**
 * Raw-socket clients for the robustness suite: bytes exactly as written (no HTTP library fixing
 * them up), and what came back, with whether and when the server closed.
 */
import { connect, type Socket } from 'node:net';

export interface Exchange {
  /** Everything the server sent. */
  readonly data: Buffer;
  /** The server closed (FIN or RST) before `waitMs` ran out. */
  readonly closed: boolean;
  /** A socket error (ECONNRESET, EPIPE), if any. */
  readonly error?: string;
  /** From the first byte written to the close (or to the give-up). */
  readonly ms: number;
}

export interface ExchangeOptions {
  /** Pause between chunks, in ms. */
  readonly gapMs?: number;
  /** Shut down our write side after the last chunk (a half-close). */
  readonly halfClose?: boolean;
  /** Give up (and close) after this long; the exchange then has closed: false. */
  readonly waitMs?: number;
  /** Stop as soon as this many status lines arrived (keep-alive answers do not close). */
  readonly statusLines?: number;
}

/** Writes `chunks` to a new connection and collects the answer until the close or `waitMs`. */
export function exchange(port: number, chunks: string | Buffer | ReadonlyArray<string | Buffer>, options: ExchangeOptions = {}): Promise<Exchange> {
  const list = typeof chunks === 'string' || Buffer.isBuffer(chunks) ? [chunks] : chunks;
  const { gapMs = 0, halfClose = false, waitMs = 5000, statusLines } = options;
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    const parts: Buffer[] = [];
    let t0 = 0;
    let error: string | undefined;
    let done = false;
    const end = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ data: Buffer.concat(parts), closed, error, ms: performance.now() - t0 });
    };
    const timer = setTimeout(() => end(false), waitMs);
    socket.on('data', (d: Buffer) => {
      parts.push(d);
      if (statusLines !== undefined && countStatusLines(Buffer.concat(parts)) >= statusLines) end(false);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      error = err.code ?? err.message;
      end(true);
    });
    socket.on('end', () => end(true));
    socket.on('close', () => end(true));
    socket.on('connect', async () => {
      t0 = performance.now();
      for (let i = 0; i < list.length; i++) {
        if (done) return;
        if (i > 0 && gapMs > 0) await sleep(gapMs);
        socket.write(list[i]!);
      }
      if (halfClose) socket.end();
    });
  });
}

/** The status codes of every `HTTP/1.x NNN` status line in `data`, in order. */
export function statusCodes(data: Buffer): number[] {
  // Not anchored to a line start: a body without a final newline runs into the next status line.
  return [...data.toString('latin1').matchAll(/HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n/g)].map((m) => Number(m[1]));
}

export function countStatusLines(data: Buffer): number {
  return statusCodes(data).length;
}

/** The headers (lower-case names) and body of the first response in `data`. */
export function firstResponse(data: Buffer): { status: number; headers: Record<string, string>; rest: string } {
  const text = data.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const head = end === -1 ? text : text.slice(0, end);
  const [line, ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  return { status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(line ?? '')?.[1] ?? 0), headers, rest: end === -1 ? '' : text.slice(end + 4) };
}

/**
 * Connections that send as fast as the server reads and never read an answer: `bytes` of
 * `request` repeated on each of `connections` sockets, for at most `ms`. Resolves with, per
 * connection, how many bytes went out and how it ended (closed by the server or still open).
 */
export async function pipelineWithoutReading(port: number, request: string, connections: number, bytes: number, ms: number): Promise<{ sent: number; closedBy: string | null }[]> {
  const blob = Buffer.from(request.repeat(Math.ceil(65536 / request.length)));
  const sockets = await Promise.all(Array.from({ length: connections }, () => open(port)));
  return Promise.all(
    sockets.map(
      (socket) =>
        new Promise<{ sent: number; closedBy: string | null }>((resolve) => {
          let sent = 0;
          let closedBy: string | null = null;
          let finished = false;
          const finish = () => {
            if (finished) return;
            finished = true;
            clearInterval(probe);
            clearTimeout(timer);
            socket.destroy();
            resolve({ sent, closedBy });
          };
          const timer = setTimeout(finish, ms);
          socket.pause(); // never read: the answers stay in the kernel and in the server
          socket.on('error', (err: NodeJS.ErrnoException) => {
            closedBy = err.code ?? 'error';
            finish();
          });
          socket.on('close', () => {
            closedBy ??= 'close';
            finish();
          });
          // A paused socket reports the server's close only through a failing write: once `bytes`
          // went out, one more request every 200 ms is the probe.
          const probe = setInterval(() => {
            if (finished) return clearInterval(probe);
            if (sent >= bytes && socket.writableLength === 0) socket.write(request);
          }, 200);
          const pump = () => {
            while (!finished && sent < bytes) {
              sent += blob.length;
              if (!socket.write(blob)) return void socket.once('drain', pump);
            }
          };
          pump();
        }),
    ),
  );
}

export function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1' }, () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
