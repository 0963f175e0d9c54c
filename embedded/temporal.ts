import { join } from 'node:path';
import { startProcess, type ManagedProcess } from './process.ts';
import { tools } from './tools.ts';
import { waitForTemporal } from './wait.ts';

/**
 * The SQLite journal of the dev server's persistent store. Write-ahead logging (WAL): each
 * commit appends to the log instead of copying pages to a rollback journal and syncing both, so
 * a workflow start costs the server about half the CPU and time of the default (`npx tsx
 * bench/temporal-store.ts`); `synchronous` stays FULL, so a commit survives a power cut as
 * before; and a backup's read (`VACUUM INTO`) no longer blocks the server's writes.
 */
export const temporalJournalMode = 'wal';

/**
 * Starts the Temporal CLI dev server on 127.0.0.1 and waits until its default namespace
 * answers. With `dataDir` its SQLite file persists there (restarts keep workflows), in
 * `journalMode` (default `temporalJournalMode`); without, it is in memory.
 */
export async function startTemporalDevServer(options: {
  port: number;
  uiPort?: number;
  dataDir?: string;
  journalMode?: 'wal' | 'delete';
  logFile: string;
  supervised?: boolean;
}): Promise<ManagedProcess & { address: string; uiUrl?: string }> {
  const { port, uiPort, dataDir, journalMode = temporalJournalMode, logFile, supervised = false } = options;
  const address = `127.0.0.1:${port}`;
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'warn'];
  // Its HTTP API, metrics and internal service ports are free ones it picks itself (CLI 1.5):
  // pinning them next to the gRPC port raced with other servers picking free ports.
  if (uiPort) args.push('--ui-ip', '127.0.0.1', '--ui-port', String(uiPort));
  else args.push('--headless');
  if (dataDir) args.push('--db-filename', temporalDbFile(dataDir), '--sqlite-pragma', `journal_mode=${journalMode}`);
  const proc = await startProcess({ name: 'Temporal dev server', cmd: tools.temporal, args, port, logFile, supervised, ready: (signal) => waitForTemporal(address, 'default', 60_000, signal) });
  return Object.assign(proc, { address, ...(uiPort ? { uiUrl: `http://127.0.0.1:${uiPort}` } : {}) });
}

/** The dev server's SQLite file in a data directory. */
export const temporalDbFile = (dataDir: string) => join(dataDir, 'temporal.sqlite');
