// The run folder's takeover: a new `npm start` refuses to run beside a live one, and stops the
// supervised processes an `npm start` killed without warning left behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { takeOverRunDir } from './run-dir.ts';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A long-lived process whose command line looks like one Waymark supervises. */
function leftover(): ChildProcess {
  return spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'embedded/serve.ts'], { stdio: 'ignore' });
}

describe('takeOverRunDir', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function runDir(): string {
    const dataDir = mkdtempSync(join(tmpdir(), 'waymark-rundir-'));
    dirs.push(dataDir);
    mkdirSync(join(dataDir, 'run'), { recursive: true });
    return dataDir;
  }

  it('stops a leftover supervised process, says so, and clears its pid file', async () => {
    const dataDir = runDir();
    const child = leftover();
    children.push(child);
    await new Promise((r) => child.once('spawn', r));
    writeFileSync(join(dataDir, 'run', 'api.pid'), String(child.pid));
    const warned: string[] = [];
    const log = { info: () => {}, warn: (m: string) => warned.push(m), error: () => {} };
    await takeOverRunDir(dataDir, log);
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
    expect(alive(child.pid!)).toBe(false);
    expect(warned.join('\n')).toMatch(new RegExp(`stopped api \\(pid ${child.pid}\\), left running by an npm start`));
    expect(existsSync(join(dataDir, 'run', 'api.pid'))).toBe(false);
  });

  it('leaves alone a pid file that names a process that is not one of Waymark’s', async () => {
    const dataDir = runDir();
    const stranger = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    children.push(stranger);
    await new Promise((r) => stranger.once('spawn', r));
    writeFileSync(join(dataDir, 'run', 'ferretdb.pid'), String(stranger.pid));
    const warned: string[] = [];
    await takeOverRunDir(dataDir, { info: () => {}, warn: (m: string) => warned.push(m), error: () => {} });
    expect(alive(stranger.pid!)).toBe(true);
    expect(warned).toEqual([]);
  });

  it('refuses while the npm start named in waymark.pid is alive', async () => {
    const dataDir = runDir();
    const running = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'cli/start.ts'], { stdio: 'ignore' });
    children.push(running);
    await new Promise((r) => running.once('spawn', r));
    writeFileSync(join(dataDir, 'run', 'waymark.pid'), String(running.pid));
    await expect(takeOverRunDir(dataDir, { info: () => {}, warn: () => {}, error: () => {} })).rejects.toThrow(/already runs on .* stop it first/);
  });
});
