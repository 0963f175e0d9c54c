import type { Db, Filter } from 'mongodb';
import { z } from 'zod';
import { evaluateCondition, eventHistoryKey } from '../journey/condition.ts';
import type { ProfileCondition } from '../journey/condition.ts';
import { LifecycleStage, RfmCell } from '../journey/customer.ts';
import type { CustomerProfile } from '../journey/customer.ts';
import { builtinSegments, SegmentDefinition, SegmentRule } from '../journey/lifecycle/segment.ts';
import { customersCollection, searchCustomers, toProfile } from './customers.ts';
import { tallyEventHistory } from './eventHistory.ts';
import type { EventHistory } from './eventHistory.ts';
import type { CustomerDocument } from './customers.ts';
import { isDuplicateKeyError, validateDocument, withId } from './documents.ts';
import type { Page, PageRequest } from './documents.ts';
import { forgetMembershipValue } from './segmentMembers.ts';
import { forgetSegmentCount, lifecycleCounts } from './lifecycleRollup.ts';

/**
 * Segment definitions (rules in the condition language of `branch`) and their membership.
 * Membership is materialised in `customers.computed.segments` by the lifecycle code
 * (store/lifecycle.ts) on every event and in every sweep, and mirrored in the memberships
 * (store/segmentMembers.ts, one document per member) that the member pages read; the count is
 * the lifecycle rollup's counter (store/lifecycleRollup.ts).
 * A preview evaluates a draft rule over every customer in application code, so any condition
 * works on FerretDB too; event-history conditions count stored events by the events indexes
 * (store/eventHistory.ts), with the same code the lifecycle uses for membership.
 */

export const SegmentRecord = SegmentDefinition.extend({
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type SegmentRecord = z.infer<typeof SegmentRecord>;

interface SegmentDocument extends Omit<SegmentRecord, 'id'> {
  _id: string;
}

const name = 'segments';

/** No secondary index: the collection is small and always read whole. */
export const segmentIndexes = [] as const;

function segments(db: Db) {
  return db.collection<SegmentDocument>(name);
}

function toRecord(doc: SegmentDocument): SegmentRecord {
  return validateDocument(SegmentRecord, withId(doc), name, doc._id);
}

/** A segment id that is already taken. */
export class SegmentExistsError extends Error {
  override readonly name = 'SegmentExistsError';
  constructor(readonly segmentId: string) {
    super(`segment ${segmentId} already exists: choose another id or update that segment`);
  }
}

/** Every segment, by id. */
export async function listSegments(db: Db): Promise<SegmentRecord[]> {
  const docs = await segments(db).find({}).sort({ _id: 1 }).toArray();
  return docs.map(toRecord);
}

/** One segment, or null. */
export async function getSegment(db: Db, id: string): Promise<SegmentRecord | null> {
  const doc = await segments(db).findOne({ _id: id });
  return doc === null ? null : toRecord(doc);
}

/** Creates a segment; throws `SegmentExistsError` when the id is taken. */
export async function createSegment(db: Db, input: SegmentDefinition, now: Date): Promise<SegmentRecord> {
  const record = validateDocument(SegmentRecord, { ...input, createdAt: now.toISOString(), updatedAt: now.toISOString() }, name, input.id);
  const { id, ...rest } = record;
  try {
    await segments(db).insertOne({ _id: id, ...rest });
  } catch (error) {
    if (isDuplicateKeyError(error)) throw new SegmentExistsError(id);
    throw error;
  }
  return record;
}

/** Replaces a segment's rule; null when it does not exist. */
export async function updateSegment(db: Db, id: string, rule: SegmentRule, now: Date): Promise<SegmentRecord | null> {
  const valid = validateDocument(SegmentRule, rule, name, id);
  const doc = await segments(db).findOneAndUpdate(
    { _id: id },
    { $set: { ...valid, updatedAt: now.toISOString() } },
    { returnDocument: 'after' },
  );
  return doc === null ? null : toRecord(doc);
}

/**
 * Deletes a segment and removes it from every customer's memberships (no `segment_left`
 * events: the segment is gone, journeys cannot wait on it any more). False when unknown.
 */
export async function deleteSegment(db: Db, id: string): Promise<boolean> {
  const result = await segments(db).deleteOne({ _id: id });
  if (result.deletedCount === 0) return false;
  await customersCollection(db).updateMany({ 'computed.segments': id }, { $pull: { 'computed.segments': id } });
  await forgetMembershipValue(db, 'segment', id);
  await forgetSegmentCount(db, id);
  return true;
}

/** Creates the built-in segments that do not exist yet (start-up, seeding); returns how many. */
export async function ensureBuiltinSegments(db: Db, now: Date): Promise<number> {
  let created = 0;
  for (const segment of builtinSegments) {
    try {
      await createSegment(db, segment, now);
      created++;
    } catch (error) {
      if (!(error instanceof SegmentExistsError)) throw error;
    }
  }
  return created;
}

/** How many customers are members now: the lifecycle rollup's counter (one document read). */
export async function countSegmentMembers(db: Db, id: string): Promise<number> {
  return (await lifecycleCounts(db)).segments[id] ?? 0;
}

/** Members per segment id (one document read for every segment). */
export async function segmentSizes(db: Db): Promise<Partial<Record<string, number>>> {
  return (await lifecycleCounts(db)).segments;
}

/**
 * A page of members by id, `page.limit` of them after `page.cursor`: ids from the memberships
 * (store/segmentMembers.ts), then their customers (store/customers.ts `searchCustomers`).
 */
export async function segmentMembersPage(db: Db, id: string, page: PageRequest): Promise<Page<CustomerProfile>> {
  if (page.limit === 0) return { items: [], nextCursor: null };
  const { items, nextCursor } = await searchCustomers(db, { segment: id }, page);
  return { items, nextCursor };
}

/** The first `limit` members by id. */
export async function sampleSegmentMembers(db: Db, id: string, limit: number): Promise<CustomerProfile[]> {
  return (await segmentMembersPage(db, id, { limit })).items;
}

/**
 * A filter every customer matching `condition` passes, on fields the customers' indexes serve
 * (FerretDB hands SQLite string equalities, `$in` and a top-level `$and`: see
 * scripts/bootstrap.mjs), or null when the condition names none: a stage (unless it includes
 * `prospect`, the stage of a profile stored without one), an RFM cell, the attributes `stage`
 * and `rfmCell` compared with `eq` or `in` (the stored names, whatever the case of the rule's
 * values: attributes compare case-insensitively), being in a segment, having a tag, and `all`
 * of conditions of which some do. Every customer it returns is still evaluated.
 */
export function narrowingFilter(condition: ProfileCondition): Filter<CustomerDocument> | null {
  switch (condition.type) {
    case 'stage':
      return condition.stages.includes('prospect') ? null : { 'computed.stage': { $in: [...condition.stages] } };
    case 'rfm':
      return { 'computed.rfm.cell': { $in: [...condition.cells] } };
    case 'segment':
      return condition.member ? { 'computed.segments': condition.segment } : null;
    case 'tag':
      return condition.present ? { tags: condition.tag } : null;
    case 'attribute':
      return attributeNarrowing(condition);
    case 'all': {
      const parts = condition.conditions.flatMap((c) => {
        const part = narrowingFilter(c);
        return part === null ? [] : [part];
      });
      return parts.length === 0 ? null : parts.length === 1 ? (parts[0] ?? null) : { $and: parts };
    }
    case 'any':
    case 'consent':
    case 'eventHistory':
      return null;
    default: {
      const unknown: never = condition;
      throw new Error(`narrowingFilter: unknown condition ${JSON.stringify(unknown)}`);
    }
  }
}

/** The names in `names` that one of `values` spells, ignoring case (how attributes compare strings). */
function namesSpelled<T extends string>(names: readonly T[], values: readonly unknown[]): T[] {
  const spelled = new Set(values.map((v) => String(v).toLowerCase()));
  return names.filter((name) => spelled.has(name.toLowerCase()));
}

/** `narrowingFilter` of an attribute condition: `stage` or `rfmCell` with `eq` or `in`. */
function attributeNarrowing(condition: Extract<ProfileCondition, { type: 'attribute' }>): Filter<CustomerDocument> | null {
  if (condition.op !== 'eq' && condition.op !== 'in') return null;
  const list = Array.isArray(condition.value) ? condition.value : [condition.value ?? null];
  const values = condition.op === 'eq' ? list.slice(0, 1) : list;
  if (condition.attribute === 'stage') {
    const stages = namesSpelled(LifecycleStage.options, values);
    return stages.includes('prospect') ? null : { 'computed.stage': { $in: stages } };
  }
  if (condition.attribute === 'rfmCell') return { 'computed.rfm.cell': { $in: namesSpelled(RfmCell.options, values) } };
  return null;
}

/**
 * The only customers who can match `condition`, from its event-history tallies: for "did X at
 * least N times" (alone, or one of `all`), those with a tally of N or more; null when the rule
 * has no such part (customers without a tally can match "did not").
 */
function candidatesOf(condition: ProfileCondition, history: EventHistory): string[] | null {
  const parts = condition.type === 'all' ? condition.conditions : [condition];
  const did = parts.find((c) => c.type === 'eventHistory' && c.did);
  if (did?.type !== 'eventHistory') return null;
  const key = eventHistoryKey(did);
  return [...history.customers()].filter((id) => (history.of(id)[key] ?? 0) >= did.atLeast);
}

/**
 * Filters that together find every customer who can match `condition` (some customers may be
 * found by more than one), on what the indexes serve: the `narrowingFilter`, or the customers
 * among the `candidatesOf` the event-history tallies that it finds, 1,000 ids a query; for `any`,
 * those of every part; null when the rule (or a part of `any`) names nothing to narrow by (every
 * customer can match).
 */
export function candidateFilters(condition: ProfileCondition, history: EventHistory | undefined): Array<Filter<CustomerDocument>> | null {
  if (condition.type === 'any') {
    // Who can match any part: those who can match each part, when every part narrows.
    const filters: Array<Filter<CustomerDocument>> = [];
    for (const part of condition.conditions) {
      const found = candidateFilters(part, history);
      if (found === null) return null;
      filters.push(...found);
    }
    return filters;
  }
  const narrow = narrowingFilter(condition);
  const candidates = history === undefined ? null : candidatesOf(condition, history);
  if (candidates === null) return narrow === null ? null : [narrow];
  const filters: Array<Filter<CustomerDocument>> = [];
  for (let i = 0; i < candidates.length; i += 1_000) {
    const ids: Filter<CustomerDocument> = { _id: { $in: candidates.slice(i, i + 1_000) } };
    filters.push(narrow === null ? ids : { $and: [narrow, ids] });
  }
  return filters;
}

/**
 * The customers `filters` find, each once however many filters find them (the parts of `any`,
 * a segment's members and its rule's candidates overlap).
 */
export async function* customersFoundBy(db: Db, filters: ReadonlyArray<Filter<CustomerDocument>>): AsyncGenerator<CustomerDocument> {
  const seen = new Set<string>();
  for (const filter of filters) {
    for await (const doc of customersCollection(db).find(filter, { batchSize: 10_000 })) {
      if (seen.has(doc._id)) continue;
      seen.add(doc._id);
      yield doc;
    }
  }
}

/**
 * The customers whose membership of segment `id` can change when its rule becomes `condition`:
 * its members now (they may leave) and those who can match the rule (they may enter), as
 * filters on what the indexes serve; null when the rule names nothing to narrow by.
 */
export async function segmentChangeFilters(db: Db, id: string, condition: ProfileCondition, now: Date): Promise<Array<Filter<CustomerDocument>> | null> {
  const entering = candidateFilters(condition, await tallyEventHistory(db, [condition], now.getTime(), null));
  return entering === null ? null : [{ 'computed.segments': id }, ...entering];
}

/**
 * Evaluates a draft rule over the customers at `now` (before saving it): the count and the first
 * `sampleSize` members by id. A rule on a stage, an RFM cell, a segment or a tag reads only the
 * customers the indexes find for it (`narrowingFilter`), in one cursor, one on having done an
 * event at least N times only those whose tallies say so (`candidatesOf`), by id, and `any` of
 * such rules those of each (`candidateFilters`); any other reads every customer, page by page
 * in id order. Either way every customer read is evaluated in
 * application code, so the answer is the same.
 */
export async function previewSegment(
  db: Db,
  condition: ProfileCondition,
  now: Date,
  sampleSize: number,
  pageSize = 2000,
): Promise<{ count: number; sample: CustomerProfile[] }> {
  // Event-history conditions: each one's events read once (store/eventHistory.ts), as the lifecycle's full pass does.
  const history = await tallyEventHistory(db, [condition], now.getTime(), null);
  let count = 0;
  // The `sampleSize` smallest ids among the matches, in order (pages in id order fill it first).
  let sample: CustomerProfile[] = [];
  const consider = (doc: CustomerDocument) => {
    const customer = toProfile(doc);
    if (!evaluateCondition(condition, { customer, now: now.getTime(), history: history?.of(customer.id) })) return;
    count++;
    if (sample.length === sampleSize && (sampleSize === 0 || customer.id >= (sample.at(-1)?.id ?? ''))) return;
    sample = [...sample, customer].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(0, sampleSize);
  };
  const filters = candidateFilters(condition, history);
  if (filters !== null) {
    for await (const doc of customersFoundBy(db, filters)) consider(doc);
    return { count, sample };
  }
  let after: string | null = null;
  for (;;) {
    const filter: Partial<Record<'_id', { $gt: string }>> = after === null ? {} : { _id: { $gt: after } };
    const page: CustomerDocument[] = await customersCollection(db).find(filter).sort({ _id: 1 }).limit(pageSize).toArray();
    for (const doc of page) consider(doc);
    const last = page.at(-1);
    if (last === undefined || page.length < pageSize) return { count, sample };
    after = last._id;
  }
}
