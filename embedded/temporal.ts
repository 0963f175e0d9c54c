import { join } from 'node:path';
import { startProcess, type ManagedProcess } from './process.ts';
import { tools } from './tools.ts';
import { waitForTemporal } from './wait.ts';

/**
 * Starts the Temporal CLI dev server on 127.0.0.1 and waits until its default namespace
 * answers. With `dataDir` its SQLite file persists there (restarts keep workflows); without,
 * it is in memory.
 */
export async function startTemporalDevServer(options: {
  port: number;
  uiPort?: number;
  dataDir?: string;
  logFile: string;
  supervised?: boolean;
}): Promise<ManagedProcess & { address: string; uiUrl?: string }> {
  const { port, uiPort, dataDir, logFile, supervised = false } = options;
  const address = `127.0.0.1:${port}`;
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'warn'];
  // Its HTTP API, metrics and internal service ports are free ones it picks itself (CLI 1.5):
  // pinning them next to the gRPC port raced with other servers picking free ports.
  if (uiPort) args.push('--ui-ip', '127.0.0.1', '--ui-port', String(uiPort));
  else args.push('--headless');
  if (dataDir) args.push('--db-filename', temporalDbFile(dataDir));
  const proc = await startProcess({ name: 'Temporal dev server', cmd: tools.temporal, args, port, logFile, supervised, ready: (signal) => waitForTemporal(address, 'default', 60_000, signal) });
  return Object.assign(proc, { address, ...(uiPort ? { uiUrl: `http://127.0.0.1:${uiPort}` } : {}) });
}

/** The dev server's SQLite file in a data directory. */
export const temporalDbFile = (dataDir: string) => join(dataDir, 'temporal.sqlite');
