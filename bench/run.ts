/**
 * `npm run bench [-- --quick] [-- --only=latency,launch] [-- --cpu-prof] [-- --trace-db]`: runs the benchmark
 * suites (core, lookups, latency, launch, throughput, winback, ingest, waiting, pipeline, import, lifecycle, reports; `--only`
 * picks some, also written `--only pipeline,import`), prints a table and writes the rows as JSON
 * to bench/results/<timestamp>.json (git-ignored). Service cases start their own Temporal dev server, FerretDB, SMTP sink and SMS
 * sandbox on free 127.0.0.1 ports and stop them at the end; every case runs its bare baseline
 * in the same run, and the table shows the ratio (only ratios compare on a noisy machine).
 * `--cpu-prof` writes V8 CPU profiles of the Waymark worker and API to bench/results/profiles/
 * (read them with bench/profile-summary.ts); `--trace-db` writes there the time each of them
 * spent per MongoDB command and collection. `BENCH_WINBACK_CUSTOMERS=3000` sets the win-back's
 * audience (a profile at scale in two minutes instead of the full 10,000). Exits 1 when a case could not run (an error, over its
 * time budget); goals not met are results, listed after the table.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { startBenchApp } from './app.ts';
import { startBareWorker } from './bare.ts';
import { benchWinBack } from './cases/campaign.ts';
import { benchImport } from './cases/import.ts';
import { benchIngest } from './cases/ingest.ts';
import { benchLatency } from './cases/latency.ts';
import { benchLaunch } from './cases/launch.ts';
import { benchPipeline } from './cases/pipeline.ts';
import { benchThroughput } from './cases/throughput.ts';
import { benchStepHistory, memoryRows } from './cases/waiting.ts';
import { killAllSync, startNode } from './child.ts';
import type { BenchContext } from './context.ts';
import { snapshotMemory } from './context.ts';
import { benchCore } from './core.ts';
import { benchLookups } from './cases/lookups.ts';
import { benchReports } from './cases/reports.ts';
import type { BenchRow } from './core.ts';
import { startBenchServices } from './services.ts';
import { sizesFor } from './sizes.ts';
import { cpuOf, cpuSince, formatRatio } from './stats.ts';
import type { BenchServices } from './services.ts';

type Row = BenchRow & { suite: string; ratio?: number };

/** A row from another suite's process (bench/lifecycle.ts states its goal as a number). */
const ForeignRow = z.object({
  case: z.string(),
  value: z.number(),
  unit: z.string(),
  baseline: z.number().optional(),
  goal: z.union([z.number(), z.string()]).optional(),
  ok: z.boolean().optional(),
});
type ForeignRow = z.infer<typeof ForeignRow>;

const args = process.argv.slice(2);
const quick = args.includes('--quick');
// `--only=pipeline,import` or `--only pipeline,import`: the suites to run (core, latency, launch,
// throughput, ingest, waiting, pipeline, import, lifecycle).
const onlyArg = args.find((a) => a.startsWith('--only='))?.slice('--only='.length) ?? (args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined);
const only = onlyArg?.split(',');
const profile = args.includes('--cpu-prof');
const traceDb = args.includes('--trace-db');
const selected = (suite: string) => only === undefined || only.includes(suite);
const sizes = sizesFor(quick);
const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));

function table(rows: readonly Row[]): string {
  const header = ['suite', 'case', 'value', 'baseline', 'ratio', 'goal', 'ok'];
  const body = rows.map((r) => [
    r.suite,
    r.case,
    `${r.value} ${r.unit}`,
    r.baseline === undefined ? '' : `${r.baseline} ${r.unit}`,
    r.ratio === undefined ? '' : formatRatio(r.ratio),
    r.goal ?? '',
    r.ok === undefined ? '' : r.ok ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** The machine, for the JSON and the README's performance section. */
function machine() {
  const model = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown';
  let nproc = String(cpus().length);
  try {
    nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
  } catch {
    // keep os.cpus()
  }
  return { cpu: model, nproc: Number(nproc), memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, load: readFileSync('/proc/loadavg', 'utf8').trim() };
}

const rows: Row[] = [];
const started = Date.now();

/**
 * Runs one case; a failure becomes a row (so one broken case does not hide the others). With
 * `pids`, a last row says how much CPU each of those processes used during the case.
 */
async function runCase(suite: string, run: () => Promise<Array<BenchRow | ForeignRow>>, pids?: Record<string, number>): Promise<void> {
  if (!selected(suite)) return;
  const t0 = Date.now();
  process.stderr.write(`bench: ${suite} …\n`);
  const cpuBefore = pids ? await cpuOf(pids) : {};
  try {
    for (const row of await run()) {
      const { goal, ...rest } = row;
      const ratio = rest.baseline !== undefined && rest.baseline > 0 ? rest.value / rest.baseline : undefined;
      rows.push({ suite, ...rest, ...(goal === undefined ? {} : { goal: String(goal) }), ...(ratio === undefined ? {} : { ratio: Number(ratio.toPrecision(3)) }) });
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`bench: ${suite} failed: ${error instanceof Error ? error.stack : message}\n`);
    rows.push({ suite, case: `FAILED: ${message.slice(0, 200)}`, value: 0, unit: '', ok: false });
  }
  if (pids) {
    const used = await cpuSince(pids, cpuBefore);
    const wall = (Date.now() - t0) / 1000;
    rows.push({ suite, case: `CPU used during the case: ${used} (value: wall time)`, value: Math.round(wall * 10) / 10, unit: 's' });
  }
  process.stderr.write(`bench: ${suite} done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}

/** The steps a stopped lifecycle benchmark finished, and the one it was in, from its log (`lifecycle: X took N s`). */
function lifecycleReached(logFile: string): string {
  const lines = readFileSync(logFile, 'utf8').split('\n');
  const took = lines.flatMap((line) => /^lifecycle: (.+) took ([\d.]+) s$/.exec(line)?.slice(1, 3) ?? []);
  const done = Array.from({ length: took.length / 2 }, (_, i) => `${took[2 * i] ?? ''} ${took[2 * i + 1] ?? ''} s`);
  const current = lines.filter((line) => line.endsWith(' …')).at(-1)?.replace(/^lifecycle: /, '').replace(/ …$/, '');
  return `; took: ${done.join(', ') || 'nothing finished'}${current === undefined ? '' : `; stopped during: ${current}`}`;
}

/**
 * Case 7 (bench/lifecycle.ts) in a child process, stopped if it runs over `budgetMs`: its data
 * generation and recompute on FerretDB are the slowest part of the run.
 */
async function lifecycleWithin(services: BenchServices, budgetMs: number): Promise<ForeignRow[]> {
  const logFile = join(services.dataDir, 'lifecycle.log');
  const child = await startNode({
    name: 'lifecycle benchmark',
    entry: fileURLToPath(new URL('./procs/lifecycle.ts', import.meta.url)),
    env: { MONGODB_URL: services.endpoints.mongo.url, BENCH_QUICK: quick ? '1' : '0' },
    logFile,
    ready: null,
    ipc: true,
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void child.stop();
      reject(new Error(`over its time budget of ${budgetMs / 1000} s; stopped${lifecycleReached(logFile)}`));
    }, budgetMs);
    child.child.on('message', (message: unknown) => {
      const parsed = z.object({ rows: z.array(ForeignRow) }).safeParse(message);
      if (parsed.success) {
        clearTimeout(timer);
        resolve(parsed.data.rows);
      }
    });
    child.child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}; see its log`));
    });
  });
}

const appSuites = ['latency', 'launch', 'throughput', 'winback', 'ingest', 'waiting', 'pipeline', 'import'];
const serviceSuites = [...appSuites, 'lifecycle', 'lookups', 'reports'];

async function main(): Promise<void> {
  await runCase('core', () => benchCore({ quick }));
  if (!serviceSuites.some(selected)) return;
  const services = await startBenchServices();
  process.stderr.write(`bench: services up in ${services.dataDir}\n`);
  try {
    await runCase('lookups', () => benchLookups(services.endpoints.mongo.url, quick));
    if (appSuites.some(selected)) await runApp(services);
    await runCase('lifecycle', () => lifecycleWithin(services, sizes.lifecycleBudgetMs));
    await runCase('reports', () => benchReports(services, quick));
  } finally {
    await services.stop();
  }
}

/** The cases that need Waymark running (and the bare worker beside it). */
async function runApp(services: BenchServices): Promise<void> {
  const profileDir = join(resultsDir, 'profiles');
  if (profile || traceDb) mkdirSync(profileDir, { recursive: true });
  const [app, bare] = await Promise.all([
    startBenchApp(services, { ...(profile ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profileDir] } : {}), ...(traceDb ? { traceDb: profileDir } : {}) }),
    startBareWorker(services),
  ]);
  try {
    const ctx: BenchContext = { quick, sizes, services, app, bare, emailBytes: 2500, liveCustomers: [], memory: [], bareHistory: {} };
    await snapshotMemory(ctx, 'idle', 0, 0);
    const pids = { worker: app.worker.pid, API: app.api.pid, 'bare worker': bare.child.pid, ...services.pids };
    await runCase('latency', () => benchLatency(ctx), pids);
    await runCase('launch', () => benchLaunch(ctx), pids);
    await runCase('throughput', () => benchThroughput(ctx), pids);
    await runCase('winback', () => benchWinBack(ctx), pids);
    await runCase('ingest', () => benchIngest(ctx), pids);
    await runCase('waiting', async () => [...memoryRows(ctx), ...(await benchStepHistory(ctx))]);
    // Last: they publish the built-in journeys (and 46 more) and a lifecycle base, and the import
    // adds a whole shop's history, which the cases above should not see.
    await runCase('pipeline', () => benchPipeline(ctx), pids);
    await runCase('import', () => benchImport(ctx), pids);
  } finally {
    await Promise.allSettled([app.stop(), bare.child.stop()]);
  }
}

// The whole run stops by itself: a stuck case cannot hold the machine.
const watchdog = setTimeout(
  () => {
    process.stderr.write('bench: watchdog: the run took too long; stopping everything\n');
    killAllSync();
    report(true);
    process.exit(2);
  },
  sizes.watchdogMs,
);
watchdog.unref();
process.on('exit', killAllSync);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAllSync();
    process.exit(130);
  });
}

/** Prints the table and writes the JSON; `incomplete` when the watchdog stopped the run. */
function report(incomplete: boolean): void {
  const info = machine();
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(`\nWaymark benchmarks${quick ? ' (--quick)' : ''}${incomplete ? ' (INCOMPLETE: stopped by the watchdog)' : ''}, ${new Date().toISOString()}, ${seconds} s`);
  console.log(`machine: ${info.cpu}, ${info.nproc} cores, ${info.memGiB} GiB, Node ${info.node}, load at end ${info.load}\n`);
  console.log(table(rows));
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ quick, incomplete, at: new Date().toISOString(), seconds, machine: info, rows }, null, 2)}\n`);
  console.log(`\nwrote ${file}`);
}

await main();
report(false);
// A case that could not run (an error, its time budget) fails the command; a missed goal is a
// result, listed here and in the table.
const missed = rows.filter((r) => r.ok === false && !r.case.startsWith('FAILED'));
if (missed.length > 0) console.log(`goals not met: ${missed.map((r) => (r.ratio === undefined ? r.suite : `${r.suite} (${formatRatio(r.ratio)})`)).join(', ')}`);
if (rows.some((r) => r.case.startsWith('FAILED'))) process.exitCode = 1;
