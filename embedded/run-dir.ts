// The data directory's `run/` folder: `npm start`'s pid and one pid file per supervised
// process. It tells whether Waymark runs on a data directory, and lets a new `npm start` stop
// processes that an `npm start` killed without a chance to stop them (SIGKILL, OOM) left behind.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { dataLayout, type Log } from './index.ts';

/** What the processes Waymark starts look like on their command line. */
const ours = /\/ferretdb|\/temporal|embedded\/serve\.ts|worker\/main\.ts|cli\/start\.ts/;

/** The pid in `file` when that process is alive and (where /proc tells) one of Waymark's. */
export function liveOurs(file: string): number | null {
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
  } catch {
    return null;
  }
  const cmdline = `/proc/${pid}/cmdline`;
  if (existsSync('/proc/self/cmdline') && !(existsSync(cmdline) && ours.test(readFileSync(cmdline, 'utf8')))) return null;
  return pid;
}

/**
 * The process is gone, or a zombie whose other threads are gone too (its files and sockets
 * closed). A killed multi-threaded process (the Temporal dev server, FerretDB) can show its main
 * thread as a zombie while another thread is still finishing a call in the kernel, holding the
 * descriptors they share, its listening socket among them.
 */
function exited(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return existsSync('/proc/self/stat'); // no /proc at all: kill(0) is all we know
  const state = /\) (\S)/.exec(readFileSync(stat, 'utf8'))?.[1];
  if (state !== 'Z' && state !== 'X') return false;
  try {
    const threads = Number(/^Threads:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '1');
    return threads <= 1;
  } catch {
    return true; // reaped meanwhile
  }
}

/** How long a leftover process may take to exit after SIGKILL. */
const exitWaitMs = 60_000;

/** The pid of the `npm start` running on `dataDir`, or null. */
export const runningOn = (dataDir: string): number | null => liveOurs(dataLayout(dataDir).pid);

/**
 * Before `npm start` starts anything on `dataDir`: refuses when another `npm start` runs on it,
 * and stops (SIGKILL) supervised processes a previous one left running, so their ports and
 * files are free again.
 */
export async function takeOverRunDir(dataDir: string, log: Log): Promise<void> {
  const other = runningOn(dataDir);
  if (other !== null) throw new Error(`Waymark already runs on ${dataDir} (pid ${other}); stop it first, or set another WAYMARK_DATA_DIR.`);
  const { run } = dataLayout(dataDir);
  if (!existsSync(run)) return;
  for (const name of readdirSync(run).filter((n) => n.endsWith('.pid'))) {
    const file = join(run, name);
    const pid = liveOurs(file);
    if (pid !== null && name !== 'waymark.pid') {
      process.kill(pid, 'SIGKILL');
      // Until it has exited, not only stopped looking like ours: a dying process loses its command
      // line before it closes its sockets, and the next start wants its port. A process blocked
      // in the kernel (a sync to a busy disk) takes the signal only when the call returns.
      const service = name.replace(/\.pid$/, '');
      const deadline = Date.now() + exitWaitMs;
      while (!exited(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      if (!exited(pid)) throw new Error(`${service} (pid ${pid}), left running by an npm start that ended without stopping it, has not exited ${exitWaitMs / 1000} s after SIGKILL; start again once it has.`);
      log.warn(`stopped ${service} (pid ${pid}), left running by an npm start that ended without stopping it`);
    }
    rmSync(file, { force: true });
  }
}
