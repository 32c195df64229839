/** Test helpers: a real server on an ephemeral loopback port, built from real parts. */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type LabServer } from './app.js';
import { readLimits } from './cgroup.js';
import { loadConfig, type Config } from './config.js';
import { loadEngines, type EngineRegistry } from './engines/registry.js';
import { loadUws } from './uws.js';

export interface RunningServer {
  readonly url: string;
  readonly server: LabServer;
  readonly config: Config;
  /** The private data folder of this server: tests check that no temporary file is left. */
  readonly dataDir: string;
  leftoverFiles(): string[];
  close(): Promise<void>;
}

export async function startServer(env: Record<string, string> = {}, engines?: EngineRegistry): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lab-test-'));
  const config = loadConfig({ PORT: '0', DATA_DIR: dataDir, ...env });
  const server = createServer({ config, engines: engines ?? (await loadEngines()), uws: loadUws(), limits: readLimits() });
  const port = await server.listen();
  let closed = false;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    config,
    dataDir,
    leftoverFiles: () => readdirSync(dataDir),
    async close() {
      if (closed) return;
      closed = true;
      await server.shutdown(5000);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
