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
 * The dev server's CPU priority (`nice`, 0 to 19; 0 is everyone else's). On one machine it
 * shares the cores with the worker, FerretDB and the API, and when they are all busy the work a
 * customer or a user waits on goes first: a campaign's emails, an API answer, the database. The
 * server's own work (a run's start asleep in its start delay, a timer) takes the cores they leave
 * idle. A 10,000-customer win-back that starts each page's runs as soon as the page is sent
 * sent its last email sooner at 10 than at 0, its runs as soon (README, "The dev server
 * yields"). Nothing changes on a machine with cores to spare, and a Temporal cluster of its own
 * has none of this.
 */
export const temporalNice = 10;

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
  /** Its CPU priority (default `temporalNice`). */
  nice?: number;
  logFile: string;
  supervised?: boolean;
}): Promise<ManagedProcess & { address: string; uiUrl?: string }> {
  const { port, uiPort, dataDir, journalMode = temporalJournalMode, nice = temporalNice, logFile, supervised = false } = options;
  const address = `127.0.0.1:${port}`;
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'warn'];
  // Its HTTP API, metrics and internal service ports are free ones it picks itself (CLI 1.5):
  // pinning them next to the gRPC port raced with other servers picking free ports.
  if (uiPort) args.push('--ui-ip', '127.0.0.1', '--ui-port', String(uiPort));
  else args.push('--headless');
  if (dataDir) args.push('--db-filename', temporalDbFile(dataDir), '--sqlite-pragma', `journal_mode=${journalMode}`);
  // Through `nice`, which execs the server (same pid): every thread the Go runtime makes inherits
  // the priority, where setting it on the pid afterwards reaches only the main thread.
  const command = nice > 0 ? { cmd: 'nice', args: ['-n', String(nice), tools.temporal, ...args] } : { cmd: tools.temporal, args };
  const proc = await startProcess({ name: 'Temporal dev server', ...command, port, logFile, supervised, ready: (signal) => waitForTemporal(address, 'default', 60_000, signal) });
  return Object.assign(proc, { address, ...(uiPort ? { uiUrl: `http://127.0.0.1:${uiPort}` } : {}) });
}

/** The dev server's SQLite file in a data directory. */
export const temporalDbFile = (dataDir: string) => join(dataDir, 'temporal.sqlite');
