import { z } from 'zod';
import { MongoBulkWriteError } from 'mongodb';
import type { Db, Filter } from 'mongodb';
import { Consent, isLegacyConsent, upgradeConsent } from '../journey/consent.ts';
import type { ConsentRecord } from '../journey/consent.ts';
import { CustomerProfile } from '../journey/customer.ts';
import type { Channel, LifecycleStage, RfmCell, ValueTier } from '../journey/customer.ts';
import { decodeCursor, encodeCursor, escapeRegex, isDuplicateKeyError, paginate, validateDocument, withId } from './documents.ts';
import { countCreated, lifecycleCounts } from './lifecycleRollup.ts';
import type { Page, PageRequest } from './documents.ts';
import { memberIds, syncMemberships } from './segmentMembers.ts';
import type { MembershipKind } from './segmentMembers.ts';

/** Stored shape: the profile with its external id as `_id`. */
export interface CustomerDocument extends Omit<CustomerProfile, 'id'> {
  _id: string;
}

const name = 'customers';

/** The customers collection. */
export function customersCollection(db: Db) {
  return db.collection<CustomerDocument>(name);
}

export const customerIndexes = [
  { key: { email: 1 } },
  { key: { phone: 1 } },
  { key: { 'computed.stage': 1, _id: 1 } },
  { key: { 'computed.segments': 1 } },
  { key: { tags: 1 } },
  { key: { accountOwner: 1 } },
  { key: { 'computed.lastPurchaseAt': 1 } },
] as const;

const shape = CustomerProfile.shape;

/**
 * The fields an API caller may write. Defaults are stripped so an update sets only what was
 * sent; nested objects are strict so a misspelt consent channel is an error, not a no-op.
 * Consent arrives as records (the API stamps what callers send, `consentRecords`); a channel
 * sent replaces that channel's record, a channel left out keeps its own.
 */
export const CustomerFields = z.strictObject({
  email: shape.email,
  phone: shape.phone,
  name: shape.name,
  locale: shape.locale.unwrap().optional(),
  timezone: shape.timezone.unwrap().optional(),
  birthday: shape.birthday,
  consent: Consent.strict().optional(),
  accountOwner: shape.accountOwner,
  attributes: shape.attributes.unwrap().optional(),
  tags: shape.tags.unwrap().optional(),
});
export type CustomerFields = z.infer<typeof CustomerFields>;

/** A brand-new profile: every default the core's schema declares. */
function freshProfile(id: string, now: Date): Omit<CustomerDocument, '_id'> {
  const { id: _omit, ...rest } = CustomerProfile.parse({ id, createdAt: now.toISOString(), updatedAt: now.toISOString() });
  return rest;
}

/** A brand-new document for `id` with every default (an event may arrive before its profile). */
export function freshCustomerDocument(id: string, now: Date): CustomerDocument {
  return { _id: id, ...freshProfile(id, now) };
}

/** Reads a stored document back through the core's schema (consent stored as booleans is upgraded). */
export function toProfile(doc: CustomerDocument): CustomerProfile {
  const stored: unknown = doc.consent;
  const read = isLegacyConsent(stored) ? { ...doc, consent: upgradeConsent(stored, doc.updatedAt ?? doc.createdAt ?? new Date(0).toISOString()) } : doc;
  return validateDocument(CustomerProfile, withId(read), name, doc._id);
}

/**
 * Rewrites consent stored as plain booleans (before consent records) as `migrated` records, so
 * audience filters on `consent.<channel>.granted` find those customers. Run at start-up;
 * idempotent. Returns how many profiles it rewrote.
 */
export async function migrateLegacyConsent(db: Db): Promise<number> {
  const customers = customersCollection(db);
  const legacy = customers.find(
    { $or: [{ 'consent.email': { $type: 'bool' } }, { 'consent.sms': { $type: 'bool' } }] },
    { projection: { _id: 1, consent: 1, createdAt: 1, updatedAt: 1 } },
  );
  let migrated = 0;
  for await (const doc of legacy) {
    const stored: unknown = doc.consent;
    const consent = upgradeConsent(stored, doc.updatedAt ?? doc.createdAt ?? new Date(0).toISOString());
    // Conditional on the old value, so a consent change racing the migration is kept.
    const result = await customers.updateOne({ _id: doc._id, consent: doc.consent }, { $set: { consent } });
    migrated += result.modifiedCount;
  }
  return migrated;
}

/** The profile of `id`, or null. */
export async function getCustomer(db: Db, id: string): Promise<CustomerProfile | null> {
  const doc = await customersCollection(db).findOne({ _id: id });
  return doc === null ? null : toProfile(doc);
}

function freshDocument(id: string, fields: CustomerFields, now: Date): CustomerDocument {
  return { _id: id, ...freshProfile(id, now), ...fields };
}

function setFields(fields: CustomerFields, now: Date) {
  const { consent, ...rest } = fields;
  const set: Record<string, unknown> = { ...rest, updatedAt: now.toISOString() };
  // Per channel, so a write about email keeps the SMS record.
  for (const [channel, record] of Object.entries(consent ?? {})) set[`consent.${channel}`] = record;
  return { $set: set };
}

/**
 * Creates or updates the profile with external id `id`: the fields sent replace the stored
 * ones, fields not sent are kept, computed fields are never touched.
 *
 * Update-then-insert rather than an upsert: FerretDB 1.24 answers `_id` updates and inserts
 * in constant time but scans the collection for an upsert that inserts. A concurrent insert
 * of the same id makes ours fail on the unique `_id`, and the update is retried.
 */
export async function upsertCustomer(
  db: Db,
  id: string,
  fields: CustomerFields,
  now: Date,
): Promise<{ customer: CustomerProfile; created: boolean }> {
  const valid = validateDocument(CustomerFields, fields, name, id);
  const customers = customersCollection(db);
  let created = false;
  if ((await customers.updateOne({ _id: id }, setFields(valid, now))).matchedCount === 0) {
    try {
      const doc = freshDocument(id, valid, now);
      await customers.insertOne(doc);
      created = true;
      await countCreated(db, [doc]);
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      await customers.updateOne({ _id: id }, setFields(valid, now));
    }
  }
  const customer = await getCustomer(db, id);
  if (customer === null) throw new Error(`customer ${id} vanished right after its upsert`);
  if (valid.tags !== undefined) await syncMemberships(db, 'tag', [{ customerId: id, values: customer.tags }]);
  return { customer, created };
}

/** Why a row of a bulk upsert was not stored (e.g. a write error), by its index in the input. */
export interface BulkRowError {
  index: number;
  message: string;
}

/**
 * Upserts many already-validated rows (bulk import): one unordered insert of the new
 * profiles, then an `_id` update for each row that already existed. Fast on MongoDB and on
 * FerretDB alike (see `upsertCustomer`).
 */
export async function bulkUpsertCustomers(
  db: Db,
  rows: readonly { id: string; fields: CustomerFields }[],
  now: Date,
): Promise<{ created: number; updated: number; errors: BulkRowError[] }> {
  const customers = customersCollection(db);
  const errors: BulkRowError[] = [];
  let existing: number[] = [];
  if (rows.length === 0) return { created: 0, updated: 0, errors };
  const documents = rows.map((row) => freshDocument(row.id, validateDocument(CustomerFields, row.fields, name, row.id), now));
  try {
    await customers.insertMany(documents, { ordered: false });
  } catch (error) {
    if (!(error instanceof MongoBulkWriteError)) throw error;
    const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
    for (const writeError of writeErrors) {
      if (writeError.code === 11000) existing.push(writeError.index);
      else errors.push({ index: writeError.index, message: writeError.errmsg ?? 'write failed' });
    }
  }
  const notInserted = new Set([...existing, ...errors.map((e) => e.index)]);
  await countCreated(db, documents.filter((_, i) => !notInserted.has(i)));
  const created = rows.length - existing.length - errors.length;
  let updated = 0;
  // A row whose id appears twice in the batch lands here too: applied in order, like upserts.
  existing = existing.sort((a, b) => a - b);
  for (const index of existing) {
    const row = rows[index];
    if (row === undefined) continue;
    const result = await customers.updateOne({ _id: row.id }, setFields(row.fields, now));
    if (result.matchedCount === 1) updated++;
    else errors.push({ index, message: 'the customer was deleted during the import' });
  }
  // The tags of every row stored (rows in order: a repeated id keeps its last tags).
  const failed = new Set(errors.map((e) => e.index));
  await syncMemberships(db, 'tag', rows.flatMap((row, i) => (failed.has(i) || row.fields.tags === undefined ? [] : [{ customerId: row.id, values: row.fields.tags }])));
  return { created, updated, errors };
}

/** Creates a default profile for `id` if none exists (an event for an unknown customer). */
export async function ensureCustomer(db: Db, id: string, now: Date): Promise<void> {
  try {
    const doc = { _id: id, ...freshProfile(id, now) };
    await customersCollection(db).insertOne(doc);
    await countCreated(db, [doc]);
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
  }
}


/** Search filters of the customer list. All given filters must match. */
export interface CustomerQuery {
  /** Case-insensitive prefix of the id, email or name. */
  q?: string | undefined;
  email?: string | undefined;
  phone?: string | undefined;
  stage?: LifecycleStage | undefined;
  segment?: string | undefined;
  tag?: string | undefined;
  accountOwner?: string | undefined;
}

function customerFilter(query: CustomerQuery): Filter<CustomerDocument> {
  const filter: Filter<CustomerDocument> = {};
  if (query.email !== undefined) filter.email = query.email;
  if (query.phone !== undefined) filter.phone = query.phone;
  if (query.stage !== undefined) filter['computed.stage'] = query.stage;
  if (query.segment !== undefined) filter['computed.segments'] = query.segment;
  if (query.tag !== undefined) filter.tags = query.tag;
  if (query.accountOwner !== undefined) filter.accountOwner = query.accountOwner;
  if (query.q !== undefined) {
    const prefix = { $regex: `^${escapeRegex(query.q)}`, $options: 'i' };
    filter.$or = [{ _id: prefix }, { email: prefix }, { name: prefix }];
  }
  return filter;
}

/**
 * How many customers a query matches, from the lifecycle counters (one document) when it is all
 * customers, one stage or one segment; undefined for other filters, which only a scan could count.
 * An estimate: a crash between a write and its counter leaves it off until the daily recount.
 */
async function estimatedTotal(db: Db, query: CustomerQuery): Promise<number | undefined> {
  const given = Object.entries(query).filter(([, v]) => v !== undefined).map(([k]) => k);
  if (given.length > 1 || (given.length === 1 && given[0] !== 'stage' && given[0] !== 'segment')) return undefined;
  const counts = await lifecycleCounts(db);
  if (query.stage !== undefined) return counts.stages[query.stage] ?? 0;
  if (query.segment !== undefined) return counts.segments[query.segment] ?? 0;
  return counts.customers;
}

/**
 * A page of customers with a segment or tag (`kind`, `value`) matching `filter`, by id: ids
 * from the memberships (store/segmentMembers.ts, a pushed-down `_id` range), then those
 * customers by `_id $in` with the whole filter (a stale membership drops out). Other filters
 * that few members meet read further chunks, each twice the last (at most 1,000 ids).
 */
async function pageMembers(db: Db, kind: MembershipKind, value: string, filter: Filter<CustomerDocument>, page: PageRequest): Promise<Page<CustomerDocument>> {
  let after = page.cursor === undefined ? undefined : decodeCursor(page.cursor)[1];
  const found: CustomerDocument[] = [];
  for (let chunk = page.limit + 1; found.length <= page.limit; chunk = Math.min(1000, chunk * 2)) {
    const ids = await memberIds(db, kind, value, chunk, after);
    if (ids.length > 0) {
      const docs = await customersCollection(db).find({ ...filter, _id: { $in: ids } }).toArray();
      const byId = new Map(docs.map((doc) => [doc._id, doc]));
      for (const id of ids) {
        const doc = byId.get(id);
        if (doc !== undefined) found.push(doc);
      }
      after = ids.at(-1);
    }
    if (ids.length < chunk) break;
  }
  const items = found.slice(0, page.limit);
  const last = items.at(-1);
  return { items, nextCursor: found.length > page.limit && last !== undefined ? encodeCursor(last._id, last._id) : null };
}

/**
 * One page of customers matching `query`, ordered by id, with the estimated total where the
 * counters hold it. A page by segment or tag reads the memberships (`pageMembers`).
 */
export async function searchCustomers(db: Db, query: CustomerQuery, page: PageRequest): Promise<Page<CustomerProfile> & { estimatedTotal?: number }> {
  const filter = customerFilter(query);
  const read =
    query.segment !== undefined
      ? pageMembers(db, 'segment', query.segment, filter, page)
      : query.tag !== undefined
        ? pageMembers(db, 'tag', query.tag, filter, page)
        : paginate(customersCollection(db), filter, page);
  const [result, total] = await Promise.all([read, estimatedTotal(db, query)]);
  return { items: result.items.map(toProfile), nextCursor: result.nextCursor, ...(total === undefined ? {} : { estimatedTotal: total }) };
}

/**
 * Who a campaign targets. Every given criterion must hold; list criteria match any member.
 * Translated to a plain find filter that both MongoDB and FerretDB accept.
 */
export interface AudienceFilter {
  stages?: LifecycleStage[] | undefined;
  segments?: string[] | undefined;
  tags?: string[] | undefined;
  rfmCells?: RfmCell[] | undefined;
  valueTiers?: ValueTier[] | undefined;
  /** e.g. 90 for "dormant for 90+ days": last purchase at least this many days ago. */
  minDaysSinceLastPurchase?: number | undefined;
  minOrders?: number | undefined;
  /** Only customers who consented to this channel. */
  consentTo?: Channel | undefined;
}

/** The find filter of an audience, evaluated at `now`. */
export function audienceQuery(audience: AudienceFilter, now: Date): Filter<CustomerDocument> {
  const filter: Filter<CustomerDocument> = {};
  if (audience.stages?.length) filter['computed.stage'] = { $in: audience.stages };
  if (audience.segments?.length) filter['computed.segments'] = { $in: audience.segments };
  if (audience.tags?.length) filter.tags = { $in: audience.tags };
  if (audience.rfmCells?.length) filter['computed.rfm.cell'] = { $in: audience.rfmCells };
  if (audience.valueTiers?.length) filter['computed.valueTier'] = { $in: audience.valueTiers };
  if (audience.minDaysSinceLastPurchase !== undefined) {
    const before = new Date(now.getTime() - audience.minDaysSinceLastPurchase * 86_400_000);
    filter['computed.lastPurchaseAt'] = { $lte: before.toISOString() };
  }
  if (audience.minOrders !== undefined) filter['computed.orderCount'] = { $gte: audience.minOrders };
  if (audience.consentTo !== undefined) filter[`consent.${audience.consentTo}.granted`] = true;
  return filter;
}

/** How many customers an audience holds right now. */
export async function countAudience(db: Db, audience: AudienceFilter, now: Date): Promise<number> {
  return customersCollection(db).countDocuments(audienceQuery(audience, now));
}

/**
 * One page of an audience, ordered by id: what a campaign launch pages through. An audience of
 * one segment or one tag pages through its memberships (`pageMembers`: an index range, then
 * the customers by id with the whole filter), so a launch reads O(page) per page, not every
 * member; any other audience is one filtered keyset read.
 */
export async function pageAudience(
  db: Db,
  audience: AudienceFilter,
  now: Date,
  page: PageRequest,
): Promise<Page<CustomerProfile>> {
  const filter = audienceQuery(audience, now);
  const [segment, ...moreSegments] = audience.segments ?? [];
  const [tag, ...moreTags] = audience.tags ?? [];
  const result =
    segment !== undefined && moreSegments.length === 0
      ? await pageMembers(db, 'segment', segment, filter, page)
      : tag !== undefined && moreTags.length === 0
        ? await pageMembers(db, 'tag', tag, filter, page)
        : await paginate(customersCollection(db), filter, page);
  return { items: result.items.map(toProfile), nextCursor: result.nextCursor };
}

/** Records consent decisions per channel (and the personalisation choice); returns the updated profile or null if unknown. */
export async function setConsent(
  db: Db,
  id: string,
  consent: Partial<Record<Channel | 'personalisation', ConsentRecord>>,
  now: Date,
): Promise<CustomerProfile | null> {
  const set: Record<string, unknown> = { updatedAt: now.toISOString() };
  for (const [channel, record] of Object.entries(consent)) set[`consent.${channel}`] = record;
  const doc = await customersCollection(db).findOneAndUpdate({ _id: id }, { $set: set }, { returnDocument: 'after' });
  return doc === null ? null : toProfile(doc);
}

/** Ids of every customer with this phone number (SMS STOP applies to all of them). */
export async function customerIdsByPhone(db: Db, phone: string): Promise<string[]> {
  const docs = await customersCollection(db).find({ phone }, { projection: { _id: 1 } }).toArray();
  return docs.map((doc) => doc._id);
}

/** Of `ids`, the customers whose documents changed at or after `since` (one `_id $in` read). */
export async function changedSince(db: Db, ids: readonly string[], since: Date): Promise<string[]> {
  if (ids.length === 0) return [];
  const docs = await customersCollection(db)
    .find({ _id: { $in: [...ids] } }, { projection: { _id: 1, updatedAt: 1 } })
    .toArray();
  const at = since.toISOString();
  return docs.filter((doc) => doc.updatedAt !== undefined && doc.updatedAt >= at).map((doc) => doc._id);
}
