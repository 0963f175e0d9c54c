import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { dirname } from 'node:path';
import { lastLines, serviceLog } from './logs.ts';

/** A child process Waymark started and must stop. */
export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** True when something accepts TCP connections at host:port. */
export function isListening(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts `cmd` with its output appended to `logFile` (rotated by size), and waits until `port`
 * accepts connections (and `ready` resolves, when given). Fails with the log's path if the
 * process exits first or `timeoutMs` passes. Without `port`, it is started once spawned.
 */
export interface StartOptions {
  name: string;
  cmd: string;
  args: string[];
  port?: number;
  /**
   * Waits until the service answers, after its port accepts connections. `signal` aborts when
   * the process exits meanwhile: stop waiting then.
   */
  ready?: (signal: AbortSignal) => Promise<void>;
  logFile: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** How long a stop waits after SIGTERM before SIGKILL. */
  stopGraceMs?: number;
  /**
   * Its own process group (supervised children of `npm start`): a Ctrl-C in the terminal reaches
   * `npm start` only, which stops its children in order, rather than every child at once (which
   * would look like crashes). It also exits when `npm start` is gone, where it can tell.
   */
  supervised?: boolean;
  /** Starts tried when the process exits before listening (e.g. a port it picked itself was taken). */
  attempts?: number;
}

export async function startProcess(options: StartOptions): Promise<ManagedProcess> {
  const attempts = options.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      if (!(error instanceof ExitedEarly) || attempt >= attempts) throw error;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

class ExitedEarly extends Error {}

async function startOnce(options: StartOptions): Promise<ManagedProcess> {
  const { name, cmd, args, port, logFile, timeoutMs = 60_000 } = options;
  if (port !== undefined && (await isListening(port))) {
    throw new Error(`${name}: port ${port} is already in use; choose another with its environment variable (see README).`);
  }
  mkdirSync(dirname(logFile), { recursive: true });
  const log = serviceLog(logFile);
  const supervised = options.supervised === true;
  const env = { ...process.env, ...(supervised ? { WAYMARK_EXIT_WITH_PARENT: '1' } : {}), ...options.env };
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: supervised, env });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  let exited: string | undefined;
  const gone = new AbortController();
  child.once('exit', (code, signal) => {
    exited = `exited with ${signal ?? code}`;
    gone.abort();
  });
  child.once('error', (error) => {
    exited = `could not start (${error.message})`;
    gone.abort();
  });
  // The log's last lines name the cause (a port taken, a locked file), so the error carries them.
  const failure = (what: string) => {
    const tail = lastLines(logFile, 10);
    return `${name} ${what}; see ${logFile}${tail.length > 0 ? `, which ends:\n${tail.join('\n')}` : ''}`;
  };
  const deadline = Date.now() + timeoutMs;
  while (port !== undefined && !(await isListening(port))) {
    if (exited) throw new ExitedEarly(failure(`${exited} before listening on ${port}`));
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(failure(`did not listen on ${port} within ${timeoutMs} ms`));
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (options.ready) {
    try {
      await options.ready(gone.signal);
    } catch (error) {
      child.kill('SIGKILL');
      if (exited) throw new ExitedEarly(failure(`${exited} before it answered`));
      throw error;
    }
  }
  if (exited) throw new ExitedEarly(failure(`${exited} right after starting`));
  return {
    name,
    child,
    stop: () => stopChild(child, options.stopGraceMs),
  };
}

/** SIGTERM, then SIGKILL after a grace period. */
export function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
