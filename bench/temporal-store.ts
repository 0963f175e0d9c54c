/**
 * `npx tsx bench/temporal-store.ts [--starts=3000] [--rounds=4]`: what a workflow start costs the
 * embedded Temporal dev server on its persistent SQLite store (`npm start`'s), with the rollback
 * journal (SQLite's default) against write-ahead logging (embedded/temporal.ts). Each mode gets
 * a fresh server and data directory; the rounds alternate between the two servers, so the
 * machine's noise weighs on both alike. A round starts `--starts` workflows, 16 at a time, each
 * asleep in a 7-day start delay (as a campaign's runs are), and measures the wall time and the
 * server's CPU (/proc). Only the ratios compare.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { freePort } from '../embedded/process.ts';
import { startTemporalDevServer } from '../embedded/temporal.ts';
import { cpuSeconds, inLanes, percentile, round } from './stats.ts';

const flag = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const starts = flag('starts', 3000);
const rounds = flag('rounds', 4);
const modes = ['delete', 'wal'] as const;

const servers = await Promise.all(
  modes.map(async (journalMode) => {
    const dataDir = mkdtempSync(join(tmpdir(), `temporal-store-${journalMode}-`));
    const server = await startTemporalDevServer({ port: await freePort(), dataDir, journalMode, logFile: join(dataDir, 'temporal.log') });
    const connection = await Connection.connect({ address: server.address });
    return { journalMode, dataDir, server, connection, client: new Client({ connection }), wall: [] as number[], cpu: [] as number[] };
  }),
);
try {
  for (let r = 1; r <= rounds; r += 1) {
    for (const s of servers) {
      const pid = s.server.child.pid ?? 0;
      const cpu0 = await cpuSeconds(pid);
      const t0 = performance.now();
      await inLanes(starts, 16, (i) => s.client.workflow.start('benchNothing', { taskQueue: 'bench-nobody', workflowId: `r${r}-${i}`, args: [], startDelay: '7 days' }).then(() => undefined));
      const wall = (performance.now() - t0) / 1000;
      const cpu = (await cpuSeconds(pid)) - cpu0;
      s.wall.push(wall);
      s.cpu.push(cpu);
      console.log(`round ${r}, journal_mode=${s.journalMode}: ${starts} starts in ${round(wall)} s, server CPU ${round(cpu)} s (${round((cpu * 1000) / starts, 2)} ms a start)`);
    }
  }
  const [rollback, wal] = servers;
  if (rollback !== undefined && wal !== undefined) {
    const median = (values: number[]) => percentile(values, 50);
    console.log(`\nmedian of ${rounds} rounds of ${starts} starts: rollback journal ${round(median(rollback.wall))} s wall, ${round(median(rollback.cpu))} s CPU; WAL ${round(median(wal.wall))} s wall, ${round(median(wal.cpu))} s CPU`);
    console.log(`WAL / rollback journal: wall ${round(median(wal.wall) / median(rollback.wall), 2)}×, server CPU ${round(median(wal.cpu) / median(rollback.cpu), 2)}×`);
  }
} finally {
  for (const s of servers) {
    await s.connection.close();
    await s.server.stop();
    rmSync(s.dataDir, { recursive: true, force: true });
  }
}
