import fc from 'fast-check';
import type { Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateProfileAction } from '../activities/update.ts';
import type { ActionRequest } from '../activities/types.ts';
import { eventKey } from '../journey/event.ts';
import { DAY } from '../journey/time.ts';
import { eraseCustomer } from '../runtime/erasure.ts';
import { testDatabase } from '../test/db.ts';
import { audienceQuery, bulkUpsertCustomers, customersCollection, freshCustomerDocument, pageAudience, searchCustomers, upsertCustomer } from './customers.ts';
import type { AudienceFilter } from './customers.ts';
import { ensureIndexes } from './db.ts';
import { insertEvent } from './events.ts';
import { foldAndRescore, recomputeLifecycle, sweepLifecycle } from './lifecycle.ts';
import { backfillMemberships, membershipId, membershipsCollection } from './segmentMembers.ts';
import { createSegment, deleteSegment, ensureBuiltinSegments, listSegments, updateSegment } from './segments.ts';

const start = new Date('2025-06-01T00:00:00Z');
/** Tags whose ids nest (`vip` is a prefix of `vip:x`) and one with the separator in it. */
const tags = ['vip', 'vip:x', 'a:b', 'new'] as const;
const tagSet = fc.uniqueArray(fc.constantFrom(...tags), { maxLength: 3 });

const operation = fc.oneof(
  fc.record({ kind: fc.constant('order' as const), daysAgo: fc.integer({ min: 0, max: 400 }), amount: fc.integer({ min: 1, max: 900 }) }),
  fc.record({ kind: fc.constant('tags' as const), tags: tagSet }),
  fc.record({ kind: fc.constant('journeyTags' as const), add: tagSet, remove: tagSet }),
  fc.record({ kind: fc.constant('import' as const), tags: tagSet, again: fc.option(tagSet, { nil: undefined }) }),
  fc.record({ kind: fc.constant('erase' as const) }),
);
type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

/** What happens to the segments themselves between batches: a rule edit (and its sweep), a deletion, nothing. */
const segmentChange = fc.constantFrom('none', 'edit', 'delete', 'sweep');

let sequence = 0;

/** Erasure's own steps; no journey runs exist here, so there is nothing to cancel. */
const noRuns = { cancelCustomerJourneys: async () => ({ cancelled: 0 }) };

async function apply(db: Db, customerId: string, op: Operation, now: Date): Promise<void> {
  switch (op.kind) {
    case 'order': {
      const { event } = await insertEvent(db, { id: `e-${sequence++}`, customerId, type: 'order_completed', at: new Date(now.getTime() - op.daysAgo * DAY).toISOString(), properties: { amount: op.amount } }, now);
      await foldAndRescore(db, [{ customerId, events: [{ key: eventKey(customerId, event.id), event }] }], now);
      return;
    }
    case 'tags':
      await upsertCustomer(db, customerId, { tags: [...op.tags] }, now);
      return;
    case 'journeyTags': {
      if ((await customersCollection(db).countDocuments({ _id: customerId })) === 0) return;
      const operations = [...op.add.map((tag) => ({ op: 'addTag' as const, tag })), ...op.remove.map((tag) => ({ op: 'removeTag' as const, tag }))];
      // Only the action's config and customer are read by the update step.
      await updateProfileAction(db, { action: { kind: 'update', config: { operations } }, customerId } as unknown as ActionRequest<'update'>);
      return;
    }
    case 'import': {
      const rows = [{ id: customerId, fields: { tags: [...op.tags] } }, ...(op.again === undefined ? [] : [{ id: customerId, fields: { tags: [...op.again] } }])];
      await bulkUpsertCustomers(db, rows, now);
      return;
    }
    case 'erase':
      await eraseCustomer({ db, runtime: noRuns }, customerId, now);
      return;
  }
}

/** The memberships by definition: a scan of every customer's segments and tags. */
async function scanned(db: Db): Promise<string[]> {
  const ids: string[] = [];
  for (const doc of await customersCollection(db).find({}).toArray()) {
    for (const segment of new Set(doc.computed.segments)) ids.push(membershipId('segment', segment, doc._id));
    for (const tag of new Set(doc.tags)) ids.push(membershipId('tag', tag, doc._id));
  }
  return ids.sort();
}

async function stored(db: Db): Promise<string[]> {
  const docs = await membershipsCollection(db).find({ kind: { $in: ['segment', 'tag'] } }).toArray();
  return docs.map((doc) => doc._id).sort();
}

/** Every page of the customer list by `filter`, three at a time. */
async function pageAll(db: Db, filter: { segment?: string; tag?: string }): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await searchCustomers(db, filter, { limit: 3, cursor });
    out.push(...page.items.map((c) => c.id));
    if (page.nextCursor === null) return out;
    cursor = page.nextCursor;
  }
}

/** Every page of a campaign audience, three at a time, against what its filter finds in one read. */
async function audiencePages(db: Db, audience: AudienceFilter, now: Date): Promise<{ paged: string[]; scanned: string[] }> {
  const paged: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await pageAudience(db, audience, now, { limit: 3, cursor });
    paged.push(...page.items.map((c) => c.id));
    if (page.nextCursor === null) break;
    cursor = page.nextCursor;
  }
  const scanned = (await customersCollection(db).find(audienceQuery(audience, now)).toArray()).map((c) => c._id).sort();
  return { paged, scanned };
}

const repeatBuyers = { id: 'repeat-buyers', name: 'Repeat buyers', description: 'Two orders or more.', condition: { type: 'attribute' as const, attribute: 'orderCount', op: 'gte' as const, value: 2 } };

describe('segment and tag memberships', () => {
  let env: Awaited<ReturnType<typeof testDatabase>>;
  beforeAll(async () => {
    env = await testDatabase();
    await ensureIndexes(env.db);
    await ensureBuiltinSegments(env.db, start);
    await createSegment(env.db, repeatBuyers, start);
    // A base model, so RFM-based built-in segments have members too.
    for (let i = 0; i < 6; i++) await apply(env.db, `seed-${i}`, { kind: 'order', daysAgo: 20 * i, amount: 100 * (i + 1) }, start);
    await recomputeLifecycle(env.db, start);
  });
  afterAll(() => env.close());

  it('equal a scan of the customers after any mix of events, tag edits, imports, erasures and segment edits, and page exactly', async () => {
    let day = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ customer: fc.integer({ min: 0, max: 7 }), operation }), { minLength: 1, maxLength: 14 }), segmentChange, async (steps, change) => {
        const { db } = env;
        const now = new Date(start.getTime() + day++ * DAY);
        // Customers' operations interleave; one customer's stay in order.
        const byCustomer = new Map<number, Operation[]>();
        for (const s of steps) byCustomer.set(s.customer, [...(byCustomer.get(s.customer) ?? []), s.operation]);
        await Promise.all([...byCustomer].map(async ([customer, list]) => {
          for (const op of list) await apply(db, `c-${customer}`, op, now);
        }));
        const later = new Date(now.getTime() + 60 * DAY);
        if (change === 'edit') {
          // What PUT /v1/segments/{id} does: the rule, then a sweep.
          const value = 1 + (day % 3);
          await updateSegment(db, repeatBuyers.id, { ...repeatBuyers, condition: { ...repeatBuyers.condition, value } }, now);
          await sweepLifecycle(db, later);
        } else if (change === 'delete') {
          await deleteSegment(db, repeatBuyers.id);
          expect(await stored(db)).toEqual(await scanned(db));
          await createSegment(db, repeatBuyers, now);
          await sweepLifecycle(db, later);
        } else if (change === 'sweep') await sweepLifecycle(db, later);
        expect(await stored(db)).toEqual(await scanned(db));
        // Every list by segment and tag, page by page, is what a filter on the documents says, once each, by id.
        for (const segment of await listSegments(db)) {
          const members = (await customersCollection(db).find({ 'computed.segments': segment.id }).toArray()).map((c) => c._id).sort();
          expect(await pageAll(db, { segment: segment.id })).toEqual(members);
        }
        for (const tag of tags) {
          const members = (await customersCollection(db).find({ tags: tag }).toArray()).map((c) => c._id).sort();
          expect(await pageAll(db, { tag })).toEqual(members);
          // A campaign of one tag (alone, or with a criterion some members fail) pages through the memberships.
          for (const audience of [{ tags: [tag] }, { tags: [tag], minOrders: 2 }]) {
            const { paged, scanned: all } = await audiencePages(db, audience, later);
            expect(paged).toEqual(all);
          }
        }
        const { paged, scanned: all } = await audiencePages(db, { segments: [repeatBuyers.id] }, later);
        expect(paged).toEqual(all);
      }),
      { numRuns: 15 },
    );
  }, 240_000);

  it('are backfilled once at start-up for customers stored before them', async () => {
    const { db, close } = await testDatabase();
    try {
      // Customers as an older version stored them: no memberships.
      const [one, two] = [freshCustomerDocument('old-1', start), freshCustomerDocument('old-2', start)];
      await customersCollection(db).insertMany([
        { ...one, tags: ['vip'], computed: { ...one.computed, segments: ['champions'] } },
        { ...two, tags: ['vip', 'new'] },
      ]);
      await ensureIndexes(db);
      expect(await stored(db)).toEqual(await scanned(db));
      expect(await pageAll(db, { tag: 'vip' })).toEqual(['old-1', 'old-2']);
      expect(await pageAll(db, { segment: 'champions' })).toEqual(['old-1']);
      // Once: a second start reads the marker and rebuilds nothing.
      expect(await backfillMemberships(db)).toBe(0);
    } finally {
      await close();
    }
  });
});

