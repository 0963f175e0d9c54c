import fc from 'fast-check';
import type { Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LifecycleStage, RfmCell, ValueTier } from '../journey/customer.ts';
import { eventKey } from '../journey/event.ts';
import { DAY } from '../journey/time.ts';
import { testDatabase } from '../test/db.ts';
import { customersCollection, upsertCustomer } from './customers.ts';
import { insertEvent } from './events.ts';
import { dailyLifecycle, foldAndRescore, lifecycleOverview, recomputeLifecycle, sweepLifecycle } from './lifecycle.ts';
import { deleteCustomerCounted, lifecycleCounts, recountLifecycle, stageTrend, updateCustomerCounted } from './lifecycleRollup.ts';
import type { LifecycleCounts } from './lifecycleRollup.ts';
import { createSegment, deleteSegment, ensureBuiltinSegments, listSegments } from './segments.ts';

const start = new Date('2025-06-01T00:00:00Z');

/** Something that happens to a customer: an event through fold and score, a profile write, a journey's stage update, an erasure. */
const operation = fc.oneof(
  fc.record({ kind: fc.constant('order' as const), daysAgo: fc.integer({ min: 0, max: 400 }), amount: fc.integer({ min: 1, max: 900 }) }),
  fc.record({ kind: fc.constant('nps' as const), score: fc.integer({ min: 0, max: 10 }) }),
  fc.record({ kind: fc.constant('csat' as const), score: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ kind: fc.constant('visit' as const) }),
  fc.record({ kind: fc.constant('profile' as const) }),
  fc.record({ kind: fc.constant('setStage' as const), stage: fc.constantFrom(...LifecycleStage.options) }),
  fc.record({ kind: fc.constant('erase' as const) }),
);
type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

const step = fc.record({
  customer: fc.integer({ min: 0, max: 7 }),
  operation,
  /** A retried stage or activity does the same thing again. */
  twice: fc.boolean(),
  /** The retry runs at the same time as the first attempt (two processes took up the same events). */
  racing: fc.boolean(),
});

let sequence = 0;

/** Stores an event and folds and scores it as the event pipeline does (a retry passes the same event again). */
async function ingest(db: Db, customerId: string, type: string, properties: Record<string, string | number>, at: Date, now: Date, twice: boolean, racing: boolean) {
  const { event } = await insertEvent(db, { id: `e-${sequence++}`, customerId, type, at: at.toISOString(), properties }, now);
  const groups = [{ customerId, events: [{ key: eventKey(customerId, event.id), event }] }];
  if (twice && racing) {
    // Both read the customer before either writes: one fold takes effect, the other conflicts.
    await Promise.all([foldAndRescore(db, groups, now), foldAndRescore(db, groups, new Date(now.getTime() + 1))]);
    return;
  }
  await foldAndRescore(db, groups, now);
  if (twice) await foldAndRescore(db, groups, now);
}

async function apply(db: Db, customerId: string, op: Operation, now: Date, twice: boolean, racing = false): Promise<void> {
  const times = twice ? 2 : 1;
  switch (op.kind) {
    case 'order':
      return ingest(db, customerId, 'order_completed', { amount: op.amount }, new Date(now.getTime() - op.daysAgo * DAY), now, twice, racing);
    case 'nps':
      return ingest(db, customerId, 'survey_answered', { score: op.score }, now, now, twice, racing);
    case 'csat':
      return ingest(db, customerId, 'survey_answered', { survey: 'csat', score: op.score }, now, now, twice, racing);
    case 'visit':
      return ingest(db, customerId, 'page_viewed', {}, now, now, twice, racing);
    case 'profile':
      for (let i = 0; i < times; i++) await upsertCustomer(db, customerId, { name: 'Ada' }, now);
      return;
    case 'setStage':
      // What a journey's update step writes (activities/update.ts).
      for (let i = 0; i < times; i++) await updateCustomerCounted(db, { _id: customerId }, { $set: { 'computed.stage': op.stage, updatedAt: now.toISOString() } });
      return;
    case 'erase':
      for (let i = 0; i < times; i++) await deleteCustomerCounted(db, customerId);
      return;
  }
}

/** The counts by definition: one query per counter (what the reports read before the rollup). */
async function countByQuery(db: Db): Promise<LifecycleCounts> {
  const customers = customersCollection(db);
  const out: LifecycleCounts = { customers: await customers.countDocuments({}), stages: {}, rfmCells: {}, valueTiers: {}, segments: {}, nps: {}, csat: {}, rfmRevenue: {}, churn: {} };
  const put = (into: Partial<Record<string, number>>, key: string, n: number) => {
    if (n > 0) into[key] = n;
  };
  for (const stage of LifecycleStage.options) put(out.stages, stage, await customers.countDocuments({ 'computed.stage': stage }));
  for (const cell of RfmCell.options) put(out.rfmCells, cell, await customers.countDocuments({ 'computed.rfm.cell': cell }));
  for (const tier of ValueTier.options) put(out.valueTiers, tier, await customers.countDocuments({ 'computed.valueTier': tier }));
  for (const segment of await listSegments(db)) put(out.segments, segment.id, await customers.countDocuments({ 'computed.segments': segment.id }));
  for (let score = 0; score <= 10; score++) {
    put(out.nps, `s${score}`, await customers.countDocuments({ $or: [{ 'lifecycle.nps': score }, { 'lifecycle.nps': { $exists: false }, 'computed.nps': score }] }));
  }
  for (let score = 1; score <= 5; score++) put(out.csat, `s${score}`, await customers.countDocuments({ 'lifecycle.csat': score }));
  for (const cell of RfmCell.options) {
    const spends = await customers.find({ 'computed.rfm.cell': cell }, { projection: { 'computed.totalSpend': 1 } }).toArray();
    put(out.rfmRevenue, cell, spends.reduce((sum, c) => sum + Math.round((c.computed.totalSpend ?? 0) * 100), 0));
  }
  for (const c of await customers.find({ 'computed.churnRisk': { $exists: true } }, { projection: { computed: 1 } }).toArray()) {
    const key = `b${Math.min(9, Math.floor((c.computed.churnRisk ?? 0) * 10))}_${c.computed.valueTier ?? 'unknown'}`;
    out.churn[key] = (out.churn[key] ?? 0) + 1;
  }
  return out;
}

describe('lifecycle rollup', () => {
  let env: Awaited<ReturnType<typeof testDatabase>>;
  beforeAll(async () => {
    env = await testDatabase();
    await ensureBuiltinSegments(env.db, start);
    await createSegment(env.db, { id: 'repeat-buyers', name: 'Repeat buyers', description: 'Two orders or more.', condition: { type: 'attribute', attribute: 'orderCount', op: 'gte', value: 2 } }, start);
    // A base model, so customers get RFM cells and value tiers.
    for (let i = 0; i < 6; i++) await apply(env.db, `seed-${i}`, { kind: 'order', daysAgo: 20 * i, amount: 100 * (i + 1) }, start, false);
    await recomputeLifecycle(env.db, start);
  });
  afterAll(() => env.close());

  it('matches a recount after any mix of events, retries, profile writes, stage updates, erasures and sweeps', async () => {
    let day = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 16 }), fc.boolean(), async (steps, sweep) => {
        const now = new Date(start.getTime() + day++ * DAY);
        // Customers' operations interleave; one customer's stay in order, as one pipeline batch's do.
        const byCustomer = new Map<number, typeof steps>();
        for (const s of steps) byCustomer.set(s.customer, [...(byCustomer.get(s.customer) ?? []), s]);
        await Promise.all([...byCustomer].map(async ([customer, list]) => {
          for (const s of list) await apply(env.db, `c-${customer}`, s.operation, now, s.twice, s.racing);
        }));
        // The passage of time: stages and segments move in the sweep (bulk writes, then a recount).
        if (sweep) await sweepLifecycle(env.db, new Date(now.getTime() + 120 * DAY));
        const expected = await countByQuery(env.db);
        expect(await lifecycleCounts(env.db)).toEqual(expected);
        expect(await recountLifecycle(env.db)).toEqual(expected);
      }),
      { numRuns: 25 },
    );
  }, 180_000);

  it('a pass over everyone counts a customer erased after it read them as erased', async () => {
    for (let i = 0; i < 3; i++) await apply(env.db, `pass-${i}`, { kind: 'order', daysAgo: 10, amount: 50 }, start, false);
    let meddled = false;
    await sweepLifecycle(env.db, new Date(start.getTime() + 400 * DAY), {
      // Between the pass's read and its writes: one of the customers it is about to write is erased.
      record: async () => {
        if (!meddled) {
          meddled = true;
          await deleteCustomerCounted(env.db, 'pass-1');
        }
        return [];
      },
    });
    expect(meddled).toBe(true);
    expect(await customersCollection(env.db).findOne({ _id: 'pass-1' })).toBeNull();
    expect(await lifecycleCounts(env.db)).toEqual(await countByQuery(env.db));
  });

  it('serves the overview and segment sizes, forgets a deleted segment, and keeps the daily trend', async () => {
    const { db } = env;
    const counts = await countByQuery(db);
    const overview = await lifecycleOverview(db);
    expect(overview.customers).toBe(counts.customers);
    expect(overview.stages).toEqual(counts.stages);
    const respondents = Object.values(counts.nps).reduce((a = 0, b = 0) => a + b, 0);
    expect(overview.nps.respondents).toBe(respondents);

    await deleteSegment(db, 'repeat-buyers');
    expect((await lifecycleCounts(db)).segments['repeat-buyers']).toBeUndefined();
    expect(await lifecycleCounts(db)).toEqual(await countByQuery(db));

    // No daily run yet: the trend is today's live counts only.
    const today = new Date('2026-03-10T12:00:00Z');
    expect(await stageTrend(db, 30, today)).toEqual([{ day: '2026-03-10', at: today.toISOString(), customers: counts.customers, stages: overview.stages }]);

    // The daily run stores the day's counts; the trend shows them next to today's live counts.
    const dailyAt = new Date('2026-03-10T03:00:00Z');
    await dailyLifecycle(db, dailyAt);
    const afterDaily = await countByQuery(db);
    await upsertCustomer(db, 'newcomer', { name: 'Bo' }, today);
    const tomorrow = new Date('2026-03-11T09:00:00Z');
    const trend = await stageTrend(db, 30, tomorrow);
    expect(trend).toEqual([
      { day: '2026-03-10', at: dailyAt.toISOString(), customers: afterDaily.customers, stages: afterDaily.stages },
      { day: '2026-03-11', at: tomorrow.toISOString(), customers: afterDaily.customers + 1, stages: { ...afterDaily.stages, prospect: (afterDaily.stages.prospect ?? 0) + 1 } },
    ]);
    // Thirty days on, that snapshot is out of the window.
    expect((await stageTrend(db, 30, new Date('2026-04-09T09:00:00Z'))).map((p) => p.day)).toEqual(['2026-04-09']);
  });
});
