// `npm start` end to end: the embedded default comes up on loopback, /v1/health turns 200,
// SIGTERM stops every child, and a restart keeps the data.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isListening } from '../embedded/process.ts';
import { adminKeyOf, health, killLeftovers, startWaymark, stopWaymark, until } from '../test/fixtures/npm-start.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'waymark-start-'));

/** Listening sockets (address:port) of processes other than this test's, from `ss`. */
function listeners(): string[] {
  return execFileSync('ss', ['-Hltn'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[3] ?? '')
    .filter(Boolean);
}

/** The `ss` lines (with process) of the sockets listening on `ports`. */
function holders(ports: readonly number[]): string {
  const wanted = new Set(ports.map(String));
  return execFileSync('ss', ['-Hltnp'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => wanted.has((line.trim().split(/\s+/)[3] ?? '').split(':').pop() ?? ''))
    .join('\n');
}

/** The pids of the supervised processes named in the data directory's run folder. */
function childPids(dir: string): number[] {
  const run = join(dir, 'run');
  return readdirSync(run)
    .filter((n) => n.endsWith('.pid') && n !== 'waymark.pid')
    .map((n) => Number(readFileSync(join(run, n), 'utf8').trim()))
    .filter((pid) => Number.isInteger(pid) && pid > 0);
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm start', () => {
  afterAll(() => {
    killLeftovers(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('brings /v1/health to 200 on loopback, stops everything on SIGTERM and keeps data across restarts', async () => {
    const first = await startWaymark(dataDir);
    const ready = await until('health 200', async () => {
      const h = await health(first.base);
      return h?.status === 200 ? h : null;
    }, first);
    expect(ready.body).toMatchObject({ ok: true, services: { temporal: { ok: true }, mongodb: { ok: true }, smtp: { ok: true }, sms: { ok: true } } });
    // It printed where everything is.
    for (const port of Object.values(first.ports)) expect(first.output()).toContain(String(port));
    // Every port it opened is bound to loopback only.
    const ours = new Set(Object.values(first.ports).map(String));
    const exposed = listeners().filter((l) => ours.has(l.split(':').pop() ?? '') && !l.startsWith('127.0.0.1:') && !l.startsWith('[::ffff:127.0.0.1]:'));
    expect(exposed).toEqual([]);
    // Temporal's store logs ahead (embedded/temporal.ts): half the cost of a start, and a backup's read does not block it.
    expect(execFileSync('sqlite3', [join(dataDir, 'temporal.sqlite'), 'PRAGMA journal_mode'], { encoding: 'utf8' }).trim()).toBe('wal');

    // Data written now must survive a restart.
    const adminKey = adminKeyOf(first);
    const created = await fetch(`${first.base}/v1/customers/restart-check`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'restart@example.test' }),
    });
    expect(created.status).toBeLessThan(300);

    expect(await stopWaymark(first.child)).toBe(0);
    for (const port of Object.values(first.ports)) expect(await isListening(port)).toBe(false);

    const second = await startWaymark(dataDir, { ports: first.ports });
    let leftBehind: number[] = [];
    try {
      await until('health 200 after restart', async () => (await health(second.base))?.status === 200, second);
      const res = await fetch(`${second.base}/v1/customers/restart-check`, { headers: { authorization: `Bearer ${adminKey}` } });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ email: 'restart@example.test' });
      // A second npm start on the same data directory is refused while this one runs.
      const twin = await startWaymark(dataDir);
      await new Promise((r) => twin.child.once('exit', r));
      expect(twin.child.exitCode).toBe(1);
      expect(twin.output()).toMatch(/Waymark already runs on .* stop it first/);
    } finally {
      // npm start itself killed (its children are left running, until one of them writes to
      // the log pipe nobody reads any more) …
      leftBehind = childPids(dataDir);
      process.kill(Number(readFileSync(join(dataDir, 'run', 'waymark.pid'), 'utf8')), 'SIGKILL');
      await new Promise((r) => second.child.once('exit', r));
    }

    // … the next one on that data directory stops them and starts on the same ports.
    const third = await startWaymark(dataDir, { ports: first.ports });
    try {
      await until('health 200 after npm start was killed', async () => (await health(third.base))?.status === 200, third);
      // Whatever of the killed start was still running is stopped; none of it survives.
      expect(leftBehind.length).toBeGreaterThan(0);
      for (const pid of leftBehind) expect(alive(pid), `pid ${pid} of the killed npm start`).toBe(false);
      for (const line of third.output().match(/stopped \w+ \(pid \d+\), left running by an npm start/g) ?? []) {
        expect(leftBehind).toContain(Number(/pid (\d+)/.exec(line)![1]));
      }
    } finally {
      // Its output says why, should it not stop cleanly (or not have come up at all), and who
      // holds the ports then.
      const code = await stopWaymark(third.child);
      expect(code, `${third.output().slice(-4000)}\nlisteners on its ports:\n${code === 0 ? '' : holders(Object.values(first.ports))}`).toBe(0);
    }
  }, 300_000);
});
