import type { Db } from 'mongodb';
import type { RunRecord } from '../journey/run.ts';

/**
 * Report rollups: counters kept up to date as things happen, so a report reads O(rows shown)
 * rather than the collection. One document per journey (`journey:<journeyId>`) holds, per step,
 * how many runs (customers' latest entries) visited it, wait there now, and converted after
 * visiting it. `recordRun` applies the difference each run write makes (the run before and after
 * the write: a retried or replayed write changes nothing and adds nothing). A process dying
 * between the run write and the counter write leaves a counter one off; `recountSteps` rebuilds
 * a journey's counters from its runs (the daily lifecycle run does it for every journey with runs;
 * a journey without a rollup yet is recounted on first read).
 */

export interface StepCount {
  nodeId: string;
  entered: number;
  waiting: number;
  converted: number;
}

interface RollupDocument {
  _id: string;
  /** Per step id (ids are `[A-Za-z0-9_-]`: safe as field names). */
  steps: Record<string, { entered?: number; waiting?: number; converted?: number }>;
  /** Set by a recount: the counters cover every run, not only those written since. */
  complete?: boolean;
  recountedAt?: string;
}

type RunState = Pick<RunRecord, 'status' | 'nodeId' | 'visited'>;

/** What the counters read of a run record (`journeyRuns`, written by `store/runs.ts`). */
type RunCounted = RunState & { _id: string; journeyId: string };

const name = 'rollups';

function rollups(db: Db) {
  return db.collection<RollupDocument>(name);
}

const journeyKey = (journeyId: string) => `journey:${journeyId}`;

/** What one run adds to its journey's step counters. */
function contribution(run: RunState | null): Map<string, number> {
  const out = new Map<string, number>();
  if (run === null) return out;
  const add = (key: string) => out.set(key, (out.get(key) ?? 0) + 1);
  const visited = new Set(run.visited);
  for (const node of visited) add(`${node}.entered`);
  if (run.status === 'running' && run.nodeId) add(`${run.nodeId}.waiting`);
  if (run.status === 'converted') for (const node of visited) add(`${node}.converted`);
  return out;
}

/** The counter changes a run write makes (`steps.<node>.<counter>` → ±n), none when nothing changed. */
export function stepDelta(before: RunState | null, after: RunState | null): Record<string, number> {
  const delta = new Map<string, number>();
  for (const [key, n] of contribution(after)) delta.set(key, n);
  for (const [key, n] of contribution(before)) delta.set(key, (delta.get(key) ?? 0) - n);
  return Object.fromEntries([...delta].filter(([, n]) => n !== 0).map(([key, n]) => [`steps.${key}`, n]));
}

/** Applies a run write's difference to its journey's counters (nothing when there is none). */
export async function applyRunChange(db: Db, journeyId: string, before: RunState | null, after: RunState | null): Promise<void> {
  await applyRunChanges(db, journeyId, [{ before, after }]);
}

/** Applies the differences of many run writes of one journey (a campaign page's) in one update. */
export async function applyRunChanges(db: Db, journeyId: string, changes: ReadonlyArray<{ before: RunState | null; after: RunState | null }>): Promise<void> {
  const $inc: Record<string, number> = {};
  for (const { before, after } of changes) for (const [key, n] of Object.entries(stepDelta(before, after))) $inc[key] = ($inc[key] ?? 0) + n;
  for (const key of Object.keys($inc)) if ($inc[key] === 0) delete $inc[key];
  if (Object.keys($inc).length === 0) return;
  await rollups(db).updateOne({ _id: journeyKey(journeyId) }, { $inc }, { upsert: true });
}

/** Rebuilds a journey's step counters from its runs (one read of the journey's runs). */
export async function recountSteps(db: Db, journeyId: string, now: Date = new Date()): Promise<StepCount[]> {
  const totals = new Map<string, number>();
  const runs = db.collection<RunCounted>('journeyRuns').find({ journeyId }, { projection: { status: 1, nodeId: 1, visited: 1 }, batchSize: 5_000 });
  for await (const run of runs) for (const [key, n] of contribution(run)) totals.set(key, (totals.get(key) ?? 0) + n);
  const steps: RollupDocument['steps'] = {};
  for (const [key, n] of totals) {
    const [node = '', counter = ''] = key.split('.');
    (steps[node] ??= {})[counter as 'entered'] = n;
  }
  await rollups(db).replaceOne({ _id: journeyKey(journeyId) }, { steps, complete: true, recountedAt: now.toISOString() }, { upsert: true });
  return toCounts(steps);
}

function toCounts(steps: RollupDocument['steps']): StepCount[] {
  return Object.entries(steps)
    .map(([nodeId, c]) => ({ nodeId, entered: c.entered ?? 0, waiting: c.waiting ?? 0, converted: c.converted ?? 0 }))
    .filter((c) => c.entered > 0 || c.waiting > 0 || c.converted > 0)
    .sort((a, b) => a.nodeId.localeCompare(b.nodeId));
}

/** Per-step counts of a journey from its rollup (one document read); recounted once if it has none. */
export async function stepCounts(db: Db, journeyId: string): Promise<StepCount[]> {
  const doc = await rollups(db).findOne({ _id: journeyKey(journeyId) });
  if (doc?.complete !== true) return recountSteps(db, journeyId);
  return toCounts(doc.steps);
}

/** Recounts every journey that has runs (the daily repair of counters a crash left one off). */
export async function recountAllSteps(db: Db, now: Date = new Date()): Promise<number> {
  const journeyIds = (await db.collection<RunCounted>('journeyRuns').distinct('journeyId')).filter((id): id is string => typeof id === 'string');
  for (const journeyId of journeyIds) await recountSteps(db, journeyId, now);
  return journeyIds.length;
}
