import type { Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerEvent } from '../journey/event.ts';
import { DAY } from '../journey/time.ts';
import { testDatabase } from '../test/db.ts';
import { customersCollection, getCustomer } from './customers.ts';
import { applyEventToProfile, eventsCollection, insertEvent } from './events.ts';
import type { LifecycleChange } from './lifecycle.ts';
import { dailyLifecycle, getLifecycleBase, recomputeLifecycle, saveLifecycleSettings, sweepLifecycle, updateCustomerLifecycle } from './lifecycle.ts';
import {
  countSegmentMembers,
  createSegment,
  deleteSegment,
  ensureBuiltinSegments,
  previewSegment,
  sampleSegmentMembers,
  SegmentExistsError,
  updateSegment,
} from './segments.ts';

const now = new Date('2025-06-01T00:00:00Z');
const daysAgo = (days: number, from = now) => new Date(from.getTime() - days * DAY);

/** Stores an event and folds it in, as ingestion does (without the lifecycle hook). */
async function store(db: Db, event: Omit<CustomerEvent, 'properties'> & { properties?: CustomerEvent['properties'] }, receivedAt = now) {
  const { event: stored } = await insertEvent(db, { properties: {}, ...event }, receivedAt);
  await applyEventToProfile(db, stored, receivedAt);
  return stored;
}

/** `n` orders from `first` to `last` days ago, evenly spaced, `spend` in total. */
async function orders(db: Db, customerId: string, n: number, spend: number, first: number, last: number) {
  for (let i = 0; i < n; i++) {
    const days = n === 1 ? first : first - ((first - last) * i) / (n - 1);
    await store(db, { type: 'order_completed', customerId, at: daysAgo(days).toISOString(), properties: { amount: spend / n } });
  }
}

async function eventsOf(db: Db, type: string) {
  return eventsCollection(db).find({ type }).sort({ customerId: 1 }).toArray();
}

/** The worked example's shop (journey/lifecycle/worked-example.test.ts), folded as ingestion does. */
async function workedExample(db: Db): Promise<void> {
    await ensureBuiltinSegments(db, now);
    await orders(db, 'A', 12, 1500, 300, 2);
    await orders(db, 'B', 8, 900, 80, 30);
    await orders(db, 'C', 5, 400, 150, 10);
    await orders(db, 'D', 1, 60, 8, 8);
    await orders(db, 'E', 3, 250, 120, 40);
    await orders(db, 'F', 6, 700, 400, 100);
    await orders(db, 'G', 4, 500, 300, 70);
    await orders(db, 'H', 1, 30, 400, 400);
    await orders(db, 'I', 2, 300, 120, 20);
    await orders(db, 'J', 1, 45, 60, 60);
    await store(db, { type: 'signed_up', customerId: 'K', at: daysAgo(5).toISOString() });
    await store(db, { type: 'survey_answered', customerId: 'H', at: daysAgo(300).toISOString(), properties: { score: 3 } });
    await store(db, { type: 'survey_answered', customerId: 'A', at: daysAgo(1).toISOString(), properties: { survey: 'csat', score: 5 } });
}

describe('full recompute of the hand-computed base (journey/lifecycle/worked-example.test.ts)', () => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await testDatabase());
    await workedExample(db);
  });
  afterAll(() => close());

  it('scores every customer, stores the base and records each change once', async () => {
    const emitted: LifecycleChange[] = [];
    const report = await recomputeLifecycle(db, now, { emit: async (changes) => void emitted.push(...changes), batchSize: 4 });
    expect(report).toMatchObject({ customers: 11, updated: 11, conflicts: 0, invalid: 0 });
    expect(await getLifecycleBase(db)).toMatchObject({
      customers: 11,
      purchasers: 10,
      rfmCuts: { recency: [8, 20, 40, 70], frequency: [1, 2, 4, 6], monetary: [45, 250, 400, 700] },
      valueCuts: { high: 700, mid: 300 },
      medianGapDays: 40,
    });
    const expected = {
      A: ['champions', 'high', 0, 'active', ['champions']],
      B: ['loyal', 'high', 1, 'atRisk', ['at-risk', 'high-value-at-risk']],
      C: ['loyal', 'mid', 0, 'active', []],
      D: ['new', 'low', 0, 'new', []],
      E: ['loyal', 'low', 0, 'active', []],
      F: ['cantLose', 'mid', 0.333, 'dormant', ['dormant-90d']],
      G: ['atRisk', 'mid', 0, 'atRisk', ['at-risk']],
      H: ['lost', 'low', 1, 'churned', ['nps-detractors']],
      I: ['potential', 'low', 0, 'wonBack', []],
      J: ['hibernating', 'low', 0.25, 'atRisk', ['at-risk']],
    } as const;
    for (const [id, [cell, tier, risk, stage, segments]] of Object.entries(expected)) {
      const c = (await getCustomer(db, id))?.computed;
      expect({ id, cell: c?.rfm?.cell, tier: c?.valueTier, risk: c?.churnRisk, stage: c?.stage, segments: c?.segments }).toEqual({
        id,
        cell,
        tier,
        risk,
        stage,
        segments,
      });
    }
    expect((await getCustomer(db, 'K'))?.computed).toMatchObject({ stage: 'prospect', valueTier: 'low', segments: [] });
    expect((await getCustomer(db, 'H'))?.computed.nps).toBe(3);

    const stageEvents = await eventsOf(db, 'stage_changed');
    expect(stageEvents.map((e) => `${e.customerId}:${String(e.properties['to'])}`)).toEqual([
      'A:active', 'B:atRisk', 'C:active', 'D:new', 'E:active', 'F:dormant', 'G:atRisk', 'H:churned', 'I:wonBack', 'J:atRisk',
    ]);
    expect(await eventsCollection(db).countDocuments({ type: 'rfm_changed' })).toBe(10);
    expect((await eventsOf(db, 'segment_entered')).map((e) => `${e.customerId}:${String(e.properties['segment'])}`)).toEqual([
      'A:champions', 'B:at-risk', 'B:high-value-at-risk', 'F:dormant-90d', 'G:at-risk', 'H:nps-detractors', 'J:at-risk',
    ]);
    expect(emitted).toHaveLength(report.events);
    expect(emitted.find((c) => c.event.customerId === 'F' && c.event.type === 'stage_changed')?.customer.computed.stage).toBe('dormant');
  });

  it('changes and records nothing when run again', async () => {
    const again = await recomputeLifecycle(db, now);
    expect(again).toMatchObject({ customers: 11, updated: 0, events: 0 });
  });

  it('records a change at most once a day, even when a write was lost', async () => {
    // As if the process died after recording F's stage change but before writing F.
    await customersCollection(db).updateOne({ _id: 'F' }, { $set: { 'lifecycle.stage': 'atRisk' } });
    const emitted: LifecycleChange[] = [];
    const report = await sweepLifecycle(db, now, { emit: async (changes) => void emitted.push(...changes) });
    expect(report).toMatchObject({ updated: 1, events: 0 });
    expect(emitted).toEqual([]);
  });

  it('moves a dormant customer who buys to won back on the incremental path', async () => {
    const later = new Date(now.getTime() + 3_600_000);
    const order = await store(db, { type: 'order_completed', customerId: 'F', at: later.toISOString(), properties: { amount: 80 } }, later);
    const { customer, changes } = await updateCustomerLifecycle(db, order, later);
    expect(customer?.computed).toMatchObject({ stage: 'wonBack', orderCount: 7, totalSpend: 780 });
    expect(changes.map((c) => [c.event.type, c.event.properties])).toEqual(
      expect.arrayContaining([
        ['stage_changed', { from: 'dormant', to: 'wonBack' }],
        ['segment_left', { segment: 'dormant-90d' }],
      ]),
    );
    expect((await updateCustomerLifecycle(db, order, later)).changes).toEqual([]);
  });

  it('keeps aggregates of events that arrive during a recompute', async () => {
    // An order received after the recompute started: folded into the profile, not yet read.
    const start = new Date(now.getTime() + 2 * 3_600_000);
    const later = new Date(start.getTime() + 1000);
    await store(db, { type: 'order_completed', customerId: 'D', at: later.toISOString(), properties: { amount: 40 } }, later);
    await recomputeLifecycle(db, start);
    expect((await getCustomer(db, 'D'))?.computed).toMatchObject({ orderCount: 2, totalSpend: 100 });
  });
});

describe('the daily run', () => {
  it('scores from the profiles exactly as the full recompute from events does, reading no event', async () => {
    const [fromEvents, fromProfiles] = await Promise.all([testDatabase(), testDatabase()]);
    try {
      await Promise.all([workedExample(fromEvents.db), workedExample(fromProfiles.db)]);
      // Profiles as the event pipeline keeps them (orders and survey answers folded in).
      await Promise.all([recomputeLifecycle(fromEvents.db, now), recomputeLifecycle(fromProfiles.db, now)]);
      const later = new Date(now.getTime() + 40 * DAY);
      await recomputeLifecycle(fromEvents.db, later);
      // The daily run must not need the events: they are gone here.
      await eventsCollection(fromProfiles.db).deleteMany({});
      const daily = await dailyLifecycle(fromProfiles.db, later);
      expect(daily.customers).toBe(11);
      const scores = async (db: Db) =>
        (await customersCollection(db).find({}).sort({ _id: 1 }).toArray()).map((c) => ({ id: c._id, stage: c.computed.stage, rfm: c.computed.rfm, segments: c.computed.segments }));
      expect(await scores(fromProfiles.db)).toEqual(await scores(fromEvents.db));
      expect(await getLifecycleBase(fromProfiles.db)).toEqual(await getLifecycleBase(fromEvents.db));
    } finally {
      await Promise.all([fromEvents.close(), fromProfiles.close()]);
    }
  });
});

describe('a customer who stops buying', () => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await testDatabase());
    await ensureBuiltinSegments(db, now);
  });
  afterAll(() => close());

  it('becomes new, active, at risk, then dormant as days pass, each change recorded once', async () => {
    const start = now.getTime();
    const entered: string[] = [];
    const emit = async (changes: readonly LifecycleChange[]) => {
      for (const { event } of changes) if (event.type === 'segment_entered' && event.properties['segment'] === 'dormant-90d') entered.push(event.customerId);
    };
    const stageOn: Record<number, string | undefined> = {};
    for (let day = 0; day <= 200; day++) {
      const today = new Date(start + day * DAY + 9 * 3_600_000);
      if (day <= 90 && day % 10 === 0) {
        const order = await store(db, { type: 'order_completed', customerId: 'Z', at: today.toISOString(), properties: { amount: 20 } }, today);
        await updateCustomerLifecycle(db, order, today, { emit });
      }
      // The sweep runs twice a day here; it must record nothing the second time.
      await sweepLifecycle(db, today, { emit });
      await sweepLifecycle(db, new Date(today.getTime() + 6 * 3_600_000), { emit });
      stageOn[day] = (await getCustomer(db, 'Z'))?.computed.stage;
    }
    expect([stageOn[0], stageOn[29], stageOn[30], stageOn[109], stageOn[110], stageOn[179], stageOn[180], stageOn[200]]).toEqual([
      'new', 'new', 'active', 'active', 'atRisk', 'atRisk', 'dormant', 'dormant',
    ]);
    const changes = await eventsCollection(db).find({ type: 'stage_changed', customerId: 'Z' }).sort({ at: 1 }).toArray();
    expect(changes.map((e) => `${String(e.properties['from'])}→${String(e.properties['to'])}`)).toEqual([
      'prospect→new', 'new→active', 'active→atRisk', 'atRisk→dormant',
    ]);
    expect(entered).toEqual(['Z']);
  });
});

describe('segments', () => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await testDatabase());
    await orders(db, 'big', 3, 900, 50, 5);
    await orders(db, 'small', 1, 20, 5, 5);
    await orders(db, 'mid', 2, 300, 40, 10);
  });
  afterAll(() => close());

  const bigSpenders = { type: 'attribute', attribute: 'totalSpend', op: 'gte', value: 250 } as const;

  it('previews, materialises, counts, samples, updates and deletes a segment', async () => {
    expect((await previewSegment(db, bigSpenders, now, 1, 2)).count).toBe(2);
    await createSegment(db, { id: 'big-spenders', name: 'Big spenders', description: '', condition: bigSpenders }, now);
    await expect(createSegment(db, { id: 'big-spenders', name: 'Again', description: '', condition: bigSpenders }, now)).rejects.toBeInstanceOf(
      SegmentExistsError,
    );
    const emitted: LifecycleChange[] = [];
    await sweepLifecycle(db, now, { emit: async (c) => void emitted.push(...c) });
    expect(await countSegmentMembers(db, 'big-spenders')).toBe(2);
    expect((await sampleSegmentMembers(db, 'big-spenders', 5)).map((c) => c.id)).toEqual(['big', 'mid']);
    const [one, ...more] = await sampleSegmentMembers(db, 'big-spenders', 1);
    expect(more).toEqual([]);
    expect(['big', 'mid']).toContain(one?.id);
    expect(emitted.filter((c) => c.event.type === 'segment_entered').map((c) => c.event.customerId)).toEqual(['big', 'mid']);

    await updateSegment(db, 'big-spenders', { name: 'Big spenders', description: '', condition: { ...bigSpenders, value: 500 } }, now);
    const left: string[] = [];
    await sweepLifecycle(db, now, { emit: async (c) => void left.push(...c.filter((x) => x.event.type === 'segment_left').map((x) => x.event.customerId)) });
    expect(left).toEqual(['mid']);
    expect(await countSegmentMembers(db, 'big-spenders')).toBe(1);

    expect(await deleteSegment(db, 'big-spenders')).toBe(true);
    expect((await getCustomer(db, 'big'))?.computed.segments).toEqual([]);
    expect(await deleteSegment(db, 'big-spenders')).toBe(false);
  });

  it('applies saved stage thresholds', async () => {
    await saveLifecycleSettings(db, { stages: { atRiskDays: 3, dormantDays: 7, churnedDays: 30 } }, now);
    // One order 5 days ago: new by default, at risk from 3 days on.
    await sweepLifecycle(db, now);
    expect((await getCustomer(db, 'small'))?.computed.stage).toBe('atRisk');
    await sweepLifecycle(db, new Date(now.getTime() + 3 * DAY));
    expect((await getCustomer(db, 'small'))?.computed.stage).toBe('dormant');
  });
});
