import type { Db, Document, Filter } from 'mongodb';
import type { LifecycleStage, RfmCell } from '../journey/customer.ts';

/**
 * Lifecycle rollup: how many customers there are, per stage, RFM cell, value tier and segment,
 * how their latest NPS and CSAT answers spread over the scores, the spend per RFM cell and how
 * many are in each churn-risk band per value tier (the dashboards' RFM grid and churn chart) — one document
 * (`rollups/lifecycle`), so the lifecycle overview and segment sizes read O(1) documents, not
 * every customer (FerretDB cannot push a filter on `computed.segments` down to SQLite).
 *
 * Every write that changes a counted field applies its difference, taken between the document
 * before the write and the same document with the update applied. A journey's update step and
 * an erasure get the document before from the write itself (`findOneAndUpdate` /
 * `findOneAndDelete`), so a retried write (which changes nothing) adds nothing, and two racing
 * writes each count their own change. The event pipeline's scoring takes it from the document
 * its batch read and writes in bulk (store/lifecycle.ts `commit`). Profiles
 * created count from their first write (`countCreated`). The lifecycle's full passes (daily
 * run, sweep, recompute) write in bulk and then set the counters from every customer as the pass
 * read and wrote them (`recountFrom`: the customers whose write missed are read again, no second
 * read of everyone), which also repairs a counter a crash left one off (a process dying between
 * a write and its counter update). A rollup without `complete` (never recounted) is recounted
 * from the collection on first read (`recountLifecycle`).
 *
 * The daily run also stores the stage counts of the day (`rollups/lifecycle:<YYYY-MM-DD>`),
 * the points of the 30-day stage trend.
 */

/** The profile fields the counters read (a projection of a customer document). */
export interface CountedProfile {
  computed?: {
    stage?: LifecycleStage;
    totalSpend?: number;
    churnRisk?: number;
    rfm?: { cell?: RfmCell };
    valueTier?: string;
    segments?: readonly string[];
    nps?: number;
  };
  lifecycle?: { nps?: number; csat?: number };
}

/** A filter on customers (by `_id`, with conditions on other fields). */
export type CustomerFilter = Filter<CountedProfile & { _id: string }>;

/** Document paths whose change moves a counter (a write touching none of them changes no count). */
const countedPaths = ['computed.stage', 'computed.rfm', 'computed.valueTier', 'computed.segments', 'computed.nps', 'computed.totalSpend', 'computed.churnRisk', 'lifecycle.nps', 'lifecycle.csat'] as const;

/** Projection of the counted fields (what a recount reads). */
export const countedProjection: Readonly<Record<(typeof countedPaths)[number], 1>> = Object.fromEntries(countedPaths.map((path) => [path, 1])) as Record<(typeof countedPaths)[number], 1>;

export interface LifecycleCounts {
  customers: number;
  stages: Partial<Record<LifecycleStage, number>>;
  rfmCells: Partial<Record<RfmCell, number>>;
  valueTiers: Partial<Record<string, number>>;
  segments: Partial<Record<string, number>>;
  /** Latest NPS answers per score 0–10. */
  nps: Partial<Record<string, number>>;
  /** Latest CSAT answers per score 1–5. */
  csat: Partial<Record<string, number>>;
  /** Total spend of the customers in each RFM cell, in cents (integers add up exactly). */
  rfmRevenue: Partial<Record<string, number>>;
  /** Customers per churn-risk band and value tier: `b<band>_<tier>`, bands of 0.1 from `b0` to `b9`, tier `unknown` without one. */
  churn: Partial<Record<string, number>>;
}

type CounterGroup = Exclude<keyof LifecycleCounts, 'customers'>;
const groups: readonly CounterGroup[] = ['stages', 'rfmCells', 'valueTiers', 'segments', 'nps', 'csat', 'rfmRevenue', 'churn'];

/** The churn-risk bands counted (equal bands from 0 to 1). */
export const churnBands = 10;

/**
 * What the counters count, by version: a rollup recounted by an older version lacks counters
 * added since, so it is recounted on its first read (2: RFM revenue and churn bands).
 */
const countsVersion = 2;

interface CountsDocument extends Partial<LifecycleCounts> {
  _id: string;
  complete?: boolean;
  version?: number;
  recountedAt?: string;
}

/** A day's stage counts (the daily run's snapshot). */
export interface StageSnapshot {
  day: string;
  at: string;
  customers: number;
  stages: Partial<Record<LifecycleStage, number>>;
}

const rollupId = 'lifecycle';
const snapshotId = (day: string) => `lifecycle:${day}`;

function rollups(db: Db) {
  return db.collection<CountsDocument>('rollups');
}

function customers(db: Db) {
  return db.collection<CountedProfile & { _id: string }>('customers');
}


/** NPS and CSAT scores are field names (`nps.s9`): a name starting with a digit reads as an array index. */
const scoreKey = (score: number) => `s${score}`;

/** What one profile adds to the counters (`group.key` → 1). */
function contribution(doc: CountedProfile | null): Map<string, number> {
  const out = new Map<string, number>();
  if (doc === null) return out;
  const add = (key: string, n = 1) => out.set(key, (out.get(key) ?? 0) + n);
  const c = doc.computed ?? {};
  add('customers');
  add(`stages.${c.stage ?? 'prospect'}`);
  if (c.rfm?.cell !== undefined) {
    add(`rfmCells.${c.rfm.cell}`);
    add(`rfmRevenue.${c.rfm.cell}`, Math.round((c.totalSpend ?? 0) * 100));
  }
  if (c.churnRisk !== undefined) add(`churn.b${Math.min(churnBands - 1, Math.max(0, Math.floor(c.churnRisk * churnBands)))}_${c.valueTier ?? 'unknown'}`);
  if (c.valueTier !== undefined) add(`valueTiers.${c.valueTier}`);
  for (const segment of new Set(c.segments ?? [])) add(`segments.${segment}`);
  const nps = doc.lifecycle?.nps ?? c.nps;
  if (nps !== undefined) add(`nps.${scoreKey(nps)}`);
  if (doc.lifecycle?.csat !== undefined) add(`csat.${scoreKey(doc.lifecycle.csat)}`);
  return out;
}

/** The counter changes of going from `before` to `after` (null: no profile); none when nothing counted changed. */
export function countDelta(before: CountedProfile | null, after: CountedProfile | null): Record<string, number> {
  const delta = new Map(contribution(after));
  for (const [key, n] of contribution(before)) delta.set(key, (delta.get(key) ?? 0) - n);
  return Object.fromEntries([...delta].filter(([, n]) => n !== 0));
}

function addInto(total: Record<string, number>, delta: Record<string, number>): void {
  for (const [key, n] of Object.entries(delta)) total[key] = (total[key] ?? 0) + n;
}

/** Applies the summed differences of many profile changes in one write. */
export async function applyCountChanges(db: Db, changes: ReadonlyArray<readonly [CountedProfile | null, CountedProfile | null]>): Promise<void> {
  const $inc: Record<string, number> = {};
  for (const [before, after] of changes) addInto($inc, countDelta(before, after));
  for (const [key, n] of Object.entries($inc)) if (n === 0) delete $inc[key];
  if (Object.keys($inc).length === 0) return;
  await rollups(db).updateOne({ _id: rollupId }, { $inc }, { upsert: true });
}

/** Counts profiles just inserted (each a new customer). */
export async function countCreated(db: Db, created: readonly CountedProfile[]): Promise<void> {
  await applyCountChanges(db, created.map((doc) => [null, doc] as const));
}

function setPath(doc: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let at = doc;
  for (const part of parts.slice(0, -1)) {
    const next = at[part];
    at = at[part] = typeof next === 'object' && next !== null ? { ...(next as Record<string, unknown>) } : {};
  }
  const last = parts.at(-1) ?? '';
  if (value === undefined) delete at[last];
  else at[last] = value;
}

/** The counted fields of `before` after an update's `$set` / `$unset` (the operators counted writes use). */
export function afterUpdate(before: CountedProfile, update: Document): CountedProfile {
  const doc: Record<string, unknown> = { ...before };
  for (const [path, value] of Object.entries((update['$set'] as Record<string, unknown> | undefined) ?? {})) setPath(doc, path, value);
  for (const path of Object.keys((update['$unset'] as Record<string, unknown> | undefined) ?? {})) setPath(doc, path, undefined);
  return doc as CountedProfile;
}

/**
 * Updates one customer with `$set` / `$unset` and counts what it changed: the write returns the
 * document before it (whole: FerretDB 1.24's `findAndModify` takes no projection). False when no
 * document matched `filter`.
 */
export async function updateCustomerCounted(db: Db, filter: CustomerFilter, update: Document): Promise<boolean> {
  const before = await customers(db).findOneAndUpdate(filter, update, { returnDocument: 'before' });
  if (before === null) return false;
  await applyCountChanges(db, [[before, afterUpdate(before, update)]]);
  return true;
}

/** Deletes a customer and uncounts them; false when there was none. */
export async function deleteCustomerCounted(db: Db, customerId: string): Promise<boolean> {
  const before = await customers(db).findOneAndDelete({ _id: customerId });
  if (before === null) return false;
  await applyCountChanges(db, [[before, null]]);
  return true;
}

function emptyCounts(): LifecycleCounts {
  return { customers: 0, stages: {}, rfmCells: {}, valueTiers: {}, segments: {}, nps: {}, csat: {}, rfmRevenue: {}, churn: {} };
}

function toCounts(doc: Partial<LifecycleCounts>): LifecycleCounts {
  const out = emptyCounts();
  out.customers = doc.customers ?? 0;
  for (const group of groups) {
    const into: Partial<Record<string, number>> = out[group];
    for (const [key, n] of Object.entries(doc[group] ?? {})) if (typeof n === 'number' && n > 0) into[key] = n;
  }
  return out;
}

/**
 * Rebuilds the counters from every customer (one read of the counted fields). Writes made
 * during the read and counted meanwhile may be off until the next recount.
 */
export async function recountLifecycle(db: Db, now: Date = new Date()): Promise<LifecycleCounts> {
  return recountFrom(db, customers(db).find({}, { projection: countedProjection, batchSize: 10_000 }), now);
}

/**
 * Sets the counters to those of `profiles`, the whole base as a pass over every customer has just
 * read and written it (`recountLifecycle` without a second read of everyone). Exact in the same
 * way: a change another writer counted while the pass ran, on a customer the pass had read
 * before it, may be off until the next recount.
 */
export async function recountFrom(db: Db, profiles: Iterable<CountedProfile> | AsyncIterable<CountedProfile>, now: Date): Promise<LifecycleCounts> {
  const totals: Record<string, number> = {};
  for await (const profile of profiles) addInto(totals, countDelta(null, profile));
  const nested: Record<string, unknown> = {};
  for (const [key, n] of Object.entries(totals)) setPath(nested, key, n);
  const counts = toCounts(nested as Partial<LifecycleCounts>);
  await rollups(db).replaceOne({ _id: rollupId }, { ...counts, complete: true, version: countsVersion, recountedAt: now.toISOString() }, { upsert: true });
  return counts;
}

/** The counters (one document read); recounted once if they were never recounted. */
export async function lifecycleCounts(db: Db): Promise<LifecycleCounts> {
  const doc = await rollups(db).findOne({ _id: rollupId });
  if (doc?.complete !== true || doc.version !== countsVersion) return recountLifecycle(db);
  return toCounts(doc);
}

/** Drops a deleted segment's counter. */
export async function forgetSegmentCount(db: Db, segmentId: string): Promise<void> {
  await rollups(db).updateOne({ _id: rollupId }, { $unset: { [`segments.${segmentId}`]: '' } });
}

const dayOf = (at: Date) => at.toISOString().slice(0, 10);

/** Stores today's stage counts (the daily run, after its recount); a second run the same day replaces them. */
export async function snapshotStages(db: Db, counts: LifecycleCounts, now: Date): Promise<void> {
  const day = dayOf(now);
  await db.collection<StageSnapshot & { _id: string }>('rollups').replaceOne({ _id: snapshotId(day) }, { day, at: now.toISOString(), customers: counts.customers, stages: counts.stages }, { upsert: true });
}

/**
 * The stage counts of each of the last `days` days up to `now` (oldest first): the daily
 * snapshots, today's from the live counters. Days without a snapshot (the daily run did not run)
 * are left out. Reads `days` documents by id.
 */
export async function stageTrend(db: Db, days: number, now: Date): Promise<StageSnapshot[]> {
  const today = dayOf(now);
  const ids = Array.from({ length: days - 1 }, (_, i) => snapshotId(dayOf(new Date(now.getTime() - (days - 1 - i) * 86_400_000))));
  const [stored, live] = await Promise.all([
    ids.length === 0 ? [] : db.collection<StageSnapshot & { _id: string }>('rollups').find({ _id: { $in: ids } }).toArray(),
    lifecycleCounts(db),
  ]);
  const past = stored.map(({ day, at, customers: count, stages }) => ({ day, at, customers: count, stages: toCounts({ stages }).stages })).sort((a, b) => a.day.localeCompare(b.day));
  return [...past, { day: today, at: now.toISOString(), customers: live.customers, stages: live.stages }];
}
