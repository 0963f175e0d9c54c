import fc from 'fast-check';
import type { Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateCondition } from '../journey/condition.ts';
import type { ProfileCondition } from '../journey/condition.ts';
import { consentRecords } from '../journey/consent.ts';
import { testDatabase } from '../test/db.ts';
import { customersCollection, toProfile } from './customers.ts';
import type { CustomerDocument } from './customers.ts';
import { ensureIndexes } from './db.ts';
import { eventsCollection } from './events.ts';
import { tallyEventHistory } from './eventHistory.ts';
import { candidateFilters, previewSegment } from './segments.ts';
import { DAY } from '../journey/time.ts';

/**
 * A segment preview reads only the customers the indexes find for a rule on a stage, an RFM
 * cell (also as the attributes `stage` and `rfmCell`), a segment or a tag, for "did X at least N
 * times" only those whose tallies say so, and for `any` of such rules those of each part:
 * its count and sample must be exactly those of evaluating the rule
 * for every customer, whatever the rule (narrowed or not) and however the profiles are stored
 * (no computed fields at all: a prospect; tags missing).
 */
const now = new Date('2025-06-01T00:00:00Z');
const stages = ['prospect', 'new', 'active', 'atRisk', 'dormant', 'churned', 'wonBack'] as const;
const cells = ['champions', 'loyal', 'potential', 'new', 'atRisk', 'cantLose', 'hibernating', 'lost'] as const;
const tags = ['vip', 'b2b', 'trial'] as const;
const segmentIds = ['s-1', 's-2'] as const;

let db: Db;
let close: () => Promise<void>;
let everyone: CustomerDocument[] = [];

beforeAll(async () => {
  ({ db, close } = await testDatabase());
  await ensureIndexes(db);
  const at = now.toISOString();
  everyone = Array.from({ length: 160 }, (_, i): CustomerDocument => {
    const id = `c-${String((i * 37) % 160).padStart(3, '0')}`; // stored out of id order
    const base = { _id: id, email: `${id}@example.com`, locale: 'en', timezone: 'UTC', consent: consentRecords({ email: i % 3 !== 0, sms: false }, 'import', at), attributes: {}, createdAt: at, updatedAt: at };
    if (i % 11 === 0) return base as unknown as CustomerDocument; // no computed fields, no tags: a prospect
    return {
      ...base,
      tags: tags.filter((_, k) => (i >> k) % 2 === 1),
      computed: {
        stage: stages[i % stages.length] ?? 'prospect',
        orderCount: i % 5,
        totalSpend: (i % 7) * 40,
        segments: segmentIds.filter((_, k) => (i >> (k + 1)) % 3 === 0),
        ...(i % 4 === 0 ? {} : { rfm: { recency: 1 + (i % 5), frequency: 1 + (i % 4), monetary: 1 + (i % 3), cell: cells[i % cells.length] ?? 'new' } }),
      },
    } as unknown as CustomerDocument;
  });
  await customersCollection(db).insertMany(everyone);
  // Orders: none for some, up to four for others, some outside a 30-day window.
  const orders = everyone.flatMap((c, i) =>
    Array.from({ length: i % 5 }, (_, k) => ({
      _id: `o-${c._id}-${k}`,
      customerId: c._id,
      type: 'order_completed',
      at: new Date(now.getTime() - (k * 17 + (i % 3)) * DAY).toISOString(),
      properties: { amount: 10 + k },
      receivedAt: at,
    })),
  );
  await eventsCollection(db).insertMany(orders);
}, 60_000);
afterAll(() => close());

const simple = fc.oneof(
  fc.subarray([...stages], { minLength: 1 }).map((s): ProfileCondition => ({ type: 'stage', stages: s })),
  fc.subarray([...cells], { minLength: 1 }).map((c): ProfileCondition => ({ type: 'rfm', cells: c })),
  fc.record({ segment: fc.constantFrom(...segmentIds, 's-none'), member: fc.boolean() }).map((r): ProfileCondition => ({ type: 'segment', ...r })),
  fc.record({ tag: fc.constantFrom(...tags, 'none'), present: fc.boolean() }).map((r): ProfileCondition => ({ type: 'tag', ...r })),
  fc.constantFrom<ProfileCondition>({ type: 'attribute', attribute: 'totalSpend', op: 'gte', value: 120 }, { type: 'consent', channel: 'email', granted: true }),
  // Stage and RFM cell as attributes, spelled in any case, some not a stage or cell at all.
  fc
    .record({
      attribute: fc.constantFrom('stage', 'rfmCell'),
      op: fc.constantFrom('eq' as const, 'in' as const, 'neq' as const),
      value: fc.array(fc.constantFrom(...stages, ...cells, 'ACTIVE', 'Champions', 'Prospect', 'nobody', 3), { minLength: 1, maxLength: 3 }),
    })
    .map((r): ProfileCondition => ({ type: 'attribute', attribute: r.attribute, op: r.op, value: r.op === 'in' ? r.value : (r.value[0] ?? 'active') })),
  fc
    .record({ did: fc.boolean(), atLeast: fc.integer({ min: 1, max: 4 }), withinDays: fc.constantFrom(30, 90) })
    .map((r): ProfileCondition => ({ type: 'eventHistory', eventType: 'order_completed', where: [], ...r })),
);
const condition = fc.oneof(
  { weight: 3, arbitrary: simple },
  { weight: 2, arbitrary: fc.array(simple, { minLength: 1, maxLength: 3 }).map((cs) => ({ type: 'all', conditions: cs }) as ProfileCondition) },
  { weight: 1, arbitrary: fc.array(simple, { minLength: 1, maxLength: 3 }).map((cs) => ({ type: 'any', conditions: cs }) as ProfileCondition) },
);

describe('segment preview', () => {
  it('counts and samples exactly the customers the rule matches, narrowed or not (property-based)', async () => {
    let narrowed = 0;
    await fc.assert(
      fc.asyncProperty(condition, fc.integer({ min: 0, max: 12 }), async (rule, sampleSize) => {
        const history = await tallyEventHistory(db, [rule], now.getTime(), null);
        if (candidateFilters(rule, history) !== null) narrowed++;
        const expected = everyone
          .map(toProfile)
          .filter((customer) => evaluateCondition(rule, { customer, now: now.getTime(), history: history?.of(customer.id) }))
          .map((c) => c.id)
          .sort();
        const preview = await previewSegment(db, rule, now, sampleSize);
        expect({ rule, count: preview.count, sample: preview.sample.map((c) => c.id) }).toEqual({ rule, count: expected.length, sample: expected.slice(0, sampleSize) });
      }),
      { numRuns: 80 },
    );
    expect(narrowed).toBeGreaterThan(20);
  }, 120_000);
});
