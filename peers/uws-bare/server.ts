/**
 * The bare uWS peer: the smallest uWebSockets.js server that answers the lab's `/hello` (same
 * status, Content-Type and body), as in uWS's own examples: no router, no metrics, no scheduler.
 * Two jobs, both measured in the same run as the lab:
 *  - the reference of `make bench-hello` and `make bench-generators` (pinned to its own core), and
 *  - in `make compare`, the ceiling of the /hello measurement itself: under the same limits and the
 *    same generator, nothing answers /hello faster on this stack, so when the lab reaches what this
 *    server reaches while this server still had CPU to spare, the figure is the generator's limit,
 *    not the lab's (compare/analyse/bound.ts), and the report says "at least".
 *
 *   HOST=127.0.0.1 PORT=8000 node dist/peers/uws-bare/server.js
 *
 * `/heavy/health/` answers what the lab's health answers about the process (pid, Node version,
 * uWS build, the cgroup limits seen from inside), so `make compare` records it the same way. It
 * refuses to start on uWS's slow ws-based fallback, as the lab does.
 */
import { loadUws } from '../../server/uws.js';
import { readLimits } from '../../server/cgroup.js';
import { CONFIG_DEFAULTS } from '../../server/config.js';
import { readHost } from '../../lab/index.js';

const HELLO = 'Hello, World!';
// The lab's own defaults (server/config.ts): a peer stands where the lab's service stands.
const host = readHost();
const PORT = Number(process.env['PORT'] ?? CONFIG_DEFAULTS.PORT);
if (!Number.isInteger(PORT) || PORT < 0 || PORT > 65535) {
  console.error(`PORT must be an integer 0-65535 (got "${process.env['PORT']}")`);
  process.exit(2);
}
let runtime: ReturnType<typeof loadUws>;
try {
  runtime = loadUws();
} catch (err) {
  console.error(`uws-bare: uWebSockets.js did not load: ${(err as Error).message}; refusing to start`);
  process.exit(1);
}
const START = Date.now();
function json(res: import('uws-20.57').HttpResponse, status: string, body: unknown, type = 'application/json', headers: Record<string, string> = {}): void {
  res.cork(() => {
    res.writeStatus(status).writeHeader('Content-Type', type);
    for (const [k, v] of Object.entries(headers)) res.writeHeader(k, v);
    res.end(JSON.stringify(body));
  });
}

function notAllowed(res: import('uws-20.57').HttpResponse, req: import('uws-20.57').HttpRequest): void {
  const method = req.getMethod().toUpperCase();
  const path = req.getUrl();
  json(
    res,
    '405 Method Not Allowed',
    { type: 'about:blank', title: 'Method not allowed', status: 405, detail: `${method} is not allowed on ${path}; use GET` },
    'application/problem+json',
    { Allow: 'GET' },
  );
}

const app = runtime.uws
  .App()
  .get('/hello', (res) => {
    res.writeHeader('Content-Type', 'text/plain; charset=utf-8').end(HELLO);
  })
  .get('/heavy/health/', (res) => {
    const l = readLimits();
    json(res, '200 OK', {
      status: 'ok',
      service: 'uws-bare',
      node: process.version,
      uws: { native: runtime.native, release: runtime.release, package: runtime.package, version: runtime.version, binary: runtime.detail },
      pid: process.pid,
      uptime_sec: Math.round((Date.now() - START) / 100) / 10,
      limits: { cpus: l.cpuQuota, cpus_available: l.cpusAvailable, memory_bytes: l.memoryBytes, cgroup_version: l.cgroupVersion },
    });
  })
  .any('/hello', (res, req) => notAllowed(res, req))
  .any('/heavy/health/', (res, req) => notAllowed(res, req))
  .any('/*', (res, req) => {
    const path = req.getUrl();
    json(
      res,
      '404 Not Found',
      { type: 'about:blank', title: 'Not found', status: 404, detail: `no route for ${req.getMethod().toUpperCase()} ${path}` },
      'application/problem+json',
    );
  })
  .listen(host, PORT, (token) => {
    if (!token) {
      console.error(`uws-bare: cannot listen on ${host}:${PORT}`);
      process.exit(1);
    }
    console.log(
      `uws-bare peer listening on http://${host}:${runtime.uws.us_socket_local_port(token)} (node ${process.version}, ${runtime.package} ${runtime.version}, ${runtime.detail})`,
    );
  });

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    (app as unknown as { close(): void }).close();
    process.exit(0);
  });
}
