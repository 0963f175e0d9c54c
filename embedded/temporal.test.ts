import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from './process.ts';
import { startTemporalDevServer, temporalNice } from './temporal.ts';

/** The niceness of every thread of `pid` (field 19 of /proc/<pid>/task/<tid>/stat). */
function threadNiceness(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

describe.runIf(existsSync('/proc/self/task'))('the embedded Temporal dev server', () => {
  it('answers at a lower CPU priority than Waymark’s own processes, on every thread', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'waymark-temporal-'));
    const server = await startTemporalDevServer({ port: await freePort(), logFile: join(dir, 'temporal.log') });
    try {
      const pid = server.child.pid ?? 0;
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain('start-dev');
      const niceness = threadNiceness(pid);
      expect(niceness.length).toBeGreaterThan(1);
      expect(new Set(niceness)).toEqual(new Set([temporalNice]));
      expect(threadNiceness(process.pid)).not.toContain(temporalNice);
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs at everyone’s priority when asked to', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'waymark-temporal-'));
    const server = await startTemporalDevServer({ port: await freePort(), nice: 0, logFile: join(dir, 'temporal.log') });
    try {
      expect(new Set(threadNiceness(server.child.pid ?? 0))).toEqual(new Set([0]));
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
