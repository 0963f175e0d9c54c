import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { stopChild } from '../embedded/process.ts';

const running = new Set<ChildProcess>();

/** Remembers a child process so `killAllSync` can stop it if the bench dies. */
export function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
}

const cleanups = new Set<() => void>();

/** Registers a synchronous clean-up (e.g. removing a temp dir) for `killAllSync`; returns its removal. */
export function onKill(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** SIGKILLs every tracked child still running and runs the clean-ups: the last resort on exit or a watchdog timeout. */
export function killAllSync(): void {
  for (const child of running) child.kill('SIGKILL');
  for (const cleanup of cleanups) cleanup();
  cleanups.clear();
}

/** A Node process the bench started: its pid (for RSS), and how to stop it. */
export interface BenchChild {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * Starts `entry` (TypeScript) as its own Node process through tsx's loader (`node --import tsx`,
 * one process, so its pid is the one to measure), output to `logFile`, and waits for a line of
 * its output matching `ready`. `ipc` opens a message channel to it.
 */
export async function startNode(options: {
  name: string;
  entry: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** A line of output that says it is ready; null: do not wait. */
  ready: RegExp | null;
  ipc?: boolean;
  nodeArgs?: string[];
  timeoutMs?: number;
}): Promise<BenchChild> {
  const { name, entry, env, logFile, ready, timeoutMs = 120_000 } = options;
  mkdirSync(dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, ['--import', 'tsx', ...(options.nodeArgs ?? []), entry], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', ...(options.ipc ? (['ipc'] as const) : [])],
  });
  track(child);
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  if (ready !== null) await waitForLine(name, child, ready, logFile, timeoutMs);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name} has no pid`);
  return { name, child, pid, stop: () => stopChild(child, 15_000) };
}

function waitForLine(name: string, child: ChildProcess, ready: RegExp, logFile: string, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => fail(`did not get ready within ${timeoutMs / 1000} s`), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen = (seen + chunk.toString('utf8')).slice(-4096);
      if (ready.test(seen)) {
        cleanup();
        resolve();
      }
    };
    const onExit = (code: number | null, signal: string | null) => fail(`exited with ${signal ?? code}`);
    function cleanup() {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
    }
    function fail(why: string) {
      cleanup();
      child.kill('SIGKILL');
      reject(new Error(`${name} ${why}; see ${logFile}`));
    }
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}
