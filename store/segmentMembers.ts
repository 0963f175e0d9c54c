import type { Db } from 'mongodb';
import { insertManyNew } from './documents.ts';

/**
 * Memberships: one document per customer and segment (`computed.segments`) and per customer and
 * tag (`tags`), so "the members of S after customer K, first N" is a range of `_id`s. The
 * embedded FerretDB (SQLite) cannot index an array's elements: a filter on `computed.segments`
 * or `tags` reads every customer that might match. A range of string `_id`s sorted by `_id` with
 * a limit is pushed down whole (the bootstrap's patch, `_waymark_id_text`), so a page of members
 * reads the page, then its customers by `_id $in`.
 *
 * The `_id` is `<kind>:<length of value>:<value>:<customerId>`: the length makes the prefix of
 * one value never the prefix of another (`vip` and `vip:x`), so a value's members are exactly
 * the ids from its prefix up to the prefix with its last `:` raised to `;`, in customer-id order.
 *
 * Written where a customer's segments or tags are written: the lifecycle's writes
 * (store/lifecycle.ts `commit`), profile upserts and imports (store/customers.ts), a journey's
 * tag update (activities/update.ts), segment deletion (store/segments.ts), erasure
 * (runtime/erasure.ts), the demo seed. Each write replaces the customer's memberships of that
 * kind with the ones the write left (`syncMemberships`), so a retried write converges. A page
 * also checks each customer it returns against the filter, so a membership left behind (a
 * customer erased while a lifecycle write was in flight) is never shown. A database that has
 * customers but no memberships yet is backfilled once at start-up (`backfillMemberships`).
 */

export type MembershipKind = 'segment' | 'tag';

export interface MembershipDocument {
  _id: string;
  kind: MembershipKind;
  value: string;
  customerId: string;
}

const name = 'customerMemberships';
/** Outside every kind's range (`!` sorts before letters): marks a finished backfill. */
const builtId = '!built';

export function membershipsCollection(db: Db) {
  return db.collection<MembershipDocument>(name);
}

/** A customer's memberships are replaced by `customerId` (and kind). */
export const membershipIndexes = [{ key: { customerId: 1 } }] as const;

const prefixOf = (kind: MembershipKind, value: string) => `${kind}:${value.length}:${value}:`;

/** The membership id of a customer in a segment or with a tag. */
export function membershipId(kind: MembershipKind, value: string, customerId: string): string {
  return prefixOf(kind, value) + customerId;
}

/** The `_id` bounds holding the members of one value, after customer `after` when given. */
function rangeOf(kind: MembershipKind, value: string, after?: string): { $gte?: string; $gt?: string; $lt: string } {
  const prefix = prefixOf(kind, value);
  const end = `${prefix.slice(0, -1)};`;
  return after === undefined ? { $gte: prefix, $lt: end } : { $gt: prefix + after, $lt: end };
}

/** Up to `limit` customer ids with this segment or tag, after customer `after`, in id order (one pushed-down range read). */
export async function memberIds(db: Db, kind: MembershipKind, value: string, limit: number, after?: string): Promise<string[]> {
  const docs = await membershipsCollection(db)
    .find({ _id: rangeOf(kind, value, after) }, { projection: { customerId: 1 } })
    .sort({ _id: 1 })
    .limit(limit)
    .toArray();
  return docs.map((doc) => doc.customerId);
}

/** What a write left a customer with: their segments or tags. */
export interface MembershipState {
  customerId: string;
  values: readonly string[];
}

/**
 * Makes the stored memberships of `kind` of each customer in `states` exactly its values: one
 * delete of the others (by `customerId`, indexed) and one unordered insert (an existing one is a
 * duplicate, left alone). A customer listed twice keeps the last state.
 */
export async function syncMemberships(db: Db, kind: MembershipKind, states: readonly MembershipState[]): Promise<void> {
  if (states.length === 0) return;
  const last = new Map(states.map((s) => [s.customerId, s.values]));
  const docs: MembershipDocument[] = [];
  for (const [customerId, values] of last) for (const value of new Set(values)) docs.push({ _id: membershipId(kind, value, customerId), kind, value, customerId });
  await membershipsCollection(db).deleteMany({ customerId: { $in: [...last.keys()] }, kind, _id: { $nin: docs.map((d) => d._id) } });
  await insertManyNew(membershipsCollection(db), docs);
}

/** Removes every membership of a customer (erasure). */
export async function forgetMemberships(db: Db, customerId: string): Promise<void> {
  await membershipsCollection(db).deleteMany({ customerId });
}

/** Removes every membership of one value (a deleted segment), page by page through its range. */
export async function forgetMembershipValue(db: Db, kind: MembershipKind, value: string): Promise<void> {
  for (;;) {
    const ids = await memberIds(db, kind, value, 1000);
    if (ids.length === 0) return;
    await membershipsCollection(db).deleteMany({ _id: { $in: ids.map((id) => membershipId(kind, value, id)) } });
  }
}

interface MemberFields {
  _id: string;
  tags?: readonly string[];
  computed?: { segments?: readonly string[] };
}

/**
 * Rebuilds every customer's memberships from their documents (one read of every customer's
 * segments and tags, written 1,000 customers at a time); memberships of customers that no
 * longer exist are left (pages skip them).
 */
export async function rebuildMemberships(db: Db): Promise<number> {
  let customers = 0;
  let batch: MemberFields[] = [];
  const flush = async () => {
    await syncMemberships(db, 'segment', batch.map((doc) => ({ customerId: doc._id, values: doc.computed?.segments ?? [] })));
    await syncMemberships(db, 'tag', batch.map((doc) => ({ customerId: doc._id, values: doc.tags ?? [] })));
    batch = [];
  };
  for await (const doc of db.collection<MemberFields>('customers').find({}, { projection: { tags: 1, 'computed.segments': 1 }, batchSize: 10_000 })) {
    customers++;
    batch.push(doc);
    if (batch.length >= 1000) await flush();
  }
  await flush();
  return customers;
}

/**
 * At start-up: a database whose memberships were never built (customers stored before this
 * collection existed) is backfilled once; later starts read one document. Returns the customers read.
 */
export async function backfillMemberships(db: Db, now: Date = new Date()): Promise<number> {
  const marker = db.collection<{ _id: string; at: string }>(name);
  if ((await marker.findOne({ _id: builtId })) !== null) return 0;
  const customers = await rebuildMemberships(db);
  await marker.updateOne({ _id: builtId }, { $set: { at: now.toISOString() } }, { upsert: true });
  return customers;
}
