// Case 9 — history import: a shop's event history (bench/history.ts: orders over two years, a
// signed_up for most customers, some survey answers; NDJSON in time order) imported into Waymark
// with the built-in journeys published, timed as a whole — `npm run -s waymark -- import-events
// FILE` under /usr/bin/time -v (its peak RSS), while the API's peak RSS is watched — against a bare
// process inserting the same file's documents with insertMany, 1,000 at a time, into a fresh
// collection. Without the `import-events` command (older trees) the file is posted in batches of
// 1,000 through `POST /v1/events?wait=true`, two in flight, and the row says so.
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { runsCollection } from '../../store/runs.ts';
import { startNode, track } from '../child.ts';
import type { BenchContext } from '../context.ts';
import type { BenchRow } from '../core.ts';
import { writeHistory } from '../history.ts';
import { publishBuiltinJourneys } from '../known.ts';
import { keyRing, postText, unfinishedIn } from '../post.ts';
import { note, perSecond, round, sleep, watchPeakRss } from '../stats.ts';

const BareReport = z.object({ type: z.literal('bare-import'), inserted: z.number(), ms: z.number(), maxRssKiB: z.number() });

const batchSize = 1000;
const lanes = 2;
const fullSize = { events: 1_000_000, customers: 100_000 };

interface Imported {
  events: number;
  ms: number;
  complete: boolean;
  unfinished: number;
  limited: number;
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Does this tree's CLI have `import-events` (the streamed history import)? */
function hasImportCommand(): boolean {
  const cli = join(repoRoot, 'cli', 'waymark.ts');
  return existsSync(cli) && readFileSync(cli, 'utf8').includes("'import-events'");
}

/** What the import command printed (`--json`: the API's EventImportReport), the parts read here. */
const ImportReport = z.object({
  accepted: z.number(),
  duplicates: z.number(),
  rejected: z.number(),
  unfinished: z.number(),
  recompute: z.object({ customers: z.number(), updated: z.number(), events: z.number(), started: z.number(), signalled: z.number() }).nullable(),
});
type ImportReport = z.infer<typeof ImportReport>;

/**
 * Runs `npm run -s waymark -- import-events FILE --json` against the bench API, under
 * /usr/bin/time -v when there is one (for the command's peak RSS). Stopped after `timeoutMs`.
 */
async function importWithCli(url: string, key: string, file: string, logFile: string, timeoutMs: number): Promise<{ ms: number; report: ImportReport; maxRssMiB: number | null }> {
  const timed = existsSync('/usr/bin/time');
  const command = ['npm', 'run', '-s', 'waymark', '--', 'import-events', file, '--url', url, '--key', key, '--json'];
  const t0 = performance.now();
  const child = spawn(timed ? '/usr/bin/time' : (command[0] ?? 'npm'), timed ? ['-v', ...command] : command.slice(1), { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (err = (err + chunk.toString('utf8')).slice(-20_000)));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  const ms = performance.now() - t0;
  const { writeFile } = await import('node:fs/promises');
  await writeFile(logFile, `${out}\n${err}`);
  const line = out.trim().split('\n').at(-1) ?? '';
  let report: ImportReport;
  try {
    report = ImportReport.parse(JSON.parse(line));
  } catch {
    throw new Error(`the import command exited with ${code ?? 'a signal (over its time budget?)'} without a report; see ${logFile}`);
  }
  const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(err)?.[1];
  return { ms, report, maxRssMiB: kb === undefined ? null : Number(kb) / 1024 };
}

/** Posts the file's lines in batches of 1,000 with ?wait=true, `lanes` in flight, until done or `budgetMs` passed. */
async function importInBatches(url: string, file: string, nextKey: () => string, budgetMs: number): Promise<Imported> {
  const result: Imported = { events: 0, ms: 0, complete: true, unfinished: 0, limited: 0 };
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | null = null;
  const t0 = performance.now();
  const send = (lines: string[]) => {
    const tracked = postText(url, `{"events":[${lines.join(',')}]}`, nextKey())
      .then((reply) => {
        if (reply.status !== 202) throw new Error(`POST /v1/events answered ${reply.status}: ${JSON.stringify(reply.body).slice(0, 300)}`);
        result.events += lines.length;
        result.unfinished += unfinishedIn(reply.body);
        result.limited += reply.limited;
      })
      .catch((error: unknown) => {
        failure ??= { error };
      });
    inFlight.add(tracked);
    void tracked.finally(() => inFlight.delete(tracked));
  };
  let lines: string[] = [];
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (line === '') continue;
    lines.push(line);
    if (lines.length < batchSize) continue;
    if (performance.now() - t0 > budgetMs) {
      result.complete = false;
      lines = [];
      break;
    }
    send(lines);
    lines = [];
    while (inFlight.size >= lanes) await Promise.race(inFlight);
    if (failure !== null) break;
  }
  if (lines.length > 0 && failure === null) send(lines);
  await Promise.all(inFlight);
  if (failure !== null) throw (failure as { error: unknown }).error;
  result.ms = performance.now() - t0;
  return result;
}

/** The bare baseline in its own process (bench/procs/bare-import.ts): the first `limit` events of `file`. */
async function bareImport(ctx: BenchContext, file: string, limit: number): Promise<{ inserted: number; ms: number; maxRssMiB: number }> {
  const collection = `bare_import_${Date.now().toString(36)}`;
  const child = await startNode({
    name: 'bare import',
    entry: fileURLToPath(new URL('../procs/bare-import.ts', import.meta.url)),
    env: { MONGODB_URL: ctx.services.endpoints.mongo.url, MONGODB_DB: ctx.app.db.databaseName, BENCH_FILE: file, BENCH_LIMIT: String(limit), BENCH_COLLECTION: collection },
    logFile: join(ctx.services.dataDir, 'bare-import.log'),
    ready: null,
    ipc: true,
  });
  try {
    const report = await new Promise<{ inserted: number; ms: number; maxRssKiB: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the bare import took over 20 minutes')), 20 * 60_000);
      child.child.on('message', (message: unknown) => {
        const parsed = BareReport.safeParse(message);
        if (parsed.success) {
          clearTimeout(timer);
          resolve(parsed.data);
        }
      });
      child.child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the bare import exited with ${code}; see bare-import.log`));
      });
    });
    return { inserted: report.inserted, ms: report.ms, maxRssMiB: report.maxRssKiB / 1024 };
  } finally {
    await child.stop();
    await ctx.app.db.collection(collection).drop().catch(() => undefined);
  }
}

/** Journey runs on record, by journey (a projection of every run record: fine at bench sizes). */
async function runCounts(ctx: BenchContext): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for await (const run of runsCollection(ctx.app.db).find({}, { projection: { journeyId: 1 } })) counts.set(run.journeyId, (counts.get(run.journeyId) ?? 0) + 1);
  return counts;
}

/** Runs recorded since `before`, by journey, once the count stopped growing for 2 s (at most 30 s). */
async function runsStartedSince(ctx: BenchContext, before: Map<string, number>): Promise<Map<string, number>> {
  const diff = (now: Map<string, number>) => new Map([...now].map(([id, n]) => [id, n - (before.get(id) ?? 0)] as const).filter(([, n]) => n > 0));
  const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  let last = -1;
  let current = diff(await runCounts(ctx));
  for (let i = 0; i < 15 && total(current) !== last; i++) {
    last = total(current);
    await sleep(2_000);
    current = diff(await runCounts(ctx));
  }
  return current;
}

export async function benchImport(ctx: BenchContext): Promise<BenchRow[]> {
  const { app, services, sizes } = ctx;
  await publishBuiltinJourneys(app.db);
  await sleep(2_200); // the API's pipeline reads the journeys again
  const size = { events: sizes.importEvents, customers: sizes.importCustomers };
  const file = join(services.dataDir, 'history.ndjson');
  const t0 = performance.now();
  const history = await writeHistory(file, size);
  note(`import: wrote ${size.events.toLocaleString('en')} events (${history.orders} orders, ${history.signups} signed_up, ${history.surveys} survey answers) for ${size.customers.toLocaleString('en')} customers, ${round((await stat(file)).size / 2 ** 20)} MiB, in ${round((performance.now() - t0) / 1000)} s`);
  const nextKey = keyRing(await Promise.all(Array.from({ length: 8 }, () => app.newKey('ingest'))));
  const runsBefore = await runCounts(ctx);
  const watch = await watchPeakRss(app.api.pid);
  const useCli = hasImportCommand();
  let imported: Imported;
  let cli: { report: ImportReport; maxRssMiB: number | null } | null = null;
  if (useCli) {
    const run = await importWithCli(app.url, nextKey(), file, join(services.dataDir, 'import-events.log'), sizes.importBudgetMs);
    cli = run;
    imported = { events: run.report.accepted + run.report.duplicates, ms: run.ms, complete: true, unfinished: run.report.unfinished, limited: 0 };
  } else {
    imported = await importInBatches(`${app.url}/v1/events?wait=true`, file, nextKey, sizes.importBudgetMs);
  }
  const api = await watch.stop();
  note(`import: ${imported.events} events in ${round(imported.ms / 1000)} s${cli ? ` (import-events: ${JSON.stringify(cli.report)}, peak RSS ${cli.maxRssMiB === null ? '?' : round(cli.maxRssMiB)} MiB)` : ''}; API RSS ${round(api.startMiB)} → peak ${round(api.peakMiB)} MiB`);
  const started = await runsStartedSince(ctx, runsBefore);
  const bare = await bareImport(ctx, file, imported.events);
  note(`import: bare insertMany of ${bare.inserted} events in ${round(bare.ms / 1000)} s, peak RSS ${round(bare.maxRssMiB)} MiB`);

  const rate = perSecond(imported.events, imported.ms);
  const what = `history import of ${size.events.toLocaleString('en')} events for ${size.customers.toLocaleString('en')} customers (NDJSON, 2 years, in time order)`;
  const reduced = size.events < fullSize.events ? `; run at this size to fit the suite's time: ${fullSize.events.toLocaleString('en')} would take about ${Math.round(fullSize.events / rate / 60)} min at this rate` : '';
  const partial = imported.complete ? '' : `; only ${imported.events.toLocaleString('en')} imported in the ${sizes.importBudgetMs / 1000} s budget (the baseline inserted as many)`;
  const report = cli?.report;
  const flags = [
    report !== undefined && report.rejected > 0 ? `${report.rejected} lines rejected` : '',
    report !== undefined && report.duplicates > 0 ? `${report.duplicates} duplicates` : '',
    imported.unfinished > 0 ? `${imported.unfinished} with a stage left undone` : '',
    imported.limited > 0 ? `${imported.limited}×429 retried` : '',
  ].filter(Boolean);
  const how = useCli
    ? 'the whole `npm run -s waymark -- import-events FILE` (POST /v1/events/import, then its lifecycle recompute)'
    : `batches of ${batchSize} through POST /v1/events?wait=true, ${lanes} in flight (no import-events command in this tree)`;
  const startedTotal = [...started.values()].reduce((a, b) => a + b, 0);
  const byJourney = startedTotal === 0 ? 'none' : [...started].map(([journeyId, n]) => `${journeyId} ${n}`).join(', ');
  const recompute = report?.recompute;
  return [
    {
      case: `import: ${what}, wall time of ${how}, ${round(rate)} events/s${partial}${reduced}${flags.length > 0 ? ` [${flags.join('; ')}]` : ''} (baseline: insertMany of the same documents, ${batchSize} at a time, into a fresh collection)`,
      value: round(imported.ms / 1000),
      unit: 's',
      baseline: round(bare.ms / 1000),
    },
    {
      case: `import: peak RSS of the API process during the import (${round(api.startMiB)} MiB before) (baseline: peak RSS of the bare insertMany process)`,
      value: round(api.peakMiB),
      unit: 'MiB',
      baseline: round(bare.maxRssMiB),
    },
    ...(cli?.maxRssMiB === null || cli === null
      ? []
      : [{ case: 'import: peak RSS of the import command (largest process of npm run waymark, /usr/bin/time -v) (baseline: the bare insertMany process)', value: round(cli.maxRssMiB), unit: 'MiB', baseline: round(bare.maxRssMiB) }]),
    {
      case: recompute
        ? `import: journey runs the end-of-import recompute started (${recompute.signalled} runs signalled; ${recompute.customers.toLocaleString('en')} customers scored, ${recompute.events.toLocaleString('en')} change events; run records written within 30 s: ${byJourney})`
        : `import: journey runs the import started (run records written within 30 s: ${byJourney})`,
      value: recompute ? recompute.started : startedTotal,
      unit: 'runs',
    },
  ];
}
