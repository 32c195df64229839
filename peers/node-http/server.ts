/**
 * The node:http peer: `/hello` on Node's own HTTP server, no framework, so a report shows what
 * uWebSockets.js buys over it on the same machine, limits and generator. One process, one event
 * loop, like the lab's server.
 *
 *   HOST=127.0.0.1 PORT=8000 node dist/peers/node-http/server.js
 *
 * `/heavy/health/` answers what the lab's health answers about the process (pid, Node version,
 * the cgroup limits seen from inside), so `make compare` records it the same way. Every other path
 * is a JSON 404, any other method on a known path a JSON 405: never a hang or an HTML page.
 */
import { createServer, type ServerResponse } from 'node:http';
import { readLimits } from '../../server/cgroup.js';
import { CONFIG_DEFAULTS } from '../../server/config.js';

const HELLO = 'Hello, World!';
// The lab's own defaults (server/config.ts): a peer stands where the lab's service stands.
const HOST = process.env['HOST'] ?? CONFIG_DEFAULTS.HOST;
const PORT = Number(process.env['PORT'] ?? CONFIG_DEFAULTS.PORT);
if (!Number.isInteger(PORT) || PORT < 0 || PORT > 65535) {
  console.error(`PORT must be an integer 0-65535 (got "${process.env['PORT']}")`);
  process.exit(2);
}
const START = Date.now();

function json(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function problem(res: ServerResponse, status: number, title: string, detail: string, headers: Record<string, string> = {}): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  json(res, status, { type: 'about:blank', title, status, detail }, 'application/problem+json');
}

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?', 1)[0]!;
  const route = path === '/hello' || path === '/hello/' ? 'hello' : path === '/heavy/health/' || path === '/heavy/health' ? 'health' : null;
  if (route === null) return problem(res, 404, 'Not found', `no route for ${req.method} ${path}`);
  if (req.method !== 'GET') return problem(res, 405, 'Method not allowed', `${req.method} is not allowed on ${path}; use GET`, { Allow: 'GET' });
  if (route === 'hello') {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': HELLO.length });
    return res.end(HELLO);
  }
  const l = readLimits();
  json(res, 200, {
    status: 'ok',
    service: 'node-http',
    node: process.version,
    pid: process.pid,
    uptime_sec: Math.round((Date.now() - START) / 100) / 10,
    limits: { cpus: l.cpuQuota, cpus_available: l.cpusAvailable, memory_bytes: l.memoryBytes, cgroup_version: l.cgroupVersion },
  });
});

server.listen(PORT, HOST, () => {
  const addr = server.address();
  console.log(`node-http peer listening on http://${HOST}:${typeof addr === 'object' && addr ? addr.port : PORT} (node ${process.version})`);
});

// Graceful stop: no new connections, idle keep-alive ones closed, then exit.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5000).unref();
  });
}
