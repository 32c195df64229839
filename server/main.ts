import { readLimits } from './cgroup.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { createServer } from './app.js';
import { loadEngines } from './engines/registry.js';
import { checkDataDir, sweepStaleFiles } from './io-check.js';
import { createMetrics } from './metrics.js';
import { loadUws } from './uws.js';

/** Start-up: config, uWS check, engines, listen, signals. Every failure is one line and exit != 0. */
async function main(): Promise<void> {
  const limits = readLimits();
  let config: Config;
  try {
    config = loadConfig(process.env, limits.cpus);
  } catch (err) {
    if (err instanceof ConfigError) fail(2, `config: ${err.message}`);
    throw err;
  }
  // libuv's pool runs native AsyncTasks (mode=pool, up to POOL_SIZE at once) AND all file I/O.
  // Sized POOL_SIZE + 4 so native compute can never starve the I/O stage; it must be set before
  // the pool's first use, which is why it happens here, before engines load.
  process.env['UV_THREADPOOL_SIZE'] ??= String(config.poolSize + 4);
  let uws: ReturnType<typeof loadUws>;
  try {
    uws = loadUws(config.uwsBuilds);
  } catch (err) {
    fail(1, `uWebSockets.js did not load: ${(err as Error).message}; refusing to start (README, "Runtimes").`);
  }
  for (const s of uws.skipped) console.warn(`uWS: newer build skipped: ${s}`);
  const engines = await loadEngines();
  for (const e of engines.values()) {
    if (!e.available) console.warn(`engine ${e.name}: UNAVAILABLE (${e.reason}); requests for it get 503`);
  }
  // Before any request: files left by a process killed during its I/O stage, then whether the
  // folder can be used at all. An unusable one is reported (here and in health), not fatal:
  // /hello and io_kb=0 requests still work.
  const swept = await sweepStaleFiles(config.dataDir);
  if (swept > 0) console.log(`DATA_DIR: removed ${swept} temporary file(s) left by stopped processes`);
  const dataDir = await checkDataDir(config.dataDir);
  if (!dataDir.usable) console.warn(`WARNING: DATA_DIR ${config.dataDir} is not usable (${dataDir.reason}); heavy requests with io_kb > 0 will fail with 500 IO_FAILED`);
  const metrics = createMetrics(config.metrics);
  const server = createServer({ config, engines, uws, limits, metrics, dataDir });
  metrics.watch(() => {
    const s = server.scheduler.stats();
    return { inFlight: server.inFlight, queued: s.queued, shed: { queue_full: s.shed, deadline: s.deadlineDropped + s.deadlinePredicted } };
  });
  let port: number;
  try {
    port = await server.listen();
  } catch (err) {
    fail(1, `listen: ${(err as Error).message} (address in use, or not an address of this machine?)`);
  }
  const ready = [...engines.values()].filter((e) => e.available).map((e) => e.name);
  console.log(
    `listening on http://${config.host}:${port} (uWS v${uws.release} ${uws.package} ${uws.version} ${uws.detail}; ` +
      `Node ${process.version}; engines: ${ready.join(', ')}; pool ${config.poolSize}, queue ${config.queueMax}, deadline ${config.deadlineMs} ms; ` +
      `cpus ${limits.cpuQuota ?? 'unlimited'}, memory ${limits.memoryBytes ?? 'unlimited'})`,
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: draining (up to ${config.shutdownTimeoutMs} ms)`);
    server.shutdown(config.shutdownTimeoutMs).then(
      (left) => {
        metrics.close();
        console.log(left === 0 ? 'drained; bye' : `shutdown deadline hit with ${left} request(s) in flight; connections closed`);
        process.exit(0);
      },
      (err) => {
        console.error('shutdown failed:', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

function fail(code: number, line: string): never {
  console.error(line);
  process.exit(code);
}

main().catch((err) => {
  console.error('fatal:', err);
  process.exit(1);
});
