import fc from 'fast-check';
import type { Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProfileCondition } from '../journey/condition.ts';
import { eventKey } from '../journey/event.ts';
import { DAY } from '../journey/time.ts';
import { testDatabase } from '../test/db.ts';
import { customersCollection, upsertCustomer } from './customers.ts';
import { insertEvent } from './events.ts';
import { foldAndRescore, recomputeLifecycle, sweepLifecycle, sweepSegmentChange } from './lifecycle.ts';
import { lifecycleCounts, recountLifecycle } from './lifecycleRollup.ts';
import { createSegment, getSegment, segmentChangeFilters, segmentMembersPage, updateSegment } from './segments.ts';

/**
 * Saving a segment re-evaluates only the customers whose membership can change (its members,
 * and those its rule's indexes or event tallies find): afterwards, a sweep of every customer at
 * the same moment must find nothing left to change, the counters must equal a recount, and the
 * member list must be exactly the customers who carry the segment — whatever the old and new
 * rules, narrowed or not, and for a segment whose rule is membership of the one changed.
 */
const now = new Date('2025-06-01T00:00:00Z');
const tags = ['vip', 'b2b', 'trial'] as const;
const stages = ['prospect', 'new', 'active', 'atRisk', 'dormant', 'churned'] as const;
const cells = ['champions', 'loyal', 'potential', 'new', 'atRisk', 'cantLose', 'hibernating', 'lost'] as const;

let db: Db;
let close: () => Promise<void>;
let sequence = 0;

async function order(customerId: string, daysAgo: number, amount: number): Promise<void> {
  const { event } = await insertEvent(db, { id: `e-${sequence++}`, customerId, type: 'order_completed', at: new Date(now.getTime() - daysAgo * DAY).toISOString(), properties: { amount } }, now);
  await foldAndRescore(db, [{ customerId, events: [{ key: eventKey(customerId, event.id), event }] }], now);
}

beforeAll(async () => {
  ({ db, close } = await testDatabase());
  for (let i = 0; i < 48; i++) {
    const id = `r-${String((i * 29) % 48).padStart(2, '0')}`;
    await upsertCustomer(db, id, { email: `${id}@example.com`, tags: tags.filter((_, k) => (i >> k) % 2 === 1) }, now);
    // None for some (prospects), up to four orders for others, at every distance from today.
    for (let k = 0; k < i % 5; k++) await order(id, (i * 13 + k * 41) % 400, 20 + ((i * 7 + k) % 9) * 30);
  }
  await recomputeLifecycle(db, now);
  await sweepLifecycle(db, now);
}, 120_000);
afterAll(() => close());

const own = fc.oneof(
  fc.subarray([...stages], { minLength: 1 }).map((s): ProfileCondition => ({ type: 'stage', stages: s })),
  fc.subarray([...cells], { minLength: 1 }).map((c): ProfileCondition => ({ type: 'rfm', cells: c })),
  fc.record({ tag: fc.constantFrom(...tags), present: fc.boolean() }).map((r): ProfileCondition => ({ type: 'tag', ...r })),
  fc.integer({ min: 0, max: 300 }).map((value): ProfileCondition => ({ type: 'attribute', attribute: 'totalSpend', op: 'gte', value })),
  fc
    .record({ attribute: fc.constantFrom('stage', 'rfmCell'), value: fc.array(fc.constantFrom(...stages, ...cells, 'AtRisk', 'CHAMPIONS'), { minLength: 1, maxLength: 3 }) })
    .map((r): ProfileCondition => ({ type: 'attribute', attribute: r.attribute, op: 'in', value: r.value })),
  fc
    .record({ did: fc.boolean(), atLeast: fc.integer({ min: 1, max: 3 }), withinDays: fc.constantFrom(90, 365) })
    .map((r): ProfileCondition => ({ type: 'eventHistory', eventType: 'order_completed', where: [], ...r })),
);
const ruleOf = (simple: fc.Arbitrary<ProfileCondition>) =>
  fc.oneof(
    { weight: 3, arbitrary: simple },
    { weight: 2, arbitrary: fc.array(simple, { minLength: 1, maxLength: 3 }).map((cs) => ({ type: 'all', conditions: cs }) as ProfileCondition) },
    { weight: 1, arbitrary: fc.array(simple, { minLength: 1, maxLength: 2 }).map((cs) => ({ type: 'any', conditions: cs }) as ProfileCondition) },
  );
/** `dependent`'s rules may name membership of `base` (the one whose rule changes most). */
const save = fc.oneof(
  ruleOf(own).map((condition) => ({ id: 'base', condition })),
  ruleOf(fc.oneof(own, fc.boolean().map((member): ProfileCondition => ({ type: 'segment', segment: 'base', member })))).map((condition) => ({ id: 'dependent', condition })),
);

/** What saving a segment does (runtime/pipeline.ts `refreshSegment`), without the routing. */
async function saveAndRefresh(id: string, condition: ProfileCondition): Promise<boolean> {
  if ((await getSegment(db, id)) === null) await createSegment(db, { id, name: id, description: '', condition }, now);
  else await updateSegment(db, id, { name: id, description: '', condition }, now);
  await sweepSegmentChange(db, id, condition, now);
  return (await segmentChangeFilters(db, id, condition, now)) !== null;
}

async function membersOf(id: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await segmentMembersPage(db, id, { limit: 20, ...(cursor === undefined ? {} : { cursor }) });
    ids.push(...page.items.map((c) => c.id));
    if (page.nextCursor === null) return ids;
    cursor = page.nextCursor;
  }
}

describe('saving a segment', () => {
  it('re-evaluates everyone whose membership can change, and only reads them when the rule narrows (property-based)', async () => {
    let narrowed = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(save, { minLength: 1, maxLength: 3 }), async (saves) => {
        for (const { id, condition } of saves) if (await saveAndRefresh(id, condition)) narrowed++;
        const counts = await lifecycleCounts(db);
        // Nothing left for a sweep of everyone to change, in the profiles or the counters.
        const full = await sweepLifecycle(db, now);
        expect({ saves, updated: full.updated }).toEqual({ saves, updated: 0 });
        expect(counts).toEqual(await recountLifecycle(db));
        for (const id of ['base', 'dependent']) {
          const carrying = (await customersCollection(db).find({ 'computed.segments': id }, { projection: { _id: 1 } }).toArray()).map((c) => c._id).sort();
          expect({ id, members: await membersOf(id) }).toEqual({ id, members: carrying });
          expect(counts.segments[id] ?? 0).toBe(carrying.length);
        }
      }),
      { numRuns: 30 },
    );
    expect(narrowed).toBeGreaterThan(10);
  }, 240_000);
});
