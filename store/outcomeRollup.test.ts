import fc from 'fast-check';
import type { Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitionOf } from '../api/fixtures.ts';
import type { JourneyGraph } from '../journey/graph.ts';
import { DAY } from '../journey/time.ts';
import { testDatabase } from '../test/db.ts';
import { issueCoupon } from './coupons.ts';
import { deleteCustomerEvents, storeEvents } from './events.ts';
import { createJourney, publishVersion } from './journeys.ts';
import { journeyOutcomeReport, recountOutcomes } from './outcomeRollup.ts';
import { scanJourneyOutcomes } from './outcomes.ts';
import { deleteCustomerRuns, recordFirstRuns, recordRun } from './runs.ts';

// The outcome counters against the scan: after any mix of entries, split steps passed, exits,
// goal and other events inside and outside the window, coupons, erasures and retried writes,
// the default report read from the counters equals the scan of every entrant.

const HOUR = 3_600_000;
const start = Date.UTC(2026, 2, 1, 9);

/** Something that happens to a customer of the journey. */
const operation = fc.oneof(
  fc.record({ kind: fc.constant('enter' as const) }),
  fc.record({ kind: fc.constant('split' as const) }),
  fc.record({ kind: fc.constant('exit' as const) }),
  fc.record({
    kind: fc.constant('event' as const),
    type: fc.constantFrom('plan_upgraded', 'order_completed', 'coupon_redeemed', 'stage_changed', 'page_viewed'),
    /** When it happened, against the clock: before entry, inside the 5-day window or after it. */
    hours: fc.integer({ min: -240, max: 240 }),
    value: fc.integer({ min: 0, max: 3 }),
  }),
  fc.record({ kind: fc.constant('coupon' as const), hours: fc.integer({ min: -48, max: 200 }) }),
  fc.record({ kind: fc.constant('erase' as const) }),
);
type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

const step = fc.record({
  customer: fc.integer({ min: 0, max: 5 }),
  operation,
  /** Time passing before it (up to three days: entries fall on different days). */
  advance: fc.integer({ min: 0, max: 72 }),
  /** A retried activity or batch does the same write again. */
  twice: fc.boolean(),
  /** The retry runs at the same time as the first attempt (two processes took up the same work). */
  racing: fc.boolean(),
});

let round = 0;
let sequence = 0;

function graphOf(id: string, windowDays: number): JourneyGraph {
  const at = (y: number) => ({ x: 0, y });
  return {
    schemaVersion: 1,
    id,
    name: 'Outcome counters',
    nodes: [
      { id: 'trigger', kind: 'api', config: {}, position: at(0) },
      { id: 'split', kind: 'split', config: { arms: [{ id: 'a', label: 'A', weight: 50 }], holdout: { weight: 50 } }, position: at(100) },
      { id: 'done', kind: 'exit', config: {}, position: at(200) },
    ],
    edges: [
      { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'split' },
      { id: 'e2', source: 'split', sourceHandle: 'a', target: 'done' },
    ],
    settings: { goal: { eventType: 'plan_upgraded', filter: [{ property: 'plan', op: 'eq', value: 'pro' }], windowDays } },
  } as unknown as JourneyGraph;
}

async function publish(db: Db, journeyId: string, windowDays: number, expectedVersion: number): Promise<void> {
  const graph = graphOf(journeyId, windowDays);
  if (expectedVersion === 0) await createJourney(db, graph, new Date(start));
  const input = { journeyId, expectedVersion, note: `v${expectedVersion + 1}`, definition: definitionOf(graph), graph, publishedBy: 'test' };
  expect(await publishVersion(db, input, new Date(start))).not.toBeNull();
}

/** What a customer's run and the world around it do; each write repeated when `twice`. */
async function apply(db: Db, journeyId: string, customerId: string, op: Operation, clock: number, entries: Map<string, number>, twice: boolean, racing = false): Promise<void> {
  const times = twice ? 2 : 1;
  const repeat = async (write: () => Promise<unknown>) => {
    if (twice && racing) await Promise.all([write(), write()]);
    else for (let i = 0; i < times; i++) await write();
  };
  const workflowId = `journey/${journeyId}/${customerId}`;
  const run = (first: boolean, visited: string[], ended: boolean) => {
    const startedAt = new Date(entries.get(customerId) ?? clock).toISOString();
    const at = new Date(clock).toISOString();
    return {
      workflowId,
      runKey: `${workflowId}#${startedAt}`,
      first,
      journeyId,
      version: 1,
      customerId,
      status: ended ? ('completed' as const) : ('running' as const),
      nodeId: ended ? null : visited.at(-1) ?? null,
      waitingFor: [],
      variables: {},
      visited,
      history: [],
      ...(ended ? { reason: 'exit' } : {}),
      startedAt,
      since: at,
      at,
    };
  };
  switch (op.kind) {
    case 'enter': {
      entries.set(customerId, clock);
      const update = run(true, ['trigger'], false);
      await repeat(() => recordRun(db, update));
      return;
    }
    case 'split': {
      if (!entries.has(customerId)) return;
      const update = run(false, ['trigger', 'split'], false);
      await repeat(() => recordRun(db, update));
      return;
    }
    case 'exit': {
      if (!entries.has(customerId)) return;
      const update = run(false, ['done'], true);
      await repeat(() => recordRun(db, update));
      return;
    }
    case 'event': {
      const properties: Record<string, string | number> =
        op.type === 'plan_upgraded'
          ? { plan: op.value % 2 === 0 ? 'pro' : 'basic' }
          : op.type === 'order_completed'
            ? { amount: 10 * op.value + 5 }
            : op.type === 'stage_changed'
              ? { from: 'active', to: ['dormant', 'churned', 'active', 'at_risk'][op.value] ?? 'active' }
              : {};
      const event = { id: `e-${sequence++}`, customerId, type: op.type, at: new Date(clock + op.hours * HOUR).toISOString(), properties };
      await repeat(() => storeEvents(db, [event], new Date(clock), []));
      return;
    }
    case 'coupon': {
      const n = sequence++;
      await repeat(() => issueCoupon(db, { code: `CODE-${n}`, key: `k-${n}`, customerId, journeyId, offer: { type: 'percent', percent: 10 } }, new Date(clock + op.hours * HOUR)));
      return;
    }
    case 'erase':
      // What an erasure does to what the figures read (runtime/erasure.ts): events, then runs.
      for (let i = 0; i < times; i++) {
        await deleteCustomerEvents(db, customerId);
        await deleteCustomerRuns(db, customerId);
      }
      entries.delete(customerId);
      return;
  }
}

const withoutSource = <T extends { source: string }>(report: T | null) => {
  if (report === null) return null;
  const { source: _, ...rest } = report;
  return rest;
};

describe('journey outcome counters', () => {
  let t: Awaited<ReturnType<typeof testDatabase>>;
  beforeAll(async () => {
    t = await testDatabase();
  });
  afterAll(() => t.close());

  it('equal the scan after any mix of entries, conversions, coupons, exits, erasures and retries', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 24 }), async (steps) => {
        const journeyId = `oc-${round++}`;
        await publish(t.db, journeyId, 5, 0);
        // Counted from nothing, as the daily run leaves a journey before anyone enters.
        await recountOutcomes(t.db, journeyId, new Date(start));
        const entries = new Map<string, number>();
        let clock = start;
        for (const { customer, operation: op, advance, twice, racing } of steps) {
          clock += advance * HOUR;
          await apply(t.db, journeyId, `${journeyId}-c${customer}`, op, clock, entries, twice, racing);
        }
        for (const now of [clock, clock + 2 * DAY, clock + 6 * DAY]) {
          const counted = await journeyOutcomeReport(t.db, journeyId, { now: new Date(now) });
          expect(counted?.source).toBe('counters');
          const scanned = await scanJourneyOutcomes(t.db, journeyId, { now: new Date(now) });
          expect(withoutSource(counted)).toEqual(withoutSource(scanned));
        }
        // A recount finds what the counters held.
        const before = await t.db.collection('rollups').findOne({ _id: `outcomes:${journeyId}` as unknown as never });
        await recountOutcomes(t.db, journeyId, new Date(start));
        const after = await t.db.collection('rollups').findOne({ _id: `outcomes:${journeyId}` as unknown as never });
        // Every non-zero counter by its path (a counter brought back to 0 may stay as a 0).
        const sums = (doc: typeof before) => {
          const out: string[] = [];
          const walk = (value: unknown, path: string) => {
            if (typeof value === 'number') {
              if (value !== 0) out.push(`${path}=${value}`);
            } else if (typeof value === 'object' && value !== null) for (const [key, v] of Object.entries(value)) walk(v, `${path}.${key}`);
          };
          walk(doc?.['m'], 'm');
          walk(doc?.['s'], 's');
          return out.sort();
        };
        expect(sums(before)).toEqual(sums(after));
      }),
      { numRuns: 25 },
    );
  }, 240_000);

  it('recount when a new version changes the goal, and scan when the request names another window', async () => {
    const journeyId = 'oc-goal';
    await publish(t.db, journeyId, 5, 0);
    await recountOutcomes(t.db, journeyId, new Date(start));
    const entries = new Map<string, number>();
    const customer = `${journeyId}-c0`;
    await apply(t.db, journeyId, customer, { kind: 'enter' }, start, entries, false);
    // An upgrade on day 7: outside the 5-day window, inside a 10-day one.
    await apply(t.db, journeyId, customer, { kind: 'event', type: 'plan_upgraded', hours: 7 * 24, value: 0 }, start, entries, false);
    // A coupon issued a day in: counted the moment it is issued.
    await apply(t.db, journeyId, customer, { kind: 'coupon', hours: 24 }, start, entries, false);
    const now = new Date(start + 30 * DAY);
    expect(await journeyOutcomeReport(t.db, journeyId, { now })).toMatchObject({ source: 'counters', metrics: { entered: 1, converted: 0, couponRedemption: { of: 1, count: 0 } } });
    expect(await journeyOutcomeReport(t.db, journeyId, { now, windowDays: 10 })).toMatchObject({ source: 'scan', goal: { source: 'request' }, metrics: { converted: 1 } });
    await publish(t.db, journeyId, 10, 1);
    expect(await journeyOutcomeReport(t.db, journeyId, { now })).toMatchObject({ source: 'counters', goal: { windowDays: 10, source: 'journey' }, metrics: { entered: 1, converted: 1 } });
  });

  it("count a campaign page's first records written together", async () => {
    const journeyId = 'oc-page';
    await publish(t.db, journeyId, 5, 0);
    await recountOutcomes(t.db, journeyId, new Date(start));
    const at = new Date(start).toISOString();
    const updates = [0, 1, 2].map((i) => {
      const customerId = `${journeyId}-c${i}`;
      const workflowId = `journey/${journeyId}/${customerId}`;
      return { workflowId, runKey: `${workflowId}#${at}`, first: true, journeyId, version: 1, customerId, status: 'running' as const, nodeId: 'split', waitingFor: [], variables: {}, visited: ['trigger', 'split'], history: [], startedAt: at, since: at, at };
    });
    await storeEvents(t.db, [{ id: 'up-1', customerId: `${journeyId}-c1`, type: 'plan_upgraded', at: new Date(start + DAY).toISOString(), properties: { plan: 'pro' } }], new Date(start), []);
    // A retried page writes nothing new and counts nothing twice.
    await recordFirstRuns(t.db, journeyId, updates);
    await recordFirstRuns(t.db, journeyId, updates);
    const now = new Date(start + 2 * DAY);
    const counted = await journeyOutcomeReport(t.db, journeyId, { now });
    expect(counted).toMatchObject({ source: 'counters', windowOpen: 3, metrics: { entered: 3, converted: 1 } });
    expect(withoutSource(counted)).toEqual(withoutSource(await scanJourneyOutcomes(t.db, journeyId, { now })));
  });
  it('stay exact when batches of events for several entrants race on some of them', async () => {
    const journeyId = 'oc-batches';
    await publish(t.db, journeyId, 5, 0);
    await recountOutcomes(t.db, journeyId, new Date(start));
    const entries = new Map<string, number>();
    const customers = [0, 1, 2, 3, 4, 5].map((i) => `${journeyId}-c${i}`);
    for (const customerId of customers) await apply(t.db, journeyId, customerId, { kind: 'enter' }, start, entries, false);
    // Two batches at once, sharing some customers: one batch's write of a shared entrant finds
    // the other's there; the rest of its batch goes through.
    for (let round = 0; round < 6; round++) {
      const batch = (offset: number, ids: readonly string[]) =>
        ids.map((customerId, i) => ({
          id: `b-${round}-${offset}-${i}`,
          customerId,
          type: (round + i) % 2 === 0 ? 'order_completed' : 'plan_upgraded',
          at: new Date(start + (round + 1) * 10 * HOUR).toISOString(),
          properties: ((round + i) % 2 === 0 ? { amount: 5 + round } : { plan: 'pro' }) as Record<string, string | number>,
        }));
      await Promise.all([
        storeEvents(t.db, batch(0, customers.slice(0, 4)), new Date(start), []),
        storeEvents(t.db, batch(1, customers.slice(round % 3, (round % 3) + 3)), new Date(start), []),
      ]);
    }
    const now = new Date(start + 2 * DAY);
    const counted = await journeyOutcomeReport(t.db, journeyId, { now });
    expect(counted).toMatchObject({ source: 'counters', metrics: { entered: 6 } });
    expect(counted?.metrics.revenue).toBeGreaterThan(0);
    expect(withoutSource(counted)).toEqual(withoutSource(await scanJourneyOutcomes(t.db, journeyId, { now })));
    const before = await t.db.collection('rollups').findOne({ _id: `outcomes:${journeyId}` as unknown as never });
    await recountOutcomes(t.db, journeyId, new Date(start));
    const after = await t.db.collection('rollups').findOne({ _id: `outcomes:${journeyId}` as unknown as never });
    expect(before?.['m']).toEqual(after?.['m']);
  });
});
