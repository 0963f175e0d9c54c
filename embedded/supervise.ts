import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lastLines } from './logs.ts';
import type { ManagedProcess } from './process.ts';

/** What the supervisor knows of one service, as `/v1/health` reports it under `supervised`. */
export interface SupervisedState {
  state: 'running' | 'restarting' | 'failed' | 'stopped';
  /** Restarts since `npm start` began. */
  restarts: number;
  lastRestart?: { at: string; reason: string };
  /** When it stopped being restarted: why, and where its log is. */
  detail?: string;
}

export interface Supervised {
  readonly name: string;
  state(): SupervisedState;
  stop(): Promise<void>;
}

export interface SuperviseOptions {
  /** Shown in messages: "FerretDB". */
  name: string;
  /** Short name: its pid file is `run/<key>.pid` in the data directory. */
  key: string;
  logFile: string;
  dataDir: string;
  /** Starts the service once and resolves when it is usable (port open, answering). */
  start: () => Promise<ManagedProcess>;
  log: { info(line: string): void; warn(line: string): void; error(line: string): void };
  /** Runs shorter than this count as failures towards the crash-loop limit. */
  stableMs?: number;
  /** Failed runs in a row (each shorter than `stableMs`) after which it is no longer restarted. */
  maxFailures?: number;
  /** First restart delay; doubles per failure in a row, up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Starts a service and keeps it running: when it exits (crash, kill -9, OOM) it is started
 * again with its data, after a delay that doubles per failure in a row (1 s, 2 s, 4 s … 30 s).
 * A service whose runs keep ending within `stableMs` is, after `maxFailures` of them, left
 * stopped and reported with its log's path and last lines, instead of being retried silently
 * for ever. Every start and every exit is one line on the console; the service's own output
 * goes to its log file. The first start fails loudly (as `startProcess` does).
 */
export async function supervise(options: SuperviseOptions): Promise<Supervised> {
  const { name, key, logFile, log, stableMs = 60_000, maxFailures = 6, initialDelayMs = 1_000, maxDelayMs = 30_000 } = options;
  const runDir = join(options.dataDir, 'run');
  const pidFile = join(runDir, `${key}.pid`);
  mkdirSync(runDir, { recursive: true });
  const status: SupervisedState = { state: 'running', restarts: 0 };
  let current: ManagedProcess | undefined;
  let stopping = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;

  const running = (proc: ManagedProcess) => {
    current = proc;
    status.state = 'running';
    if (proc.child.pid !== undefined) writeFileSync(pidFile, String(proc.child.pid));
    const began = Date.now();
    const exited = (code: number | null, signal: NodeJS.Signals | null) => {
      if (stopping) return;
      failures = Date.now() - began < stableMs ? failures + 1 : 1;
      restartLater(`exited with ${signal ?? `code ${code}`} after ${Math.round((Date.now() - began) / 1000)} s`);
    };
    // It may have exited already, between answering and being handed over.
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) exited(proc.child.exitCode, proc.child.signalCode);
    else proc.child.once('exit', exited);
  };

  const restartLater = (reason: string) => {
    rmSync(pidFile, { force: true });
    if (failures >= maxFailures) {
      status.state = 'failed';
      status.detail = `${name} keeps failing (${failures} times in a row, last: ${reason}); not restarted. Log: ${logFile}`;
      const tail = lastLines(logFile).map((line) => `    ${line}`);
      log.error(`${status.detail}\n  last lines of ${logFile}:\n${tail.join('\n') || '    (empty)'}`);
      return;
    }
    status.state = 'restarting';
    const delay = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.max(0, failures - 1));
    log.warn(`${name} ${reason}; restarting in ${delay / 1000} s (log: ${logFile})`);
    timer = setTimeout(() => void restart(reason), delay);
  };

  const restart = async (reason: string) => {
    if (stopping) return;
    try {
      const proc = await options.start();
      if (stopping) return void (await proc.stop());
      status.restarts += 1;
      status.lastRestart = { at: new Date().toISOString(), reason };
      running(proc);
      log.info(`${name} restarted (pid ${proc.child.pid ?? '?'}, restart ${status.restarts})`);
    } catch (error) {
      failures += 1;
      restartLater(`could not be started again: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const first = await options.start();
  running(first);
  log.info(`${name} started (pid ${first.child.pid ?? '?'}, log: ${logFile})`);
  return {
    name,
    state: () => ({ ...status }),
    stop: async () => {
      stopping = true;
      if (timer) clearTimeout(timer);
      status.state = 'stopped';
      if (current) await current.stop();
      rmSync(pidFile, { force: true });
    },
  };
}
