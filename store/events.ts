import { createHash, randomUUID } from 'node:crypto';
import type { AnyBulkWriteOperation, Collection, Db, Document, Filter } from 'mongodb';
import { CustomerEvent, eventKey, StoredEvent } from '../journey/event.ts';
import { customersCollection, freshCustomerDocument } from './customers.ts';
import { erasedAmong } from './erasures.ts';
import { countCreated } from './lifecycleRollup.ts';
import { refreshCustomerOutcomes } from './outcomeRollup.ts';
import type { CustomerDocument } from './customers.ts';
import { insertManyNew, paginate, validateDocument } from './documents.ts';
import type { Page, PageRequest } from './documents.ts';

export { StoredEvent };

/**
 * Events and their stages. An event is stored once under its key (customer + the sender's id:
 * an id is unique per customer), then goes through the pipeline's stages (fold into the
 * profile, rescore the lifecycle, route to journeys; `runtime/pipeline.ts`). Until every stage
 * is done, an entry in `eventQueue` says which are left: one entry per batch (its keys and the
 * stages they have left), written before the events, so an event can never be stored without
 * one, and removed when the batch's last stage is done. A retry or the pipeline's sweeper
 * finishes what a crash or an outage left half-way.
 */

/** The stages after storing, in the order they run. */
export const eventStages = ['fold', 'score', 'route'] as const;
export type EventStage = (typeof eventStages)[number];

/** A stored event: `_id` is its key (`eventKey`); `eventId` the id the sender gave or Waymark made. */
export interface EventDocument extends Omit<CustomerEvent, 'id'> {
  _id: string;
  /** Absent on events stored before ids became per customer: their `_id` is the id. */
  eventId?: string;
  receivedAt: string;
}

/** Events (by key) that have the same stages left: a batch as stored, or what a failure left of one. */
export interface QueueDocument {
  _id: string;
  keys: string[];
  pending: EventStage[];
  since: string;
  attempts: number;
  lastError?: string;
}

const name = 'events';

/** The events collection. */
export function eventsCollection(db: Db) {
  return db.collection<EventDocument>(name);
}

/** The queue of events whose stages are not all done. */
export function eventQueueCollection(db: Db) {
  return db.collection<QueueDocument>('eventQueue');
}

export const eventIndexes = [{ key: { customerId: 1, at: -1 } }, { key: { type: 1, at: -1 } }] as const;

/** The sweeper reads the oldest unfinished batches; a retry looks its keys up. */
export const eventQueueIndexes = [{ key: { since: 1 } }, { key: { keys: 1 } }] as const;

/** Reads a stored document back as the pipeline's one event shape. */
export function toStoredEvent(doc: EventDocument): StoredEvent {
  const { _id, eventId, ...rest } = doc;
  return validateDocument(StoredEvent, { ...rest, id: eventId ?? _id }, name, _id);
}

/** The stored form of an event, keyed per customer. */
export function eventDocument(event: CustomerEvent & { id: string }, receivedAt: string): EventDocument {
  const { id, ...rest } = event;
  // Stored in UTC so string comparison orders events by time on both backends.
  return { ...rest, at: new Date(event.at).toISOString(), _id: eventKey(event.customerId, id), eventId: id, receivedAt };
}

/** What storing one event found. */
export interface StoredItem {
  key: string;
  event: StoredEvent;
  /** `new`: stored now; `unfinished`: stored before, stages left (a retry resumes them); `duplicate`: stored and finished before. */
  status: 'new' | 'unfinished' | 'duplicate';
  /** Stages still to run (empty for a duplicate). */
  pending: EventStage[];
  /** The queue entry that holds it, and how many keys that entry holds (finishing them all removes it). */
  queue?: { id: string; size: number };
}

/**
 * Stores events (one queue entry for the batch, then one unordered insert of the events) and
 * tells, per event in input order, whether it is new, a retry of one left unfinished, or a
 * duplicate of one fully processed. Events must be valid; those without an id get one.
 */
export async function storeEvents(db: Db, events: readonly CustomerEvent[], receivedAt: Date, stages: readonly EventStage[] = eventStages): Promise<StoredItem[]> {
  const received = receivedAt.toISOString();
  const docs = events.map((event) => eventDocument({ ...event, id: event.id ?? `evt_${randomUUID()}` }, received));
  // The same key twice in one batch: the first one counts, the others are duplicates of it.
  const firstIndex = new Map<string, number>();
  docs.forEach((doc, i) => {
    if (!firstIndex.has(doc._id)) firstIndex.set(doc._id, i);
  });
  const unique = [...firstIndex.values()].map((i) => docs[i] as EventDocument);
  const queueId = `q_${randomUUID()}`;
  const queue = eventQueueCollection(db);
  if (stages.length > 0 && unique.length > 0) {
    await queue.insertOne({ _id: queueId, keys: unique.map((d) => d._id), pending: [...stages], since: received, attempts: 0 });
  }
  const existed = await insertManyNew(eventsCollection(db), unique);
  // Every stored event, retries too (recomputing is idempotent), may change journey outcomes.
  await refreshCustomerOutcomes(db, unique.map((d) => ({ customerId: d.customerId, type: d.type, at: d.at })));

  const existingKeys = [...existed].map((i) => (unique[i] as EventDocument)._id);
  const [storedDocs, otherEntries] = await Promise.all([
    existingKeys.length === 0 ? [] : eventsCollection(db).find({ _id: { $in: existingKeys } }).toArray(),
    existingKeys.length === 0 || stages.length === 0 ? [] : queue.find({ keys: { $in: existingKeys }, _id: { $ne: queueId } }).toArray(),
  ]);
  const stored = new Map(storedDocs.map((doc) => [doc._id, doc]));
  const unfinished = new Map<string, QueueDocument>();
  for (const entry of otherEntries) for (const key of entry.keys) if (!unfinished.has(key)) unfinished.set(key, entry);
  const fresh = unique.filter((_, i) => !existed.has(i)).map((d) => d._id);
  // Our entry keeps only what this call stored.
  if (stages.length > 0 && existingKeys.length > 0) {
    if (fresh.length === 0) await queue.deleteOne({ _id: queueId });
    else await queue.updateOne({ _id: queueId }, { $set: { keys: fresh } });
  }
  const outcome = new Map<string, StoredItem>();
  unique.forEach((doc, i) => {
    if (!existed.has(i)) {
      // Validated on the way in: no second parse of what was just written.
      const event: StoredEvent = { id: doc.eventId ?? doc._id, type: doc.type, customerId: doc.customerId, at: doc.at, properties: doc.properties, receivedAt: doc.receivedAt };
      outcome.set(doc._id, { key: doc._id, event, status: 'new', pending: [...stages], ...(stages.length > 0 ? { queue: { id: queueId, size: fresh.length } } : {}) });
      return;
    }
    const before = toStoredEvent(stored.get(doc._id) ?? doc);
    const entry = unfinished.get(doc._id);
    if (entry !== undefined && entry.pending.length > 0) {
      outcome.set(doc._id, { key: doc._id, event: before, status: 'unfinished', pending: entry.pending, queue: { id: entry._id, size: entry.keys.length } });
    } else outcome.set(doc._id, { key: doc._id, event: before, status: 'duplicate', pending: [] });
  });
  return docs.map((doc, i) => {
    const item = outcome.get(doc._id) as StoredItem;
    return firstIndex.get(doc._id) === i ? item : { key: item.key, event: item.event, status: 'duplicate', pending: [] };
  });
}

/**
 * Settles the queue after an attempt: what is left (stages per key, with the error) goes into new
 * entries, then the entries the attempt took its events from go: `finished` whole (the attempt
 * had all their keys), `pull` losing the keys it had. A crash in between leaves a key in two
 * entries: it is processed again, which every stage survives. An entry is only ever changed by
 * the one attempt that holds it (FerretDB's updates of one document are not safe to race).
 */
export async function settleQueue(
  db: Db,
  left: ReadonlyMap<string, { pending: readonly EventStage[]; error: string }>,
  sources: { finished: readonly string[]; pull: ReadonlyMap<string, readonly string[]> },
  now: Date,
): Promise<void> {
  const queue = eventQueueCollection(db);
  const groups = new Map<string, { pending: EventStage[]; error: string; keys: string[] }>();
  for (const [key, { pending, error }] of left) {
    if (pending.length === 0) continue;
    const id = `${pending.join(',')}|${error}`;
    const group = groups.get(id) ?? { pending: [...pending], error, keys: [] };
    groups.set(id, group);
    group.keys.push(key);
  }
  if (groups.size > 0) {
    await queue.insertMany(
      [...groups.values()].map((g) => ({ _id: `q_${randomUUID()}`, keys: g.keys, pending: g.pending, since: now.toISOString(), attempts: 1, lastError: g.error.slice(0, 500) })),
    );
  }
  if (sources.finished.length > 0) await queue.deleteMany({ _id: { $in: [...sources.finished] } });
  for (const [id, keys] of sources.pull) await queue.updateOne({ _id: id }, { $pullAll: { keys: [...keys] } });
}

/** Queued events received before `before` (stranded: their first attempt did not finish), oldest batches first. */
export async function strandedEvents(db: Db, before: Date, limit: number): Promise<StoredItem[]> {
  const queue = eventQueueCollection(db);
  const entries = await queue.find({ since: { $lt: before.toISOString() } }).sort({ since: 1 }).limit(Math.max(1, Math.ceil(limit / 100))).toArray();
  const items: StoredItem[] = [];
  for (const entry of entries) {
    if (items.length >= limit && items.length > 0) break;
    const docs = new Map((await eventsCollection(db).find({ _id: { $in: entry.keys } }).toArray()).map((d) => [d._id, d]));
    // Keys queued but never stored (the attempt died between the two inserts) or erased since: dropped with the entry.
    const present = entry.keys.filter((key) => docs.has(key));
    if (present.length === 0) {
      await queue.deleteOne({ _id: entry._id });
      continue;
    }
    for (const key of present) {
      items.push({ key, event: toStoredEvent(docs.get(key) as EventDocument), status: 'unfinished', pending: entry.pending, queue: { id: entry._id, size: present.length } });
    }
  }
  return items;
}

/** How many stored events have stages left. */
export async function countUnfinished(db: Db): Promise<number> {
  let n = 0;
  for await (const entry of eventQueueCollection(db).find({}, { projection: { keys: 1 } })) n += entry.keys.length;
  return n;
}

/** The stages left of one event, the attempts made and the last error; null when it has none left. */
export async function unfinishedEvent(db: Db, customerId: string, id: string): Promise<Pick<QueueDocument, 'pending' | 'attempts' | 'lastError'> | null> {
  const entry = await eventQueueCollection(db).findOne({ keys: eventKey(customerId, id) });
  return entry === null ? null : { pending: entry.pending, attempts: entry.attempts, ...(entry.lastError === undefined ? {} : { lastError: entry.lastError }) };
}

/** Stores one event (and nothing after): for tests and seeds that need an event on record. */
export async function insertEvent(db: Db, event: CustomerEvent, receivedAt: Date): Promise<{ event: StoredEvent; duplicate: boolean }> {
  const valid = validateDocument(CustomerEvent, event, name, event.id ?? '(new)');
  const [item] = await storeEvents(db, [valid], receivedAt, []);
  if (item === undefined) throw new Error('storeEvents returned nothing');
  return { event: item.event, duplicate: item.status === 'duplicate' };
}

/** Filters of the event list. */
export interface EventQuery {
  customerId?: string | undefined;
  type?: string | undefined;
}

/** One page of events, newest first. */
export async function listEvents(db: Db, query: EventQuery, page: PageRequest): Promise<Page<StoredEvent>> {
  const filter: Filter<EventDocument> = {};
  if (query.customerId !== undefined) filter.customerId = query.customerId;
  if (query.type !== undefined) filter.type = query.type;
  const result = await paginate(eventsCollection(db), filter, page, { field: 'at', direction: -1 });
  return { items: result.items.map(toStoredEvent), nextCursor: result.nextCursor };
}

/** Erases every event of a customer; returns how many. */
export async function deleteCustomerEvents(db: Db, customerId: string): Promise<number> {
  // Their queued keys become orphans, which the sweeper drops.
  return (await eventsCollection(db).deleteMany({ customerId })).deletedCount;
}

/** How many events of `type` the customer performed since `since` (branch conditions). */
export async function countCustomerEvents(db: Db, customerId: string, type: string, since: Date): Promise<number> {
  return eventsCollection(db).countDocuments({ customerId, type, at: { $gte: since.toISOString() } });
}

// --- Fold: the profile's raw aggregates ---------------------------------------------------

/**
 * Markers of folded events stay on the customer this long, then the customer's next fold
 * removes them. Long enough to outlast any retry or sweep of the same event.
 */
const markerLifetimeMs = 6 * 3_600_000;

/** The field that marks an event as folded into its customer (a short hash of its key). */
export function foldMarker(key: string): string {
  return `folded.${createHash('sha1').update(key).digest('hex').slice(0, 20)}`;
}

/** A customer document with the markers of the events folded into it. */
export type FoldDocument = CustomerDocument & { folded?: Record<string, string> };

/**
 * Folds some events of one customer, not yet folded, in memory: the update that applies them
 * atomically (`$inc`/`$max`/`$min`, conditional on their markers being absent, which it sets;
 * it also drops markers older than their lifetime) and the document as it will be after it.
 */
export function foldInMemory<D extends FoldDocument>(doc: D, events: ReadonlyArray<{ key: string; event: StoredEvent }>, now: Date): { filter: Record<string, unknown>; update: Document; after: D } {
  let orders = 0;
  let spend = 0;
  let lastSeen = '';
  let firstPurchase = '';
  let lastPurchase = '';
  const at = now.toISOString();
  const set: Record<string, unknown> = { updatedAt: at };
  const filter: Record<string, unknown> = { _id: doc._id };
  for (const { key, event } of events) {
    filter[foldMarker(key)] = { $exists: false };
    set[foldMarker(key)] = at;
    const happened = new Date(event.at).toISOString();
    if (happened > lastSeen) lastSeen = happened;
    if (event.type === 'order_completed') {
      const amount = event.properties['amount'];
      orders += 1;
      spend += typeof amount === 'number' && amount > 0 ? amount : 0;
      if (happened > lastPurchase) lastPurchase = happened;
      if (firstPurchase === '' || happened < firstPurchase) firstPurchase = happened;
    }
  }
  spend = Math.round(spend * 100) / 100;
  const stale = now.getTime() - markerLifetimeMs;
  const unset: Record<string, ''> = {};
  const markers: Record<string, string> = {};
  for (const [marker, when] of Object.entries(doc.folded ?? {})) {
    if (Date.parse(when) < stale) unset[`folded.${marker}`] = '';
    else markers[marker] = when;
  }
  for (const { key } of events) markers[foldMarker(key).slice('folded.'.length)] = at;
  const computed = { ...doc.computed };
  const max = (a: string | undefined, b: string) => (a === undefined || b > a ? b : a);
  const update: Document = { $set: set };
  if (lastSeen !== '') {
    update['$max'] = { 'computed.lastSeenAt': lastSeen };
    computed.lastSeenAt = max(computed.lastSeenAt, lastSeen);
  }
  if (orders > 0) {
    update['$inc'] = { 'computed.orderCount': orders, 'computed.totalSpend': spend };
    update['$max'] = { 'computed.lastSeenAt': lastSeen, 'computed.lastPurchaseAt': lastPurchase };
    update['$min'] = { 'computed.firstPurchaseAt': firstPurchase };
    computed.orderCount += orders;
    computed.totalSpend += spend;
    computed.lastPurchaseAt = max(computed.lastPurchaseAt, lastPurchase);
    computed.firstPurchaseAt = computed.firstPurchaseAt === undefined || firstPurchase < computed.firstPurchaseAt ? firstPurchase : computed.firstPurchaseAt;
  }
  if (Object.keys(unset).length > 0) update['$unset'] = unset;
  return { filter, update, after: { ...doc, computed, folded: markers, updatedAt: at } };
}

/** The events of a customer document not folded into it yet (no marker). */
export function unfolded<T extends { key: string }>(doc: FoldDocument, events: readonly T[]): T[] {
  return events.filter(({ key }) => doc.folded?.[foldMarker(key).slice('folded.'.length)] === undefined);
}

/**
 * Reads customers by id, creating a default profile (no consent) for each unknown one first,
 * unless that customer was erased: an event that slipped past the erasure recreates no one.
 */
export async function readOrCreateCustomers(db: Db, ids: readonly string[], now: Date): Promise<Map<string, CustomerDocument>> {
  const customers = customersCollection(db) as unknown as Collection<FoldDocument>;
  if (ids.length === 0) return new Map();
  const found = new Map<string, CustomerDocument>((await customers.find({ _id: { $in: [...ids] } }).toArray()).map((d) => [d._id, d]));
  const missing = ids.filter((id) => !found.has(id));
  const erased = missing.length === 0 ? new Set<string>() : await erasedAmong(db, missing);
  const unknown = missing.filter((id) => !erased.has(id)).map((id) => freshCustomerDocument(id, now));
  if (unknown.length > 0) {
    const existed = await insertManyNew(customers, unknown);
    await countCreated(db, unknown.filter((_, i) => !existed.has(i)));
    for (const doc of await customers.find({ _id: { $in: unknown.map((d) => d._id) } }).toArray()) found.set(doc._id, doc);
  }
  return found;
}

/** One customer's events to fold, with their keys. */
export interface FoldGroup {
  customerId: string;
  events: Array<{ key: string; event: StoredEvent }>;
}

/**
 * Folds events into their customers' raw aggregates (last seen; for `order_completed` the
 * order count, total spend and first/last purchase), exactly once per event: each customer
 * gets one conditional update that also marks the events folded, so a retry or a concurrent
 * attempt that finds the marks changes nothing. Creates a default profile for an unknown
 * customer. Stage, RFM and segments are the lifecycle's job, which runs after this.
 *
 * Round trips per call: one read of the customers, one insert of the unknown ones, one bulk
 * update per 500 customers, one read of the result. Returns the documents after folding.
 */
export async function foldEvents(db: Db, groups: readonly FoldGroup[], now: Date): Promise<Map<string, CustomerDocument>> {
  const customers = customersCollection(db) as unknown as Collection<FoldDocument>;
  const ids = [...new Set(groups.map((g) => g.customerId))];
  const found = await readOrCreateCustomers(db, ids, now);
  const ops: AnyBulkWriteOperation<FoldDocument>[] = [];
  for (const group of groups) {
    const doc = found.get(group.customerId);
    // A marker already there: that event was folded by an earlier attempt.
    const todo = doc === undefined ? [] : unfolded(doc, group.events);
    if (doc === undefined || todo.length === 0) continue;
    const { filter, update } = foldInMemory(doc, todo, now);
    ops.push({ updateOne: { filter: filter as Filter<FoldDocument>, update } });
  }
  // FerretDB keeps each update's read open until its bulk command ends: small chunks.
  for (let i = 0; i < ops.length; i += 500) await customers.bulkWrite(ops.slice(i, i + 500), { ordered: false });
  if (ids.length === 0) return new Map();
  const after = await customers.find({ _id: { $in: ids } }).toArray();
  return new Map(after.map((doc) => [doc._id, doc]));
}

/** Folds one event (see `foldEvents`); returns the customer after it. */
export async function applyEventToProfile(db: Db, event: StoredEvent, now: Date): Promise<CustomerDocument> {
  const docs = await foldEvents(db, [{ customerId: event.customerId, events: [{ key: eventKey(event.customerId, event.id), event }] }], now);
  const doc = docs.get(event.customerId);
  if (doc === undefined) throw new Error(`customer ${event.customerId} vanished while applying ${event.id}`);
  return doc;
}

/** A customer's events stored at or after `since`, in the order they happened. */
export async function eventsReceivedSince(db: Db, customerId: string, since: Date): Promise<StoredEvent[]> {
  const docs = await eventsCollection(db).find({ customerId, receivedAt: { $gte: since.toISOString() } }).toArray();
  return docs.sort((a, b) => a.at.localeCompare(b.at)).map(toStoredEvent);
}
