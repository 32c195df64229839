import { performance } from 'node:perf_hooks';
import type { HttpRequest, HttpResponse, TemplatedApp, us_listen_socket } from 'uws-20.57';
import type { Config } from './config.js';
import type { EngineRegistry } from './engines/registry.js';
import { HttpError } from './errors.js';
import { finishHeavy } from './heavy.js';
import type { DataDirStatus } from './io-check.js';
import { HeavyScheduler, JobCancelled, type Ticket } from './scheduler.js';
import { finish, markHead, sendJson, sendProblem } from './http.js';
import type { Limits } from './cgroup.js';
import { answered, labelEngine, noMetrics, STATUS_CLIENT_CLOSED, timed, timedConstant, type Metrics } from './metrics.js';
import { type HeavyParams, parseHeavyQuery } from './params.js';
import type { UwsRuntime } from './uws.js';

/** Everything the server is built from; main.ts assembles it, tests pass their own. */
export interface ServerDeps {
  readonly config: Config;
  readonly engines: EngineRegistry;
  readonly uws: UwsRuntime;
  readonly limits: Limits;
  /** Where request metrics go; none when omitted. */
  readonly metrics?: Metrics;
  /** DATA_DIR as checked at start (io-check.ts checkDataDir); assumed usable when omitted. */
  readonly dataDir?: DataDirStatus;
}

export interface LabServer {
  /** Binds config.host:config.port; resolves with the bound port (useful with PORT=0). */
  listen(): Promise<number>;
  /**
   * Graceful stop: closes the listening socket, refuses new heavy work, waits up to `timeoutMs`
   * for in-flight requests, answers any still running with 503, stops the worker pool and closes
   * every connection. Resolves with the number of requests cut at the deadline (0 when all finished).
   */
  shutdown(timeoutMs: number): Promise<number>;
  /** Heavy requests admitted and not yet answered or aborted. */
  readonly inFlight: number;
  readonly scheduler: HeavyScheduler;
}

interface Active {
  readonly res: HttpResponse;
  /** Set by onAborted, or once an answer was forced at shutdown: never write after it. */
  aborted: boolean;
}

const HELLO_BODY = 'Hello, World!';
const START = Date.now();

export function createServer(deps: ServerDeps): LabServer {
  const { config, engines, uws: runtime, limits } = deps;
  const metrics = deps.metrics ?? noMetrics;
  const app: TemplatedApp = runtime.uws.App();
  let listenSocket: us_listen_socket | null = null;
  let draining = false;
  /** Admitted heavy requests not yet answered; each is answered or aborted by its client. */
  const inFlight = new Set<Active>();
  let onIdle: (() => void) | null = null;
  const scheduler = new HeavyScheduler(config);
  let dataDir: DataDirStatus = deps.dataDir ?? { usable: true };

  // `constant`: the handler always answers at once with that status (cheaper metrics, see timedConstant).
  type Handler = (res: HttpResponse, req: HttpRequest) => void;
  const routes: ReadonlyArray<{ path: string; get: Handler; constant?: number }> = [
    { path: '/hello', get: hello, constant: 200 },
    { path: '/heavy/health/', get: health },
    { path: '/heavy/cpu-io-no-db/', get: heavy },
  ];
  for (const { path, get, constant } of routes) {
    // uWS routes match exactly: register both spellings. A method-specific route wins over `any`,
    // so `any` on the same path only sees the other methods.
    const other = path.endsWith('/') ? path.slice(0, -1) : `${path}/`;
    for (const p of [path, other]) {
      // Metrics label both spellings with the one template, `path`.
      app.get(p, constant === undefined ? timed(metrics, path, 'GET', framed(get)) : timedConstant(metrics, path, 'GET', constant, framed(get)));
      // HEAD is GET without the body (RFC 9110 9.3.2): same handler, same headers, Content-Length
      // of the body GET would send. A 405 here instead broke the framing of the next answer.
      app.head(p, timed(metrics, path, 'HEAD', framed(asHead(get))));
      app.any(p, timed(metrics, path, undefined, framed(methodNotAllowed)));
    }
  }
  // Without a catch-all, uWS closes the socket with no answer for an unknown path.
  const notFound: Handler = (res, req) => answerError(res, new HttpError('NOT_FOUND', `no route for ${req.getMethod().toUpperCase()} ${req.getUrl()}`));
  app.head('/*', timed(metrics, '/*', 'HEAD', framed(asHead(notFound))));
  app.any('/*', timed(metrics, '/*', undefined, framed(notFound)));

  /**
   * uWS v20.30 accepts a request with two Content-Length headers, frames its body by the first,
   * and parses the rest as the next request: a front proxy that used the other one would have a
   * request smuggled past it. Such a request (or one with both Content-Length and
   * Transfer-Encoding, which uWS closes on by itself) closes the connection at once, before uWS
   * parses anything behind it; an answer is not possible, as it would only leave with the next
   * uncork, after the smuggled request was answered (RFC 9112 6.3 asks for a 400 and a close).
   * Costs one header lookup per request without a body (a scan of the headers with one).
   */
  function framed(handler: Handler): Handler {
    return (res, req) => {
      if (req.getHeader('content-length') !== '' && ambiguousFraming(req)) {
        res.close();
        return;
      }
      handler(res, req);
    };
  }

  function asHead(handler: Handler): Handler {
    return (res, req) => {
      markHead(res);
      handler(res, req);
    };
  }

  // The hot path: answered synchronously, so uWS has already corked the socket and no cork() is
  // needed; 200 is uWS's default status, so no writeStatus(). finish() (tryEnd), not end(): see http.ts.
  function hello(res: HttpResponse): void {
    finish(res.writeHeader('Content-Type', 'text/plain; charset=utf-8'), HELLO_BODY);
  }

  function health(res: HttpResponse): void {
    sendJson(res, 200, {
      // degraded: /hello and compute answer, but heavy requests with io_kb > 0 fail (see data_dir).
      status: draining ? 'draining' : dataDir.usable ? 'ok' : 'degraded',
      data_dir: dataDir,
      uws: { native: runtime.native, release: runtime.release, package: runtime.package, version: runtime.version, detail: runtime.detail, skipped: runtime.skipped },
      glibc: runtime.glibc,
      engines: Object.fromEntries(
        [...engines.values()].map((e) => [e.name, e.available ? { available: true, description: e.description } : { available: false, reason: e.reason }]),
      ),
      defaults: { impl: config.defaultImpl, mode: config.defaultMode },
      caps: { prime_limit: config.caps.primeLimit, hash_rounds: config.caps.hashRounds, io_kb: config.caps.ioKb },
      node: process.version,
      pid: process.pid,
      uptime_sec: Math.round((Date.now() - START) / 100) / 10,
      limits: {
        cpus: limits.cpuQuota,
        cpus_available: limits.cpusAvailable,
        memory_bytes: limits.memoryBytes,
        cgroup_version: limits.cgroupVersion,
      },
      pool_size: config.poolSize,
      queue_max: config.queueMax,
      deadline_ms: config.deadlineMs,
      heavy: { in_flight: inFlight.size, ...scheduler.stats() },
    });
  }

  function heavy(res: HttpResponse, req: HttpRequest): void {
    // Read everything from req first: it is invalid after the first await or return.
    const arrived = performance.now();
    const query = req.getQuery() ?? '';
    let params: HeavyParams;
    try {
      params = parseHeavyQuery(query, config);
    } catch (err) {
      answerError(res, err);
      return;
    }
    labelEngine(res, params.impl, params.mode);
    if (draining) {
      answerError(res, new HttpError('SHUTTING_DOWN', 'the server is draining and admits no new heavy work', { headers: { Connection: 'close' } }));
      return;
    }
    const status = engines.get(params.impl);
    if (!status?.available) {
      const reason = status && !status.available ? status.reason : 'not registered';
      answerError(res, new HttpError('ENGINE_UNAVAILABLE', `engine "${params.impl}" is not available: ${reason}`, { extensions: { engine: params.impl } }));
      return;
    }
    let ticket: Ticket;
    try {
      ticket = scheduler.admit(status.engine, params.mode, params.primeLimit, params.hashRounds, arrived);
    } catch (err) {
      answerError(res, err); // shed at once: 503 + Retry-After
      return;
    }
    const active: Active = { res, aborted: false };
    res.onAborted(() => {
      active.aborted = true;
      ticket.cancel();
    });
    inFlight.add(active);
    ticket.result
      .then(({ compute, queueMs }) => finishHeavy(config, params, compute, arrived, queueMs))
      .then(
        (answer) => {
          metrics.stages(answer);
          if (params.ioKb > 0 && !dataDir.usable) dataDir = { usable: true };
          if (!active.aborted) sendJson(res, 200, answer);
        },
        (err: unknown) => {
          if (err instanceof HttpError && err.problem.code === 'IO_FAILED' && (err.problem['step'] === 'open' || err.problem['step'] === 'write')) {
            dataDir = { usable: false, reason: err.message };
          }
          if (!active.aborted) answerError(res, err);
        },
      )
      .finally(() => {
        // No-op when an answer was recorded: only requests whose client left count as 499.
        answered(res, STATUS_CLIENT_CLOSED);
        inFlight.delete(active);
        if (inFlight.size === 0) onIdle?.();
      });
  }

  function methodNotAllowed(res: HttpResponse, req: HttpRequest): void {
    const method = req.getMethod().toUpperCase();
    answerError(res, new HttpError('METHOD_NOT_ALLOWED', `${method} is not allowed on ${req.getUrl()}; use GET or HEAD`, { headers: { Allow: 'GET, HEAD' } }));
  }

  /** The one place an error becomes a response: its problem body and its own headers. */
  function answerError(res: HttpResponse, err: unknown): void {
    if (err instanceof HttpError) {
      // A server-side failure is logged with its cause; the client gets the problem without it.
      if (err.status >= 500 && err.status !== 503) console.error(`${err.problem.code}: ${err.message}`, err.cause ?? '');
      sendProblem(res, err.problem, err.headers);
      return;
    }
    if (err instanceof JobCancelled) return; // the client went away: nobody to answer
    console.error('unexpected error:', err);
    const internal = new HttpError('INTERNAL', 'unexpected internal error');
    sendProblem(res, internal.problem, internal.headers);
  }

  return {
    get inFlight() {
      return inFlight.size;
    },
    scheduler,
    listen() {
      return new Promise<number>((resolve, reject) => {
        app.listen(config.host, config.port, (token) => {
          if (!token) return reject(new Error(`cannot listen on ${config.host}:${config.port}`));
          listenSocket = token;
          resolve(runtime.uws.us_socket_local_port(token));
        });
      });
    },
    async shutdown(timeoutMs) {
      draining = true;
      if (listenSocket) runtime.uws.us_listen_socket_close(listenSocket);
      listenSocket = null;
      if (inFlight.size > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          onIdle = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      // Past the deadline, every admitted request still gets an answer before its connection goes.
      const left = inFlight.size;
      for (const active of inFlight) {
        if (active.aborted) continue;
        active.aborted = true;
        answerError(
          active.res,
          new HttpError('SHUTTING_DOWN', `the server stopped after ${timeoutMs} ms of draining before this request finished`, { headers: { Connection: 'close' } }),
        );
      }
      await scheduler.close();
      // close() exists at run time (uWS >= 20.x) but is missing from the typings.
      (app as TemplatedApp & { close(): void }).close();
      return left;
    },
  };
}

function ambiguousFraming(req: HttpRequest): boolean {
  if (req.getHeader('transfer-encoding') !== '') return true;
  let lengths = 0;
  req.forEach((name) => {
    if (name === 'content-length') lengths++;
  });
  return lengths > 1;
}
