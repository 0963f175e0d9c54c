import { randomUUID } from 'node:crypto';
import type { AnyBulkWriteOperation, Db } from 'mongodb';
import { compareArms, outcomeMetrics } from '../journey/lifecycle/outcomes.ts';
import type { OutcomeGoal, OutcomeMetrics, Rate } from '../journey/lifecycle/outcomes.ts';
import { HOLDOUT_ARM } from '../journey/nodes/split.ts';
import { DAY } from '../journey/time.ts';
import { insertManyNew, isDuplicateKeyError } from './documents.ts';
import { fillEntrants, journeyEntrants, resolveJourneyGoal, scanJourneyOutcomes, splitCache } from './outcomes.ts';
import type { EntrantRun, FilledEntrant, JourneyOutcomeReport, OutcomeOptions, OutcomeGoalUsed } from './outcomes.ts';
import { runsCollection } from './runs.ts';

/**
 * Outcome counters: a journey's outcome figures for its own goal and window (those of its latest
 * published version), kept as things happen so that `GET /v1/journeys/{id}/outcomes` without
 * `goalEvent` / `windowDays` reads two documents and one day of entries, not every entrant.
 *
 * Each run record (the latest entry of a customer) has an entry document (`outcomeEntries`, by
 * workflow id) holding what that entrant adds to the figures: entered, converted, lapsed at
 * entry and won back, returning and repeated, coupons issued and redeemed, revenue in cents, and
 * its arm at each split step it passed. These are computed from the customer's events and
 * coupons by the same reads and maths as the scan (`fillEntrants`, `outcomeMetrics`), so the
 * counters give the scan's figures. The journey's counters (`rollups/outcomes:<journeyId>`) are
 * the sums of its entry documents, and entries per day of entry, from which `windowOpen` is
 * taken (the days after the window's first day, plus that day's entries read by `day`).
 *
 * An entrant is recomputed when its run records a new entry or passes a split step
 * (`recordRun`), when an event of the customer is stored (`storeEvents`, retries included), when
 * a coupon is issued to them (`issueCoupon`), and removed with its run (erasure). A
 * recomputation that moves an entrant's figures writes the entry document with
 * `findOneAndUpdate` returning the one before and applies the difference, so a retried write
 * adds nothing. A process dying between the two
 * writes, or two recomputations racing with an event, can leave the counters off: the daily
 * run's recount (`recountAllOutcomes`) rebuilds them from the runs, and a journey whose counters
 * were never recounted, or were counted for another goal (a version published with a new goal),
 * is recounted on its next report.
 */

/** What one entrant adds (all integers, so sums are exact). */
const countKeys = ['entered', 'converted', 'lapsed', 'wonBack', 'returning', 'repeated', 'issued', 'redeemed', 'revenueCents'] as const;
type CountKey = (typeof countKeys)[number];
type Counts = Record<CountKey, number>;

/** The stored figures of one entrant (`outcomeEntries`). */
interface EntryDocument {
  _id: string;
  journeyId: string;
  customerId: string;
  enteredAt: string;
  /** `<journeyId>|<YYYY-MM-DD>` of entry: finds a day's entries by equality (indexed). */
  day: string;
  /** The goal the figures are for (`goalKey`). */
  goal: string;
  counts: Counts;
  /** Split step id → arm. */
  arms: Record<string, string>;
  /** The last few bulk writes that wrote it (to tell which writes of a command took effect). */
  tokens?: string[];
}

interface OutcomeRollupDocument {
  _id: string;
  goal?: string;
  complete?: boolean;
  recountedAt?: string;
  /** The journey's sums. */
  m?: Partial<Counts>;
  /** Entries per day of entry. */
  days?: Record<string, number>;
  /** Per split step and arm, the arm's sums. */
  s?: Record<string, Record<string, Partial<Counts>>>;
}

const rollupKey = (journeyId: string) => `outcomes:${journeyId}`;

function rollups(db: Db) {
  return db.collection<OutcomeRollupDocument>('rollups');
}

/** The per-entrant documents behind the outcome counters. */
export function outcomeEntriesCollection(db: Db) {
  return db.collection<EntryDocument>('outcomeEntries');
}

/** Indexes of outcomeEntries (a day's entries for `windowOpen`; a journey's for its recount). */
export const outcomeEntryIndexes = [{ key: { day: 1 } }, { key: { journeyId: 1 } }] as const;

/** Which goal a set of counters is for. */
export const goalKey = (goal: OutcomeGoal): string => JSON.stringify([goal.eventType, goal.filter, goal.windowDays]);

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function entryDocument(journeyId: string, goal: OutcomeGoal, filled: FilledEntrant): EntryDocument {
  const m = outcomeMetrics([filled.entrant], goal);
  return {
    _id: filled.run._id,
    journeyId,
    customerId: filled.entrant.customerId,
    enteredAt: new Date(filled.entrant.enteredAt).toISOString(),
    day: `${journeyId}|${dayOf(filled.entrant.enteredAt)}`,
    goal: goalKey(goal),
    counts: {
      entered: 1,
      converted: m.converted,
      lapsed: m.winBack.of,
      wonBack: m.winBack.count,
      returning: m.repeatPurchase.of,
      repeated: m.repeatPurchase.count,
      issued: m.couponRedemption.of,
      redeemed: m.couponRedemption.count,
      revenueCents: Math.round(m.revenue * 100),
    },
    arms: Object.fromEntries(filled.arms),
  };
}

/** What one entry adds to its journey's counters (`$inc` path → n). */
function contribution(doc: Pick<EntryDocument, 'counts' | 'arms' | 'day'> | null, into: Map<string, number>, sign: 1 | -1): void {
  if (doc === null) return;
  const add = (key: string, n: number) => into.set(key, (into.get(key) ?? 0) + sign * n);
  for (const key of countKeys) {
    const n = doc.counts[key];
    if (n === 0) continue;
    add(`m.${key}`, n);
    for (const [nodeId, arm] of Object.entries(doc.arms)) add(`s.${nodeId}.${arm}.${key}`, n);
  }
  add(`days.${doc.day.slice(doc.day.lastIndexOf('|') + 1)}`, 1);
}

/** The counter changes of replacing `before` by `after` (either may be null), none when equal. */
export function outcomeDelta(before: EntryDocument | null, after: EntryDocument | null): Record<string, number> {
  const delta = new Map<string, number>();
  contribution(after, delta, 1);
  contribution(before, delta, -1);
  return Object.fromEntries([...delta].filter(([, n]) => n !== 0));
}

async function applyDelta(db: Db, journeyId: string, $inc: Record<string, number>): Promise<void> {
  if (Object.keys($inc).length === 0) return;
  await rollups(db).updateOne({ _id: rollupKey(journeyId) }, { $inc }, { upsert: true });
}

/** The stored figures of an entry, in a fixed order (to tell whether a recomputation changed them). */
const figuresOf = (doc: EntryDocument) =>
  JSON.stringify([doc.journeyId, doc.enteredAt, doc.day, doc.goal, countKeys.map((key) => doc.counts[key]), Object.entries(doc.arms).sort(([a], [b]) => a.localeCompare(b))]);

/** Entry writes per bulk command (as the lifecycle's: one SQLite transaction per command on the embedded FerretDB). */
const bulkChunk = 500;

interface EntryWrite {
  before: EntryDocument | null;
  after: EntryDocument;
}

/**
 * Writes entry documents in bulk and returns those that took effect: new ones in one unordered
 * insert (one whose insert met another's is left out), changed ones as replacements conditional
 * on the figures the batch read, 500 per command. Each write adds `token` to the entry's last few
 * tokens (those of the document it replaces, kept); when a command matched fewer than it sent,
 * the entries are read back and a write took effect when its entry holds its token, even if
 * another write replaced it since (only more than four in between would hide it).
 */
async function writeEntries(db: Db, writes: readonly EntryWrite[], token: string): Promise<{ applied: EntryWrite[]; missed: EntryWrite[] }> {
  const entries = outcomeEntriesCollection(db);
  const fresh = writes.filter((w) => w.before === null);
  const existed = await insertManyNew(entries, fresh.map((w) => ({ ...w.after, tokens: [token] })));
  const applied = fresh.filter((_, i) => !existed.has(i));
  const missed = fresh.filter((_, i) => existed.has(i));
  const changed = writes.filter((w) => w.before !== null);
  for (let i = 0; i < changed.length; i += bulkChunk) {
    const chunk = changed.slice(i, i + bulkChunk);
    const ops: AnyBulkWriteOperation<EntryDocument>[] = chunk.map(({ before, after }) => {
      const { _id, journeyId, enteredAt, day, goal, counts, arms, tokens = [] } = before as EntryDocument;
      return { replaceOne: { filter: { _id, journeyId, enteredAt, day, goal, counts, arms }, replacement: { ...after, tokens: [...tokens.slice(-4), token] } } };
    });
    const matched = (await entries.bulkWrite(ops, { ordered: false })).matchedCount;
    if (matched === chunk.length) {
      applied.push(...chunk);
      continue;
    }
    const holding = new Set((await entries.find({ _id: { $in: chunk.map((w) => w.after._id) }, tokens: token }, { projection: { _id: 1 } }).toArray()).map((d) => d._id));
    for (const w of chunk) (holding.has(w.after._id) ? applied : missed).push(w);
  }
  return { applied, missed };
}

/**
 * Recomputes the given entrants of a journey (its runs) and applies what changed: one read of
 * their entry documents, one bulk write of those whose figures moved (an order after a closed
 * window changes nothing and writes nothing), one `$inc` of the differences. An entry that
 * another write changed since the read is written again alone with `findOneAndUpdate`, its
 * difference taken from the document it replaced.
 */
async function refreshEntrants(db: Db, journeyId: string, runs: readonly EntrantRun[], goal: OutcomeGoal): Promise<void> {
  const filled = await fillEntrants(db, journeyId, runs, goal, splitCache(db, journeyId));
  const entries = outcomeEntriesCollection(db);
  const stored = new Map((await entries.find({ _id: { $in: filled.map((entry) => entry.run._id) } }).toArray()).map((doc) => [doc._id, doc]));
  const writes: EntryWrite[] = [];
  for (const entry of filled) {
    const after = entryDocument(journeyId, goal, entry);
    const before = stored.get(after._id) ?? null;
    if (before === null || figuresOf(before) !== figuresOf(after)) writes.push({ before, after });
  }
  const { applied, missed } = await writeEntries(db, writes, randomUUID());
  const $inc: Record<string, number> = {};
  const add = (delta: Record<string, number>) => {
    for (const [key, n] of Object.entries(delta)) $inc[key] = ($inc[key] ?? 0) + n;
  };
  for (const { before, after } of applied) add(outcomeDelta(before, after));
  for (const { after } of missed) {
    const { _id, ...fields } = after;
    const write = () => entries.findOneAndUpdate({ _id }, { $set: fields }, { upsert: true, returnDocument: 'before' });
    // Two first writes racing: the one whose insert lost updates what the other inserted.
    const before = await write().catch((error: unknown) => (isDuplicateKeyError(error) ? write() : Promise.reject(error instanceof Error ? error : new Error(String(error)))));
    add(outcomeDelta(before, after));
  }
  for (const [key, n] of Object.entries($inc)) if (n === 0) delete $inc[key];
  await applyDelta(db, journeyId, $inc);
}

/** Event types whose arrival can change an entrant's figures under `goal`. */
const countedTypes = (goal: OutcomeGoal) => new Set([goal.eventType, 'order_completed', 'coupon_redeemed', 'stage_changed']);

/** The `type` of a touch that is a coupon issued (not an event). */
export const couponIssued = 'coupon_issued';

/** Something that may move a customer's figures: an event of `type`, or a coupon issued (`couponIssued`), at `at`. */
export interface OutcomeTouch {
  customerId: string;
  type: string;
  at: string;
}

/** Touches waiting for the end of the current turn, per database. */
const queuedTouches = new WeakMap<Db, { touches: OutcomeTouch[]; done: Promise<void> }>();

/**
 * Recomputes the entrants these touches can move: one read of the customers' runs by
 * `customerId` (a thousand at a time), then per journey only the runs whose goal window had not
 * closed when the event happened or the coupon was issued (one after it changes no figure: only
 * the stage and orders before entry and what happens within the window count), and only for an
 * event of a type the journey's figures count. The touches of every call on the same database in
 * the same turn of the event loop are recomputed together (a campaign page issues its 250
 * coupons at once: one read of their runs, not 250); each caller waits for that recompute, and
 * an error reaches each of them (a recompute is safe to repeat).
 */
export function refreshCustomerOutcomes(db: Db, touches: readonly OutcomeTouch[]): Promise<void> {
  if (touches.length === 0) return Promise.resolve();
  const queued = queuedTouches.get(db);
  if (queued !== undefined) {
    queued.touches.push(...touches);
    return queued.done;
  }
  const batch = { touches: [...touches], done: Promise.resolve() };
  batch.done = new Promise<void>((resolve, reject) => {
    setImmediate(() => {
      queuedTouches.delete(db);
      refreshTouched(db, batch.touches).then(resolve, reject);
    });
  });
  queuedTouches.set(db, batch);
  return batch.done;
}

async function refreshTouched(db: Db, touches: readonly OutcomeTouch[]): Promise<void> {
  const byCustomer = new Map<string, OutcomeTouch[]>();
  for (const touch of touches) {
    const list = byCustomer.get(touch.customerId) ?? [];
    byCustomer.set(touch.customerId, list);
    list.push(touch);
  }
  const ids = [...byCustomer.keys()];
  const byJourney = new Map<string, EntrantRun[]>();
  for (let i = 0; i < ids.length; i += 1_000) {
    const runs = runsCollection(db).find({ customerId: { $in: ids.slice(i, i + 1_000) } }, { projection: { journeyId: 1, customerId: 1, startedAt: 1, version: 1, visited: 1 } });
    for await (const run of runs) {
      const list = byJourney.get(run.journeyId) ?? [];
      byJourney.set(run.journeyId, list);
      list.push(run);
    }
  }
  for (const [journeyId, runs] of byJourney) {
    const goal = await resolveJourneyGoal(db, journeyId, {});
    if (goal === null) continue;
    const counted = countedTypes(goal);
    const touched = runs.filter((run) => {
      const end = Date.parse(run.startedAt) + goal.windowDays * DAY;
      return (byCustomer.get(run.customerId) ?? []).some((touch) => (touch.type === couponIssued || counted.has(touch.type)) && Date.parse(touch.at) <= end);
    });
    if (touched.length > 0) await refreshEntrants(db, journeyId, touched, goal);
  }
}

/**
 * After a run write: recomputes the entrant when the write is a new entry or the run passed a
 * split step it had not passed (its arm there now counts). Other progress changes no figure.
 */
export async function refreshRunOutcome(db: Db, journeyId: string, run: EntrantRun, first: boolean, newlyVisited: readonly string[]): Promise<void> {
  if (!first) {
    const splits = await splitCache(db, journeyId)(run.version);
    if (!newlyVisited.some((nodeId) => splits.has(nodeId))) return;
  }
  const goal = await resolveJourneyGoal(db, journeyId, {});
  if (goal === null) return;
  await refreshEntrants(db, journeyId, [run], goal);
}

/** Counts new entries of a journey written together (a campaign page's first records). */
export async function refreshEntryOutcomes(db: Db, journeyId: string, runs: readonly EntrantRun[]): Promise<void> {
  if (runs.length === 0) return;
  const goal = await resolveJourneyGoal(db, journeyId, {});
  if (goal === null) return;
  await refreshEntrants(db, journeyId, runs, goal);
}

/** Takes a removed run's entrant out of its journey's counters (erasure). */
export async function forgetRunOutcome(db: Db, workflowId: string): Promise<void> {
  const before = await outcomeEntriesCollection(db).findOneAndDelete({ _id: workflowId });
  if (before !== null) await applyDelta(db, before.journeyId, outcomeDelta(before, null));
}

function setPath(doc: Record<string, unknown>, path: string, value: number): void {
  const parts = path.split('.');
  let at = doc;
  for (const part of parts.slice(0, -1)) {
    const next = at[part];
    at = at[part] = typeof next === 'object' && next !== null ? (next as Record<string, unknown>) : {};
  }
  at[parts.at(-1) ?? ''] = value;
}

/**
 * Rebuilds a journey's outcome counters and entry documents from its runs under its own goal
 * (one pass over the runs and their entrants' events: O(entrants)). Writes counted during the
 * pass may be off until the next recount. Null when the journey does not exist.
 */
export async function recountOutcomes(db: Db, journeyId: string, now: Date = new Date()): Promise<OutcomeRollupDocument | null> {
  const goal = await resolveJourneyGoal(db, journeyId, {});
  if (goal === null) return null;
  await outcomeEntriesCollection(db).deleteMany({ journeyId });
  const totals = new Map<string, number>();
  for await (const page of journeyEntrants(db, journeyId, goal)) {
    const docs = page.map((entry) => entryDocument(journeyId, goal, entry));
    for (const doc of docs) contribution(doc, totals, 1);
    const ops: AnyBulkWriteOperation<EntryDocument>[] = docs.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } }));
    for (let i = 0; i < ops.length; i += 32) await outcomeEntriesCollection(db).bulkWrite(ops.slice(i, i + 32), { ordered: false });
  }
  const doc: OutcomeRollupDocument = { _id: rollupKey(journeyId), goal: goalKey(goal), complete: true, recountedAt: now.toISOString(), m: {}, days: {}, s: {} };
  for (const [key, n] of totals) if (n !== 0) setPath(doc as unknown as Record<string, unknown>, key, n);
  await rollups(db).replaceOne({ _id: doc._id }, doc, { upsert: true });
  return doc;
}

/** Recounts the outcome counters of every journey that has runs (the daily repair). */
export async function recountAllOutcomes(db: Db, now: Date = new Date()): Promise<number> {
  const journeyIds = (await runsCollection(db).distinct('journeyId')).filter((id): id is string => typeof id === 'string');
  for (const journeyId of journeyIds) await recountOutcomes(db, journeyId, now);
  return journeyIds.length;
}

const rate = (count: number, of: number): Rate => ({ of, count, rate: of === 0 ? null : count / of });

function metricsOf(c: Partial<Counts> = {}): OutcomeMetrics {
  const n = (key: CountKey) => c[key] ?? 0;
  return {
    entered: n('entered'),
    converted: n('converted'),
    conversionRate: n('entered') === 0 ? null : n('converted') / n('entered'),
    winBack: rate(n('wonBack'), n('lapsed')),
    repeatPurchase: rate(n('repeated'), n('returning')),
    couponRedemption: rate(n('redeemed'), n('issued')),
    revenue: n('revenueCents') / 100,
  };
}

/** Entrants whose window is open at `now`: whole days from the counters, the window's first day read by `day`. */
async function windowOpen(db: Db, journeyId: string, days: Record<string, number>, goal: OutcomeGoal, now: Date): Promise<number> {
  const cutoff = now.getTime() - goal.windowDays * DAY;
  const firstDay = dayOf(cutoff);
  let open = 0;
  for (const [day, n] of Object.entries(days)) if (day > firstDay) open += n;
  const entries = outcomeEntriesCollection(db).find({ day: `${journeyId}|${firstDay}` }, { projection: { enteredAt: 1 } });
  for await (const entry of entries) if (Date.parse(entry.enteredAt) > cutoff) open++;
  return open;
}

/**
 * A journey's outcomes: from its counters for its own goal and window (recounted first if they
 * are missing or were counted for another goal), by a scan when the request names another goal
 * event or window. Null when the journey does not exist.
 */
export async function journeyOutcomeReport(db: Db, journeyId: string, options: OutcomeOptions): Promise<JourneyOutcomeReport | null> {
  if (options.eventType !== undefined || options.windowDays !== undefined) return scanJourneyOutcomes(db, journeyId, options);
  const goal: OutcomeGoalUsed | null = await resolveJourneyGoal(db, journeyId, {});
  if (goal === null) return null;
  let doc = await rollups(db).findOne({ _id: rollupKey(journeyId) });
  if (doc?.complete !== true || doc.goal !== goalKey(goal)) doc = await recountOutcomes(db, journeyId, options.now);
  if (doc === null) return null;
  const splits = Object.entries(doc.s ?? {})
    .map(([nodeId, byArm]) => {
      const arms = new Map(Object.entries(byArm).flatMap(([arm, counts]) => ((counts.entered ?? 0) > 0 ? [[arm, metricsOf(counts)] as const] : [])));
      return { nodeId, arms: compareArms(arms, HOLDOUT_ARM) };
    })
    .filter((split) => split.arms.length > 0)
    .sort((a, b) => a.nodeId.localeCompare(b.nodeId));
  return { goal, metrics: metricsOf(doc.m), windowOpen: await windowOpen(db, journeyId, doc.days ?? {}, goal, options.now), splits, source: 'counters' };
}
