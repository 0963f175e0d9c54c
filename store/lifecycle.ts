import type { Db, Document, Filter } from 'mongodb';
import type { ProfileCondition } from '../journey/condition.ts';
import { CustomerProfile } from '../journey/customer.ts';
import type { LifecycleStage, RfmCell, ValueTier } from '../journey/customer.ts';
import type { CustomerEvent } from '../journey/event.ts';
import { DAY } from '../journey/time.ts';
import { lifecycleEvents } from '../journey/lifecycle/changes.ts';
import { addOrder, addSurvey, buildBase, computeLifecycle, emptyHistory, LifecycleBase, summarize } from '../journey/lifecycle/profile.ts';
import type { HistoryAccumulator, PurchaseSummary } from '../journey/lifecycle/profile.ts';
import type { SegmentDefinition } from '../journey/lifecycle/segment.ts';
import { segmentMembership } from '../journey/lifecycle/segment.ts';
import { LifecycleSettings } from '../journey/lifecycle/settings.ts';
import { csatSummary, npsSummary, surveyAnswer } from '../journey/lifecycle/survey.ts';
import type { CsatSummary, NpsSummary } from '../journey/lifecycle/survey.ts';
import { customersCollection } from './customers.ts';
import type { CustomerDocument } from './customers.ts';
import { DocumentValidationError, validateDocument, withId } from './documents.ts';
import { eventsCollection, foldInMemory, readOrCreateCustomers, storeEvents, unfolded } from './events.ts';
import type { FoldGroup } from './events.ts';
import type { EventDocument } from './events.ts';
import type { StoredEvent } from '../journey/event.ts';
import { customersFoundBy, listSegments, segmentChangeFilters } from './segments.ts';
import { syncMemberships } from './segmentMembers.ts';
import { segmentEventHistory } from './eventHistory.ts';
import type { EventHistory } from './eventHistory.ts';
import type { CountedProfile, CustomerFilter, LifecycleCounts } from './lifecycleRollup.ts';
import { afterUpdate, applyCountChanges, churnBands, countDelta, countedProjection, lifecycleCounts, recountFrom, snapshotStages } from './lifecycleRollup.ts';

/**
 * Lifecycle computation against the database: the full recompute, the incremental update of
 * one customer after an event, and the daily sweep. The maths is in journey/lifecycle/.
 *
 * Everything is plain `find` / `bulkWrite` / `insertMany`, computed in application code, so it
 * runs on FerretDB (no aggregation pipeline, no transactions). Safety without transactions:
 * - change events have deterministic ids per customer, change and day: recording is
 *   idempotent, and only newly recorded events are handed to `emit` (routed to journeys);
 * - writes address customers by `_id` alone: FerretDB pushes down only a bare `{ _id }` filter
 *   (any other filter is a full scan per write). Only a write that repairs purchase aggregates
 *   (rare: they drifted from the events) is also conditional on the `updatedAt` read with it, so
 *   it never clobbers an event folded in meanwhile; derived fields written from a read a few
 *   hundred milliseconds old are corrected by that event's own incremental update or the next
 *   sweep;
 * - events are recorded, then the customer written, then `emit` called: a crash between the
 *   first and the last step loses the routing of that change (as a crash between storing and
 *   routing an ingested event does).
 *
 * Bookkeeping that is not part of the public profile lives under `lifecycle` in the customer
 * document: the stage and cell last announced by an event, the latest win-back purchase, the
 * latest CSAT answer and the usual gap used.
 */

interface LifecycleMemo {
  stage?: LifecycleStage;
  cell?: RfmCell | null;
  returnedAt?: string;
  /** The last purchase as of the previous lifecycle update (to spot a return on the next order). */
  lastPurchaseAt?: string;
  /** The latest NPS answer (ingestion stores CSAT answers in `computed.nps` too). */
  nps?: number;
  csat?: number;
  gapDays?: number;
}
type LifecycleDocument = CustomerDocument & { lifecycle?: LifecycleMemo };

/** A recorded change event and the customer as it is after the change (for routing). */
export interface LifecycleChange {
  event: StoredEvent;
  customer: CustomerProfile;
}

export interface LifecycleRunOptions {
  /**
   * Stores change events and returns those still to be routed. Default: a plain insert that
   * returns the new ones; the event pipeline passes its own, which queues them for routing.
   */
  record?: (events: readonly CustomerEvent[], receivedAt: Date) => Promise<StoredEvent[]>;
  /** Called with each batch of newly recorded change events, e.g. to route them to journeys. */
  emit?: (changes: readonly LifecycleChange[]) => Promise<void>;
  /** Settings, base model and segments to score with (the pipeline caches them briefly); read from the database when absent. */
  context?: () => Promise<LifecycleContext>;
  /** Customers per read and bulk write (default 1000). */
  batchSize?: number;
}

export interface LifecycleReport {
  customers: number;
  /** Customers whose stored fields changed. */
  updated: number;
  /** Change events newly recorded. */
  events: number;
  /** Writes skipped because an event changed the customer meanwhile. */
  conflicts: number;
  /** Documents that do not match the profile schema (left alone). */
  invalid: number;
}

const stateName = 'lifecycleState';
const orderType = 'order_completed';
const surveyType = 'survey_answered';
const historyTypes = [orderType, surveyType];
/** The events the lifecycle records itself. */
const announcedTypes = new Set(['stage_changed', 'rfm_changed', 'segment_entered', 'segment_left']);

interface StateDocument {
  _id: 'settings' | 'base';
  value: unknown;
  updatedAt: string;
}

function state(db: Db) {
  return db.collection<StateDocument>(stateName);
}

function customers(db: Db) {
  return db.collection<LifecycleDocument>(customersCollection(db).collectionName);
}

/** The workspace's lifecycle settings (defaults until someone saves them). */
export async function getLifecycleSettings(db: Db): Promise<LifecycleSettings> {
  const doc = await state(db).findOne({ _id: 'settings' });
  return validateDocument(LifecycleSettings, doc?.value ?? {}, stateName, 'settings');
}

/** Validates and stores the settings; they apply from the next update, to all at the next recompute. */
export async function saveLifecycleSettings(db: Db, settings: unknown, now: Date): Promise<LifecycleSettings> {
  const value = validateDocument(LifecycleSettings, settings, stateName, 'settings');
  await state(db).updateOne({ _id: 'settings' }, { $set: { value, updatedAt: now.toISOString() } }, { upsert: true });
  return value;
}

/** The base model of the last full recompute, or null before the first. */
export async function getLifecycleBase(db: Db): Promise<LifecycleBase | null> {
  const doc = await state(db).findOne({ _id: 'base' });
  return doc === null ? null : validateDocument(LifecycleBase, doc.value, stateName, 'base');
}

const time = (iso: string | undefined): number | undefined => (iso === undefined ? undefined : Date.parse(iso));
const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

/** The summary kept in the customer document itself (aggregates folded in at ingestion). */
function storedSummary(doc: LifecycleDocument): PurchaseSummary {
  const c = doc.computed;
  return {
    orderCount: c.orderCount,
    totalSpend: c.totalSpend,
    firstPurchaseAt: time(c.firstPurchaseAt),
    lastPurchaseAt: time(c.lastPurchaseAt),
    returnedAt: time(doc.lifecycle?.returnedAt),
    nps: doc.lifecycle?.nps ?? c.nps,
    csat: doc.lifecycle?.csat,
  };
}

/**
 * Folds stored events into histories; events received after `until` are left to the
 * incremental path. Needs customerId, type, at, properties and receivedAt only.
 */
function foldEvent(histories: Map<string, HistoryAccumulator>, doc: Pick<EventDocument, 'customerId' | 'type' | 'at' | 'properties'>): void {
  let history = histories.get(doc.customerId);
  if (history === undefined) {
    history = emptyHistory();
    histories.set(doc.customerId, history);
  }
  const at = Date.parse(doc.at);
  if (doc.type === orderType) addOrder(history, at, doc.properties?.['amount']);
  else {
    const answer = surveyAnswer(doc.properties ?? {});
    if (answer !== null) addSurvey(history, at, answer);
  }
}

/**
 * History from events when there are order events, imported aggregates otherwise; answers
 * from events when there are survey events (ingestion stores every answer as NPS, CSAT too).
 */
function mergeSummary(stored: PurchaseSummary, fromEvents: PurchaseSummary | undefined): PurchaseSummary {
  if (fromEvents === undefined) return stored;
  const orders = fromEvents.orderCount > 0 || stored.orderCount === 0 ? fromEvents : stored;
  const answered = fromEvents.nps !== undefined || fromEvents.csat !== undefined;
  return { ...orders, nps: answered ? fromEvents.nps : stored.nps, csat: answered ? fromEvents.csat : stored.csat };
}

/** What scoring a customer needs besides the customer. */
export interface LifecycleContext {
  base: LifecycleBase | null;
  settings: LifecycleSettings;
  segments: readonly SegmentDefinition[];
}

interface RunContext extends LifecycleContext {
  now: number;
  /** Stored-event tallies for segments' event-history conditions (store/eventHistory.ts). */
  history?: EventHistory | undefined;
}

interface Plan {
  doc: LifecycleDocument;
  set: Record<string, unknown>;
  unset: Record<string, ''>;
  events: CustomerEvent[];
  customer: CustomerProfile;
  /** Events folded in the same write (`foldInMemory`): its condition and operators, and the document before the fold. */
  fold?: { filter: Record<string, unknown>; update: Document; read: LifecycleDocument };
}

function read(doc: object, path: string): unknown {
  let value: unknown = doc;
  for (const part of path.split('.')) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined;
  return value;
}

/** What one customer's document should become, and the events the change records. */
function planCustomer(doc: LifecycleDocument, summary: PurchaseSummary, rewriteAggregates: boolean, ctx: RunContext, lastSeenAt?: string): Plan {
  const fields = computeLifecycle(summary, ctx.base, ctx.settings, ctx.now);
  const target: Record<string, unknown> = {
    'computed.stage': fields.stage,
    'computed.churnRisk': fields.churnRisk,
    'computed.clv': fields.clv,
    'lifecycle.gapDays': fields.gapDays === undefined ? undefined : Math.round(fields.gapDays * 100) / 100,
    'lifecycle.returnedAt': iso(summary.returnedAt),
    'lifecycle.csat': summary.csat,
    'lifecycle.nps': summary.nps,
    'lifecycle.lastPurchaseAt': iso(summary.lastPurchaseAt),
    'computed.nps': summary.nps,
  };
  if (ctx.base !== null) {
    target['computed.rfm'] = fields.rfm;
    target['computed.valueTier'] = fields.valueTier;
  }
  if (rewriteAggregates) {
    target['computed.orderCount'] = summary.orderCount;
    target['computed.totalSpend'] = summary.totalSpend;
    target['computed.firstPurchaseAt'] = iso(summary.firstPurchaseAt);
    target['computed.lastPurchaseAt'] = iso(summary.lastPurchaseAt);
    // Last seen only ever moves forward (events of every type; a history import folds nothing itself).
    if (lastSeenAt !== undefined && (doc.computed.lastSeenAt === undefined || lastSeenAt > doc.computed.lastSeenAt)) target['computed.lastSeenAt'] = lastSeenAt;
  }
  const computed: Record<string, unknown> = { ...doc.computed };
  for (const [path, value] of Object.entries(target)) {
    if (path.startsWith('computed.')) computed[path.slice('computed.'.length)] = value;
  }
  for (const key of Object.keys(computed)) if (computed[key] === undefined) delete computed[key];
  const customer = validateDocument(CustomerProfile, { ...withId(doc), computed }, 'customers', doc._id);
  const segments = segmentMembership(ctx.segments, customer, ctx.now, ctx.history?.of(doc._id));
  customer.computed.segments = segments;
  target['computed.segments'] = segments;

  const before = { stage: doc.lifecycle?.stage ?? 'prospect', cell: doc.lifecycle?.cell ?? null, segments: doc.computed.segments ?? [] };
  const after = { stage: fields.stage, cell: ctx.base === null ? before.cell : (fields.rfm?.cell ?? null), segments };
  target['lifecycle.stage'] = after.stage;
  target['lifecycle.cell'] = after.cell;

  const set: Record<string, unknown> = {};
  const unset: Record<string, ''> = {};
  for (const [path, value] of Object.entries(target)) {
    const current = read(doc, path);
    if (value === undefined) {
      if (current !== undefined) unset[path] = '';
    } else if (JSON.stringify(current) !== JSON.stringify(value)) set[path] = value;
  }
  return { doc, set, unset, events: lifecycleEvents(doc._id, before, after, ctx.now), customer };
}

/** Stores change events; returns those newly stored (duplicates were recorded before, once per customer and day). */
async function recordEvents(db: Db, events: readonly CustomerEvent[], receivedAt: Date): Promise<StoredEvent[]> {
  if (events.length === 0) return [];
  return (await storeEvents(db, events, receivedAt, [])).filter((item) => item.status === 'new').map((item) => item.event);
}

/**
 * Updates per bulk command: a lane's batch in one. The embedded FerretDB (the bootstrap's patch)
 * runs a command's updates in one SQLite transaction, and ends each update's read with it
 * (unpatched, every read stayed open on a connection of its own until the command ended, and
 * commands of over 100 updates stalled).
 */
const bulkChunk = 500;

const aggregatePaths = new Set(['computed.orderCount', 'computed.totalSpend', 'computed.firstPurchaseAt', 'computed.lastPurchaseAt', 'computed.lastSeenAt', 'computed.nps']);

interface Write {
  filter: CustomerFilter & Filter<LifecycleDocument>;
  update: Document;
  /** The customer as the plan read them, and as the write leaves them (fold and scoring applied). */
  before: LifecycleDocument;
  after: CountedProfile;
}

/** Bulk-writes `writes`, 500 per command; returns those that matched when asked (`which`), else the count. */
async function bulkUpdate(db: Db, writes: readonly Write[], which: boolean): Promise<{ matched: number; applied: Write[] }> {
  let matched = 0;
  const applied: Write[] = [];
  for (let i = 0; i < writes.length; i += bulkChunk) {
    const chunk = writes.slice(i, i + bulkChunk);
    const n = (await customers(db).bulkWrite(chunk.map(({ filter, update }) => ({ updateOne: { filter, update } })), { ordered: false })).matchedCount;
    matched += n;
    if (which) applied.push(...(n === chunk.length ? chunk : await appliedAmong(db, chunk)));
  }
  return { matched, applied };
}

/**
 * Which writes of a bulk command that matched fewer than all took effect (rare: another attempt
 * folded the same events first, the customer was erased, an event changed a repaired customer),
 * read back from the documents: a fold write took effect when every marker it set holds its
 * time; any other when the customer still exists (and, for a repair, still has the version it
 * was conditional on). A customer erased or changed again right after the write can be judged
 * wrongly: the full passes' recount repairs that.
 */
async function appliedAmong(db: Db, chunk: readonly Write[]): Promise<Write[]> {
  const docs = new Map((await customers(db).find({ _id: { $in: chunk.map((w) => w.before._id) } }, { projection: { folded: 1, updatedAt: 1 } }).toArray()).map((d) => [d._id, d as LifecycleDocument & { folded?: Record<string, string> }]));
  return chunk.filter(({ filter, update, before }) => {
    const doc = docs.get(before._id);
    if (doc === undefined) return false;
    const markers = Object.entries((update['$set'] as Record<string, unknown>) ?? {}).filter(([path]) => path.startsWith('folded.'));
    if (markers.length > 0) return markers.every(([path, at]) => doc.folded?.[path.slice('folded.'.length)] === at);
    return !('updatedAt' in filter) || doc.updatedAt === before.updatedAt;
  });
}

/**
 * Records, writes and emits one batch of plans, one bulk write per 500 customers. `counted`:
 * writes that move a counter (store/lifecycleRollup.ts `countDelta` between the document the
 * plan read and what the write makes of it) go in commands of their own, and the differences of those that
 * took effect go to the counters in one `$inc` (the event pipeline's path: within one pipeline a
 * customer's events are handled by one lane at a time, so the document read is the one written).
 * A counted field another writer changes between the plan's read and this write (a journey's
 * update step setting a stage at that moment) leaves a counter off until the next recount. Not
 * `counted`: the caller recounts (the full passes).
 */
async function commit(db: Db, plans: readonly Plan[], now: number, options: LifecycleRunOptions, counted = true) {
  const recorded = await (options.record ?? ((events, at) => recordEvents(db, events, at)))(plans.flatMap((p) => p.events), new Date(now));
  const writes: Write[] = [];
  for (const { doc, set, unset, fold } of plans) {
    if (fold !== undefined) {
      // Fold and score in one write, conditional on the events not folded yet.
      const update: Document = { ...fold.update, $set: { ...(fold.update['$set'] as object), ...set } };
      const unsetAll = { ...(fold.update['$unset'] as object | undefined), ...unset };
      if (Object.keys(unsetAll).length > 0) update['$unset'] = unsetAll;
      writes.push({ filter: fold.filter as CustomerFilter & Filter<LifecycleDocument>, update, before: fold.read, after: afterUpdate(doc, { $set: set, $unset: unset }) });
      continue;
    }
    if (Object.keys(set).length === 0 && Object.keys(unset).length === 0) continue;
    // Repairing aggregates is guarded by the version read: an event folded in meanwhile wins.
    const repairs = [...Object.keys(set), ...Object.keys(unset)].some((path) => aggregatePaths.has(path));
    const version = doc.updatedAt === undefined ? { updatedAt: { $exists: false } } : { updatedAt: doc.updatedAt };
    const filter: CustomerFilter & Filter<LifecycleDocument> = repairs ? { _id: doc._id, ...version } : { _id: doc._id };
    const update = Object.keys(unset).length === 0 ? { $set: set } : Object.keys(set).length === 0 ? { $unset: unset } : { $set: set, $unset: unset };
    writes.push({ filter, update, before: doc, after: afterUpdate(doc, update) });
  }
  const moving = new Set(counted ? writes.filter((w) => Object.keys(countDelta(w.before, w.after)).length > 0) : []);
  // Uncounted (the full passes): which writes took effect, for the counters the pass sets after.
  const plain = await bulkUpdate(db, moving.size === 0 ? writes : writes.filter((w) => !moving.has(w)), !counted);
  const countedWrites = await bulkUpdate(db, [...moving], true);
  await applyCountChanges(db, countedWrites.applied.map((w) => [w.before, w.after] as const));
  // Segment memberships (store/segmentMembers.ts) of the writes that changed them and took effect (all, uncounted).
  const segmentWrites = (counted ? countedWrites.applied : writes).filter((w) => 'computed.segments' in ((w.update['$set'] as object | undefined) ?? {}));
  await syncMemberships(db, 'segment', segmentWrites.map((w) => ({ customerId: w.before._id, values: w.after.computed?.segments ?? [] })));
  const matched = plain.matched + countedWrites.matched;
  const byCustomer = new Map(plans.map((p) => [p.doc._id, p.customer]));
  const changes = recorded.flatMap((event) => {
    const customer = byCustomer.get(event.customerId);
    return customer === undefined ? [] : [{ event, customer }];
  });
  if (changes.length > 0) await options.emit?.(changes);
  return { updated: matched, conflicts: writes.length - matched, events: recorded.length, changes, writes, applied: [...plain.applied, ...countedWrites.applied] };
}

/** Reads the settings, the base model and the segments. */
export async function readLifecycleContext(db: Db): Promise<LifecycleContext> {
  const [settings, base, segments] = await Promise.all([getLifecycleSettings(db), getLifecycleBase(db), listSegments(db)]);
  return { base, settings, segments };
}

async function context(db: Db, now: Date, base?: LifecycleBase | null): Promise<RunContext> {
  const [settings, stored, segments] = await Promise.all([getLifecycleSettings(db), base === undefined ? getLifecycleBase(db) : base, listSegments(db)]);
  return { base: stored, settings, segments, now: now.getTime() };
}

/** Customers up to which a partial pass reads their event tallies by id (store/eventHistory.ts). */
const talliesByIdUpTo = 2_000;

/**
 * Reads every customer with one cursor (no sort, no filter: the cheapest read FerretDB has),
 * or takes the customers given (`read`: `{ all }` everyone, read by the caller; `{ only }` a
 * partial pass, whose writes move the counters themselves), then plans each (`summaryOf` picks
 * its history) and commits batch by batch. The base is read whole before writing (about 1.5 KB a
 * customer) because a cursor left open across writes keeps SQLite from checkpointing its
 * write-ahead log, and every write then gets slower.
 */
async function runOverCustomers(
  db: Db,
  ctx: RunContext,
  options: LifecycleRunOptions,
  summaryOf: (doc: LifecycleDocument) => { summary: PurchaseSummary; rewrite: boolean; lastSeenAt?: string | undefined },
  read: { all?: readonly LifecycleDocument[] } | { only: readonly LifecycleDocument[] } = {},
): Promise<LifecycleReport> {
  // Only some customers (`{ only }`): each write moves the counters itself, as the event pipeline's do.
  const some = 'only' in read ? read.only : undefined;
  // Tallies by id for a few customers; past `talliesByIdUpTo`, one read of each event type's
  // window (what a pass over everyone reads) costs less than a query per thousand ids.
  const ids = some === undefined || some.length > talliesByIdUpTo ? null : some.map((doc) => doc._id);
  ctx = { ...ctx, history: await segmentEventHistory(db, ctx.segments, ctx.now, ids) };
  const report: LifecycleReport = { customers: 0, updated: 0, events: 0, conflicts: 0, invalid: 0 };
  const batchSize = options.batchSize ?? 1000;
  let plans: Plan[] = [];
  const everyone = some ?? ('all' in read ? read.all : undefined) ?? (await customers(db).find({}, { batchSize: 10_000 }).toArray());
  // Every customer as the pass leaves them (for the counters), and those whose write did not take
  // effect (changed or erased meanwhile: read again at the end).
  const final = new Map<string, CountedProfile>(everyone.map((doc) => [doc._id, doc]));
  const missed = new Set<string>();
  const flush = async () => {
    const done = await commit(db, plans, ctx.now, options, some !== undefined);
    report.updated += done.updated;
    report.conflicts += done.conflicts;
    report.events += done.events;
    const applied = new Set(done.applied);
    for (const write of done.writes) {
      if (applied.has(write)) final.set(write.before._id, write.after);
      else missed.add(write.before._id);
    }
    plans = [];
  };
  for (const doc of everyone) {
    report.customers++;
    try {
      const { summary, rewrite, lastSeenAt } = summaryOf(doc);
      plans.push(planCustomer(doc, summary, rewrite, ctx, lastSeenAt));
    } catch (error) {
      if (!(error instanceof DocumentValidationError)) throw error;
      report.invalid++;
    }
    if (plans.length >= batchSize) await flush();
  }
  await flush();
  if (some !== undefined) return report;
  // The bulk writes above counted nothing: the counters are set from the base as the pass left
  // it (no second read of everyone), the customers whose write missed read again.
  if (missed.size > 0) {
    const ids = [...missed];
    for (const id of ids) final.delete(id);
    for (let i = 0; i < ids.length; i += 1_000) {
      for (const doc of await customers(db).find({ _id: { $in: ids.slice(i, i + 1_000) } }, { projection: countedProjection }).toArray()) final.set(doc._id, doc);
    }
  }
  await recountFrom(db, final.values(), new Date(ctx.now));
  return report;
}

/**
 * The full recompute: rebuilds every customer's purchase history from `order_completed` and
 * `survey_answered` events (one pass, one cursor), reads the customers once, builds the base
 * model (quintile cut points, value thresholds, the median usual gap) from them, stores it, then
 * scores and writes every customer from the same read.
 * Customers without order events keep their imported aggregates. Idempotent: a second run at
 * the same time changes nothing and records nothing.
 */
export async function recomputeLifecycle(db: Db, now: Date, options: LifecycleRunOptions = {}): Promise<LifecycleReport & { base: LifecycleBase }> {
  const startedAt = now.toISOString();
  const settings = await getLifecycleSettings(db);
  const histories = new Map<string, HistoryAccumulator>();
  const lastSeen = new Map<string, string>();
  // Every event (FerretDB scans the collection for a type filter anyway): orders and answers
  // make the histories, every type the last time seen.
  // The customers are read at the same time (FerretDB serves both cursors at once): they are
  // needed whole before any write anyway, and a write of a customer changed since is refused by
  // its version.
  const reading = customers(db).find({}, { batchSize: 10_000 }).toArray();
  void reading.catch(() => undefined); // awaited below
  // Whole documents: FerretDB projects in Go, field by field, and a projected read of every
  // event took 1.5× the plain one (4.5 against 3.0 s for 200,000 events), decoding included.
  const cursor = eventsCollection(db).find({}, { batchSize: 10_000 });
  for await (const doc of cursor) {
    // Events that arrive during the recompute are folded in by their own incremental update.
    // (Written as a negation so events stored without receivedAt count too.)
    if (doc.receivedAt > startedAt) continue;
    if (historyTypes.includes(doc.type)) foldEvent(histories, doc);
    if (announcedTypes.has(doc.type)) continue; // the lifecycle's own announcements are not the customer's doing
    const seen = lastSeen.get(doc.customerId);
    if (seen === undefined || doc.at > seen) lastSeen.set(doc.customerId, doc.at);
  }
  const fromEvents = new Map<string, PurchaseSummary>();
  for (const [id, history] of histories) fromEvents.set(id, summarize(history, settings.stages.dormantDays));

  // One read of the customers serves the base model and the pass (as in the daily run).
  const everyone = await reading;
  const purchasers: PurchaseSummary[] = [];
  for (const doc of everyone) {
    const summary = mergeSummary(storedSummary(doc), fromEvents.get(doc._id));
    if (summary.orderCount > 0) purchasers.push(summary);
  }
  const base = { ...buildBase(purchasers, settings, now.getTime()), customers: everyone.length };
  await state(db).updateOne({ _id: 'base' }, { $set: { value: base, updatedAt: startedAt } }, { upsert: true });

  const ctx = await context(db, now, base);
  const report = await runOverCustomers(db, ctx, options, (doc) => {
    // A customer changed by an event during the recompute keeps the aggregates that event folded in.
    const changed = doc.updatedAt !== undefined && doc.updatedAt > startedAt;
    const stored = storedSummary(doc);
    return changed ? { summary: stored, rewrite: false } : { summary: mergeSummary(stored, fromEvents.get(doc._id)), rewrite: true, lastSeenAt: lastSeen.get(doc._id) };
  }, { all: everyone });
  return { ...report, base };
}

/**
 * The daily sweep: re-scores every customer at `now` from the stored aggregates and the stored
 * base (no event reading), so customers who become at risk, dormant or churned by the passage
 * of time alone — and segment members whose rules depend on time — change and record their
 * events. Idempotent per customer and day.
 */
export async function sweepLifecycle(db: Db, now: Date, options: LifecycleRunOptions = {}): Promise<LifecycleReport> {
  const ctx = await context(db, now);
  return runOverCustomers(db, ctx, options, (doc) => ({ summary: storedSummary(doc), rewrite: false }));
}

/**
 * After segment `segmentId` was saved with rule `condition`: the daily sweep's re-scoring at
 * `now` for only the customers whose membership can change (store/segments.ts
 * `segmentChangeFilters`: its members, and those the rule's indexes or event tallies find), or
 * for everyone when the rule names nothing to narrow by.
 */
export async function sweepSegmentChange(db: Db, segmentId: string, condition: ProfileCondition, now: Date, options: LifecycleRunOptions = {}): Promise<LifecycleReport> {
  const filters = await segmentChangeFilters(db, segmentId, condition, now);
  return filters === null ? sweepLifecycle(db, now, options) : sweepSomeCustomers(db, now, filters, options);
}

/**
 * The daily sweep's re-scoring for only the customers `filters` find (each read once, however
 * many filters find them). Each write moves the lifecycle counters by its own change, as the
 * event pipeline's writes do, so the others are neither read nor recounted.
 */
async function sweepSomeCustomers(db: Db, now: Date, filters: ReadonlyArray<Filter<CustomerDocument>>, options: LifecycleRunOptions): Promise<LifecycleReport> {
  const found: LifecycleDocument[] = [];
  for await (const doc of customersFoundBy(db, filters)) found.push(doc as LifecycleDocument);
  const ctx = await context(db, now);
  return runOverCustomers(db, ctx, options, (doc) => ({ summary: storedSummary(doc), rewrite: false }), { only: found });
}

/**
 * The daily run: rebuilds the base model (quintile cut points, value thresholds, usual gap) from
 * the profiles, which already fold every order, then sweeps everyone at `now` — one read of the
 * customers, no event reading. The full recompute from events (`recomputeLifecycle`) stays for
 * repair. Idempotent per customer and day.
 */
export async function dailyLifecycle(db: Db, now: Date, options: LifecycleRunOptions = {}): Promise<LifecycleReport & { base: LifecycleBase }> {
  const settings = await getLifecycleSettings(db);
  const everyone = await customers(db).find({}, { batchSize: 10_000 }).toArray();
  const purchasers = everyone.map(storedSummary).filter((summary) => summary.orderCount > 0);
  const base = { ...buildBase(purchasers, settings, now.getTime()), customers: everyone.length };
  await state(db).updateOne({ _id: 'base' }, { $set: { value: base, updatedAt: now.toISOString() } }, { upsert: true });
  const ctx = await context(db, now, base);
  const report = await runOverCustomers(db, ctx, options, (doc) => ({ summary: storedSummary(doc), rewrite: false }), { all: everyone });
  await snapshotStages(db, await lifecycleCounts(db), now);
  return { ...report, base };
}

/**
 * The purchase summary of a customer after `events` were folded into `doc`: the stored
 * aggregates, plus what only the events tell — a return after a gap of `dormantDays` (against
 * the last purchase remembered at the previous update) and the latest survey answer of each kind.
 */
function summaryAfter(doc: LifecycleDocument, events: readonly ScoredEvent[], ctx: RunContext): PurchaseSummary {
  const summary = storedSummary(doc);
  const ordered = [...events].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  let previous = time(doc.lifecycle?.lastPurchaseAt);
  let npsAnswered = false;
  for (const event of ordered) {
    const at = Date.parse(event.at);
    if (event.type === orderType) {
      // Without a remembered purchase, ingestion's own stage move (dormant → wonBack) says it.
      const returned = previous === undefined ? doc.computed.stage === 'wonBack' && doc.lifecycle?.stage !== 'wonBack' : at - previous >= ctx.settings.stages.dormantDays * DAY;
      if (returned && at >= (summary.lastPurchaseAt ?? at)) summary.returnedAt = at;
      previous = previous === undefined ? at : Math.max(previous, at);
    }
    if (event.type === surveyType) {
      const answer = surveyAnswer(event.properties);
      if (answer?.survey === 'csat') {
        summary.csat = answer.score;
        if (!npsAnswered) summary.nps = doc.lifecycle?.nps;
      }
      if (answer?.survey === 'nps') {
        summary.nps = answer.score;
        npsAnswered = true;
      }
    }
  }
  return summary;
}

/**
 * Folds events into their customers and rescores them in one conditional write per customer
 * (`foldInMemory` + the lifecycle plan of the folded document): the event pipeline's fold and
 * score stages together. A write whose condition fails (another attempt folded those events
 * first) changes nothing; those customers are then rescored from what is stored. Returns the
 * documents as folded (for their run registries), the scored profiles and the recorded changes.
 */
export async function foldAndRescore(
  db: Db,
  groups: readonly FoldGroup[],
  now: Date,
  options: LifecycleRunOptions = {},
): Promise<{ docs: Map<string, CustomerDocument>; customers: Map<string, CustomerProfile>; changes: LifecycleChange[] }> {
  const ids = [...new Set(groups.map((g) => g.customerId))];
  if (ids.length === 0) return { docs: new Map(), customers: new Map(), changes: [] };
  const [docs, shared] = await Promise.all([readOrCreateCustomers(db, ids, now), options.context ? options.context() : readLifecycleContext(db)]);
  const ctx: RunContext = { ...shared, now: now.getTime(), history: await segmentEventHistory(db, shared.segments, now.getTime(), ids) };
  const plans: Plan[] = [];
  for (const group of groups) {
    const doc = docs.get(group.customerId);
    if (doc === undefined) continue;
    const todo = unfolded(doc, group.events);
    const folded = todo.length === 0 ? null : foldInMemory(doc as LifecycleDocument, todo, now);
    const after = folded?.after ?? doc;
    try {
      const plan = planCustomer(after, summaryAfter(after, group.events.map((e) => e.event), ctx), false, ctx);
      plans.push(folded === null ? plan : { ...plan, fold: { filter: folded.filter, update: folded.update, read: doc as LifecycleDocument } });
      docs.set(group.customerId, after);
    } catch (error) {
      if (!(error instanceof DocumentValidationError)) throw error;
    }
  }
  const { changes, conflicts } = await commit(db, plans, ctx.now, options);
  if (conflicts > 0) {
    // Another attempt folded some of these events first: score what is stored now.
    const fresh = await customers(db).find({ _id: { $in: ids } }).toArray();
    const again = await rescoreCustomers(db, fresh.map((doc) => ({ doc, events: [] })), now, options);
    for (const doc of fresh) docs.set(doc._id, doc);
    return { docs, customers: again.customers, changes: [...changes, ...again.changes] };
  }
  return { docs, customers: new Map(plans.map((p) => [p.doc._id, p.customer])), changes };
}

/** The events of one customer that a rescoring follows (in any order). */
export type ScoredEvent = Pick<CustomerEvent, 'customerId' | 'type' | 'at' | 'properties'>;

/**
 * The incremental update after events were stored and folded into their customers' aggregates:
 * scores each customer once from the stored aggregates against the stored base, writes the
 * changes (one bulk write per 500 customers) and returns the change events newly recorded (also
 * passed to `options.emit`). Reads no other events, so what it cannot see in the aggregates it
 * takes from the events: a return after a gap of `dormantDays` (against the last purchase
 * remembered at the previous update), and the latest survey answer of each kind.
 */
export async function rescoreCustomers(
  db: Db,
  items: ReadonlyArray<{ doc: CustomerDocument; events: readonly ScoredEvent[] }>,
  now: Date,
  options: LifecycleRunOptions = {},
): Promise<{ customers: Map<string, CustomerProfile>; changes: LifecycleChange[] }> {
  if (items.length === 0) return { customers: new Map(), changes: [] };
  const shared = options.context ? await options.context() : await readLifecycleContext(db);
  const ctx: RunContext = { ...shared, now: now.getTime(), history: await segmentEventHistory(db, shared.segments, now.getTime(), items.map((i) => i.doc._id)) };
  const plans: Plan[] = [];
  for (const { doc, events } of items) {
    try {
      plans.push(planCustomer(doc, summaryAfter(doc, events, ctx), false, ctx));
    } catch (error) {
      if (!(error instanceof DocumentValidationError)) throw error;
    }
  }
  const { changes } = await commit(db, plans, ctx.now, options);
  return { customers: new Map(plans.map((p) => [p.doc._id, p.customer])), changes };
}

/** `rescoreCustomers` for one customer after one event; a null customer when they do not exist. */
export async function updateCustomerLifecycle(
  db: Db,
  event: ScoredEvent,
  now: Date,
  options: LifecycleRunOptions = {},
): Promise<{ customer: CustomerProfile | null; changes: LifecycleChange[] }> {
  const doc = await customers(db).findOne({ _id: event.customerId });
  if (doc === null) return { customer: null, changes: [] };
  const { customers: scored, changes } = await rescoreCustomers(db, [{ doc, events: [event] }], now, options);
  return { customer: scored.get(event.customerId) ?? null, changes };
}

/** Counts per stage, RFM cell and value tier, NPS and CSAT of the whole base. */
export interface LifecycleOverview {
  customers: number;
  stages: Partial<Record<LifecycleStage, number>>;
  rfmCells: Partial<Record<RfmCell, number>>;
  valueTiers: Partial<Record<string, number>>;
  /** Total spend of the customers in each RFM cell. */
  rfmRevenue: Partial<Record<RfmCell, number>>;
  /** Customers per churn-risk band (equal bands from 0 to 1), by value tier. */
  churnRisk: ChurnBand[];
  nps: NpsSummary;
  csat: CsatSummary;
  base: LifecycleBase | null;
}

export type ChurnBand = { from: number; to: number } & Record<ValueTier | 'unknown', number>;

function churnBandsOf(counts: LifecycleCounts): ChurnBand[] {
  return Array.from({ length: churnBands }, (_, band) => {
    const n = (tier: ValueTier | 'unknown') => counts.churn[`b${band}_${tier}`] ?? 0;
    return { from: band / churnBands, to: (band + 1) / churnBands, high: n('high'), mid: n('mid'), low: n('low'), unknown: n('unknown') };
  });
}

/** Scores repeated as often as counted (`{ s9: 2 }` → `[9, 9]`), for the survey summaries. */
function scores(histogram: Partial<Record<string, number>>): number[] {
  return Object.entries(histogram).flatMap(([key, n]) => Array.from({ length: n ?? 0 }, () => Number(key.slice(1))));
}

/** The lifecycle numbers of the whole base, from the lifecycle rollup (store/lifecycleRollup.ts): two document reads. */
export async function lifecycleOverview(db: Db): Promise<LifecycleOverview> {
  const [counts, base] = await Promise.all([lifecycleCounts(db), getLifecycleBase(db)]);
  const { customers: total, stages, rfmCells, valueTiers } = counts;
  const rfmRevenue = Object.fromEntries(Object.entries(counts.rfmRevenue).map(([cell, cents]) => [cell, (cents ?? 0) / 100]));
  return { customers: total, stages, rfmCells, valueTiers, rfmRevenue, churnRisk: churnBandsOf(counts), nps: npsSummary(scores(counts.nps)), csat: csatSummary(scores(counts.csat)), base };
}
