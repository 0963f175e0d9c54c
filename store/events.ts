import { randomUUID } from 'node:crypto';
import type { Db, Filter } from 'mongodb';
import { CustomerEvent } from '../journey/event.ts';
import { customersCollection, ensureCustomer, toProfile } from './customers.ts';
import type { CustomerProfile } from '../journey/customer.ts';
import { isDuplicateKeyError, paginate, validateDocument, withId } from './documents.ts';
import type { Page, PageRequest } from './documents.ts';

/** A stored event: `_id` is the sender's event id when given (that is the idempotency). */
export interface EventDocument extends Omit<CustomerEvent, 'id'> {
  _id: string;
  receivedAt: string;
}

/** An event as read back: always has an id. */
export type StoredEvent = CustomerEvent & { id: string; receivedAt: string };

const name = 'events';

/** The events collection. */
export function eventsCollection(db: Db) {
  return db.collection<EventDocument>(name);
}

export const eventIndexes = [{ key: { customerId: 1, at: -1 } }, { key: { type: 1, at: -1 } }] as const;

/**
 * Stores an event once. A second event with the same sender id is a duplicate: it is not
 * stored again and the caller must not apply or route it again.
 */
export async function insertEvent(
  db: Db,
  event: CustomerEvent,
  receivedAt: Date,
): Promise<{ event: StoredEvent; duplicate: boolean }> {
  const valid = validateDocument(CustomerEvent, event, name, event.id ?? '(new)');
  const id = valid.id ?? `evt_${randomUUID()}`;
  // Stored in UTC so string comparison orders events by time on both backends.
  const at = new Date(valid.at).toISOString();
  const { id: _omit, ...rest } = valid;
  const doc: EventDocument = { ...rest, at, _id: id, receivedAt: receivedAt.toISOString() };
  try {
    await eventsCollection(db).insertOne(doc);
    return { event: toEvent(doc), duplicate: false };
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    const existing = await eventsCollection(db).findOne({ _id: id });
    if (existing === null) throw error;
    return { event: toEvent(existing), duplicate: true };
  }
}

function toEvent(doc: EventDocument): StoredEvent {
  const { receivedAt, ...rest } = withId(doc);
  return { ...validateDocument(CustomerEvent, rest, name, doc._id), id: doc._id, receivedAt };
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
  return { items: result.items.map(toEvent), nextCursor: result.nextCursor };
}

/** Erases every event of a customer; returns how many. */
export async function deleteCustomerEvents(db: Db, customerId: string): Promise<number> {
  return (await eventsCollection(db).deleteMany({ customerId })).deletedCount;
}

/** How many events of `type` the customer performed since `since` (branch conditions). */
export async function countCustomerEvents(db: Db, customerId: string, type: string, since: Date): Promise<number> {
  return eventsCollection(db).countDocuments({ customerId, type, at: { $gte: since.toISOString() } });
}

/**
 * Folds one accepted event into the profile's raw aggregates: last seen, and for
 * `order_completed` the order count, total spend (`properties.amount`) and first/last
 * purchase. Creates a default profile for an unknown customer, so events may arrive before
 * the profile does. Stage, RFM, CLV, NPS and segments are the lifecycle's job
 * (`updateCustomerLifecycle` in lifecycle.ts), which runs after this.
 *
 * No transactions on FerretDB: the event is stored first (the idempotency guard), then
 * folded in here with atomic `$inc`/`$max`/`$min`, so a crash in between loses at most one
 * event's aggregates, never counts one twice.
 */
export async function applyEventToProfile(db: Db, event: StoredEvent, now: Date): Promise<CustomerProfile> {
  const update: Record<string, Record<string, unknown>> = {
    $set: { updatedAt: now.toISOString() },
    $max: { 'computed.lastSeenAt': event.at },
  };
  if (event.type === 'order_completed') {
    const amount = event.properties['amount'];
    update.$inc = { 'computed.orderCount': 1, 'computed.totalSpend': typeof amount === 'number' && amount > 0 ? amount : 0 };
    update.$max = { 'computed.lastSeenAt': event.at, 'computed.lastPurchaseAt': event.at };
    update.$min = { 'computed.firstPurchaseAt': event.at };
  }
  const fold = () => customersCollection(db).findOneAndUpdate({ _id: event.customerId }, update, { returnDocument: 'after' });
  // Most events are of known customers: one write. An unknown one gets a default profile first.
  let after = await fold();
  if (after === null) {
    await ensureCustomer(db, event.customerId, now);
    after = await fold();
  }
  if (after === null) throw new Error(`customer ${event.customerId} vanished while applying ${event.id}`);
  return toProfile(after);
}
