import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitArm } from '../../journey/nodes/split.ts';
import { issueCoupon } from '../../store/coupons.ts';
import { recountOutcomes } from '../../store/outcomeRollup.ts';
import { scanJourneyOutcomes } from '../../store/outcomes.ts';
import { storeEvents } from '../../store/events.ts';
import { recordRun, runsCollection } from '../../store/runs.ts';
import { startTestApp } from '../testHarness.ts';
import type { TestApp } from '../testHarness.ts';

// Outcome figures over HTTP, against FerretDB, on small fixtures whose answers are worked out
// by hand in the comments.

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const DAY = 86_400_000;
const HOUR = 3_600_000;
const now = Date.now();
const iso = (ms: number) => new Date(ms).toISOString();

type Event = { type: string; customerId: string; at: number; properties?: Record<string, string | number> };
const order = (customerId: string, at: number, amount = 10): Event => ({ type: 'order_completed', customerId, at, properties: { amount } });
const stage = (customerId: string, at: number, to: string): Event => ({ type: 'stage_changed', customerId, at, properties: { from: 'active', to } });

async function send(events: readonly Event[]): Promise<void> {
  for (let i = 0; i < events.length; i += 20) {
    const batch = events.slice(i, i + 20).map((e) => ({ ...e, at: iso(e.at), properties: e.properties ?? {} }));
    const response = await app.call('POST', '/events', { as: 'ingest', json: { events: batch } });
    expect(response.status, response.text).toBe(202);
  }
}

describe('journey outcomes with a holdout', () => {
  const journeyId = 'outcomes-ab';
  const split = { arms: [{ id: 'a', label: 'A', weight: 50 }], holdout: { weight: 50 } };
  const graph = {
    schemaVersion: 1,
    id: journeyId,
    name: 'Outcomes A/B',
    nodes: [
      { id: 'trigger', kind: 'api', config: {}, position: { x: 0, y: 0 } },
      { id: 'split', kind: 'split', config: split, position: { x: 0, y: 100 } },
      { id: 'done', kind: 'exit', config: {}, position: { x: 0, y: 200 } },
    ],
    edges: [
      { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'split' },
      { id: 'e2', source: 'split', sourceHandle: 'a', target: 'done' },
    ],
    settings: { goal: { eventType: 'order_completed', filter: [], windowDays: 14 } },
  };
  // Everyone entered 20 days ago: every 14-day goal window has closed.
  const t0 = now - 20 * DAY;
  // The split's stable assignment puts cust-0, 1, 3, 4 in arm a and cust-2, 6, 7, 8 in the holdout.
  const armA = ['cust-0', 'cust-1', 'cust-3', 'cust-4'];
  const holdout = ['cust-2', 'cust-6', 'cust-7', 'cust-8'];

  beforeAll(async () => {
    expect((await app.call('POST', '/journeys', { as: 'marketer', json: graph })).status).toBe(201);
    const published = await app.call('POST', `/journeys/${journeyId}/publish`, { as: 'marketer', json: { note: 'A/B' } });
    expect(published.status, published.text).toBe(201);
    // The counters start from a recount before anyone entered (what the daily run leaves), so
    // the default figures below are the counters kept as the runs, events and coupons came in.
    await recountOutcomes(app.db, journeyId, new Date(t0));
    for (const customerId of [...armA, ...holdout]) {
      const inArm = armA.includes(customerId);
      await recordRun(app.db, {
        workflowId: `journey/${journeyId}/${customerId}`,
        runKey: `journey/${journeyId}/${customerId}#000000000001`,
        first: true,
        journeyId,
        version: 1,
        customerId,
        status: inArm ? 'completed' : 'running',
        nodeId: inArm ? null : 'split',
        waitingFor: [],
        variables: {},
        visited: inArm ? ['trigger', 'split', 'done'] : ['trigger', 'split'],
        history: [],
        ...(inArm ? { reason: 'exit' } : {}),
        startedAt: iso(t0),
        since: iso(t0),
        at: iso(t0),
      });
    }
    await send([
      // cust-0 (arm a): dormant, 3 orders before; coupon redeemed and a 50 order on day 2.
      order('cust-0', t0 - 60 * DAY), order('cust-0', t0 - 40 * DAY), order('cust-0', t0 - 30 * DAY), stage('cust-0', t0 - HOUR, 'dormant'),
      { type: 'coupon_redeemed', customerId: 'cust-0', at: t0 + 2 * DAY, properties: { code: 'COMEBACK-0' } }, order('cust-0', t0 + 2 * DAY, 50),
      // cust-1 (arm a): active, 1 order before; a 30 order on day 5.
      order('cust-1', t0 - 15 * DAY), stage('cust-1', t0 - 10 * DAY, 'active'), order('cust-1', t0 + 5 * DAY, 30),
      // cust-3 (arm a): dormant, 2 orders before, coupon not redeemed; an 80 order on day 16, after the window.
      order('cust-3', t0 - 200 * DAY), order('cust-3', t0 - 150 * DAY), stage('cust-3', t0 - 2 * HOUR, 'dormant'), order('cust-3', t0 + 16 * DAY, 80),
      // cust-2 (holdout): dormant, 1 order before; a 20 order on day 3.
      order('cust-2', t0 - 120 * DAY), stage('cust-2', t0 - 3 * HOUR, 'dormant'), order('cust-2', t0 + 3 * DAY, 20),
      // cust-6 (holdout): churned, 4 orders before, nothing after.
      ...[400, 380, 370, 365].map((d) => order('cust-6', t0 - d * DAY)), stage('cust-6', t0 - DAY, 'churned'),
      // cust-4, cust-7, cust-8: no history, nothing after.
    ]);
    const offer = { type: 'percent', percent: 20 } as const;
    for (const customerId of ['cust-0', 'cust-3']) {
      await issueCoupon(app.db, { code: `COMEBACK-${customerId.slice(5)}`, key: `k-${customerId}`, customerId, journeyId, offer }, new Date(t0 + HOUR));
    }
  });

  it('assigns the fixture customers to the arms the split gives them', () => {
    expect([...armA, ...holdout].map((id) => splitArm(split, journeyId, 'split', id))).toEqual(['a', 'a', 'a', 'a', 'holdout', 'holdout', 'holdout', 'holdout']);
  });

  it('reports conversion, win-back, repeat purchase, coupon redemption, revenue and lift with its interval', async () => {
    const response = await app.call('GET', `/journeys/${journeyId}/outcomes`, { as: 'viewer' });
    expect(response.status, response.text).toBe(200);
    const body = response.json as Record<string, unknown>;
    expect(body).toMatchObject({
      goal: { eventType: 'order_completed', windowDays: 14, source: 'journey' },
      windowOpen: 0,
      metrics: {
        // converted: cust-0, cust-1, cust-2 (cust-3's order came after the window) → 3 of 8
        entered: 8,
        converted: 3,
        conversionRate: 0.375,
        // dormant or churned at entry: cust-0, 3, 2, 6; of them cust-0 and cust-2 ordered
        winBack: { of: 4, count: 2, rate: 0.5 },
        // ordered before: cust-0, 1, 3, 2, 6; of them cust-0, 1, 2 ordered again
        repeatPurchase: { of: 5, count: 3, rate: 0.6 },
        // two coupons issued in the window (cust-0, cust-3), one redeemed
        couponRedemption: { of: 2, count: 1, rate: 0.5 },
        revenue: 100,
      },
    });
    const { splits } = body as { splits: { nodeId: string; arms: { arm: string; metrics: Record<string, unknown>; lift: Record<string, unknown> | null }[] }[] };
    expect(splits.map((s) => s.nodeId)).toEqual(['split']);
    const [a, held] = splits[0]?.arms ?? [];
    expect(a).toMatchObject({ arm: 'a', metrics: { entered: 4, converted: 2, conversionRate: 0.5, winBack: { of: 2, count: 1 }, revenue: 80 } });
    expect(held).toMatchObject({ arm: 'holdout', metrics: { entered: 4, converted: 1, conversionRate: 0.25, couponRedemption: { of: 0, rate: null }, revenue: 20 }, lift: null });
    // 2/4 against 1/4: absolute lift 0.25, Newcombe interval from the Wilson intervals
    // [0.1500, 0.8500] and [0.0456, 0.6994]: 0.25 ∓ √(0.35² + 0.4494²), √(0.35² + 0.2044²) =
    // [−0.3196, 0.6553]; relative lift 1, Katz: exp(ln 2 ± 1.96 √(1/2 − 1/4 + 1 − 1/4)) − 1 =
    // [−0.7183, 13.1981]. Four customers a side prove nothing: not significant.
    const lift = a?.lift as { absolute: number; absoluteCi: [number, number]; relative: number; relativeCi: [number, number]; significant: boolean };
    expect(lift.absolute).toBeCloseTo(0.25, 10);
    expect(lift.absoluteCi[0]).toBeCloseTo(-0.3196, 4);
    expect(lift.absoluteCi[1]).toBeCloseTo(0.6553, 4);
    expect(lift.relative).toBeCloseTo(1, 10);
    expect(lift.relativeCi[0]).toBeCloseTo(-0.7183, 4);
    expect(lift.relativeCi[1]).toBeCloseTo(13.1981, 4);
    expect(lift.significant).toBe(false);
  });

  it('sums the same figures when the entrants are read a few at a time', async () => {
    const whole = await scanJourneyOutcomes(app.db, journeyId, { now: new Date(now) });
    expect(whole?.metrics.entered).toBe(8);
    expect(await scanJourneyOutcomes(app.db, journeyId, { now: new Date(now), pageSize: 3 })).toEqual(whole);
  });

  it("answers the default goal from the counters with the scan's figures, and says which", async () => {
    const counted = await app.call('GET', `/journeys/${journeyId}/outcomes`, { as: 'viewer' });
    expect(counted.json).toMatchObject({ source: 'counters', goal: { source: 'journey' } });
    // The journey's own window named in the query: the same goal, read by a scan.
    const scanned = await app.call('GET', `/journeys/${journeyId}/outcomes?windowDays=14`, { as: 'viewer' });
    expect(scanned.json).toMatchObject({ source: 'scan', goal: { source: 'request' } });
    const figures = (body: unknown) => {
      const { metrics, windowOpen, splits } = body as Record<string, unknown>;
      return { metrics, windowOpen, splits };
    };
    expect(figures(counted.json)).toEqual(figures(scanned.json));
    expect(figures(counted.json)).toMatchObject({ metrics: { entered: 8, converted: 3 } });
  });

  it('takes another window or goal event from the query', async () => {
    // 30 days: cust-3's order on day 16 counts too.
    const longer = await app.call('GET', `/journeys/${journeyId}/outcomes?windowDays=30`, { as: 'viewer' });
    expect(longer.json).toMatchObject({
      goal: { eventType: 'order_completed', windowDays: 30, source: 'request' },
      windowOpen: 8,
      metrics: { converted: 4, winBack: { of: 4, count: 3 }, revenue: 180 },
    });
    const redeemed = await app.call('GET', `/journeys/${journeyId}/outcomes?goalEvent=coupon_redeemed`, { as: 'viewer' });
    expect(redeemed.json).toMatchObject({ goal: { eventType: 'coupon_redeemed', windowDays: 14 }, metrics: { converted: 1, revenue: 100 } });
  });

  it('answers 404 for an unknown journey and 400 for a bad window', async () => {
    expect((await app.call('GET', '/journeys/nope/outcomes', { as: 'viewer' })).status).toBe(404);
    const bad = await app.call('GET', `/journeys/${journeyId}/outcomes?windowDays=0`, { as: 'viewer' });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ errors: [{ path: 'query.windowDays' }] });
  });
});

describe('segment outcomes', () => {
  const t0 = now - 40 * DAY;
  const entered = (customerId: string, at: number): Event => ({ type: 'segment_entered', customerId, at, properties: { segment: 'lapsed' } });

  beforeAll(async () => {
    // A rule nobody matches, so the entries are exactly the events below.
    const condition = { type: 'attribute', attribute: 'totalSpend', op: 'gte', value: 1_000_000 };
    expect((await app.call('POST', '/segments', { as: 'marketer', json: { id: 'lapsed', name: 'Lapsed', condition } })).status).toBe(201);
    await send([
      // s-1: one order long ago, dormant, enters, comes back with a 25 order on day 10 (won back),
      // then enters again 5 days ago (window open) without ordering since.
      order('s-1', t0 - 100 * DAY), stage('s-1', t0, 'dormant'), entered('s-1', t0), order('s-1', t0 + 10 * DAY, 25),
      stage('s-1', t0 + 10 * DAY, 'wonBack'), entered('s-1', now - 5 * DAY),
      // s-2: churned, enters, nothing after.
      stage('s-2', t0 - DAY, 'churned'), entered('s-2', t0),
      // s-3: ordered 60 days ago, enters 2 days ago and orders 40 the next day (window open).
      order('s-3', now - 60 * DAY), entered('s-3', now - 2 * DAY), order('s-3', now - DAY, 40),
    ]);
  });

  it('counts every entry within 30 days of it', async () => {
    const response = await app.call('GET', '/segments/lapsed/outcomes', { as: 'viewer' });
    expect(response.status, response.text).toBe(200);
    expect(response.json).toEqual({
      goal: { eventType: 'order_completed', filter: [], windowDays: 30, source: 'default' },
      // s-1's second entry and s-3's are 5 and 2 days old
      windowOpen: 2,
      metrics: {
        // s-1 (first entry) and s-3 converted: 2 of 4 entries
        entered: 4,
        converted: 2,
        conversionRate: 0.5,
        // dormant or churned at entry: s-1 (first entry), s-2; s-1 came back
        winBack: { of: 2, count: 1, rate: 0.5 },
        // ordered before entry: s-1 twice, s-3; s-1's first entry and s-3 ordered again
        repeatPurchase: { of: 3, count: 2, rate: 2 / 3 },
        couponRedemption: { of: 0, count: 0, rate: null },
        revenue: 65,
      },
    });
  });

  it('answers 404 for an unknown segment', async () => {
    expect((await app.call('GET', '/segments/nope/outcomes', { as: 'viewer' })).status).toBe(404);
  });
});

describe('journey outcomes over many entrants', () => {
  const journeyId = 'outcomes-many';
  // More entrants than one read of their events takes (a thousand), in one page.
  const entrants = 1_100;

  beforeAll(async () => {
    const graph = {
      schemaVersion: 1,
      id: journeyId,
      name: 'Outcomes, many entrants',
      nodes: [
        { id: 'trigger', kind: 'api', config: {}, position: { x: 0, y: 0 } },
        { id: 'done', kind: 'exit', config: {}, position: { x: 0, y: 100 } },
      ],
      edges: [{ id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'done' }],
      settings: { goal: { eventType: 'order_completed', filter: [], windowDays: 14 } },
    };
    expect((await app.call('POST', '/journeys', { as: 'marketer', json: graph })).status).toBe(201);
    expect((await app.call('POST', `/journeys/${journeyId}/publish`, { as: 'marketer', json: { note: 'v1' } })).status).toBe(201);
    const entered = iso(now - 20 * DAY);
    const ids = Array.from({ length: entrants }, (_, i) => `many-${String(i).padStart(4, '0')}`);
    await runsCollection(app.db).insertMany(
      ids.map((customerId) => ({
        _id: `journey/${journeyId}/${customerId}`,
        runKey: `journey/${journeyId}/${customerId}#000000000001`,
        journeyId,
        version: 1,
        customerId,
        status: 'completed' as const,
        nodeId: null,
        waitingFor: [],
        variables: {},
        visited: ['trigger', 'done'],
        history: [],
        startedAt: entered,
        since: entered,
        updatedAt: entered,
      })),
    );
    // Every other entrant orders for 10 within the window; the last one orders after it.
    const orders = ids.filter((_, i) => i % 2 === 0).map((customerId) => ({ id: `o-${customerId}`, type: 'order_completed', customerId, at: iso(now - 15 * DAY), properties: { amount: 10 } }));
    orders.push({ id: 'o-late', type: 'order_completed', customerId: ids.at(-1) ?? '', at: iso(now - 2 * DAY), properties: { amount: 99 } });
    await storeEvents(app.db, orders, new Date(now), []);
  });

  it('counts every entrant and each conversion once', async () => {
    const response = await app.call('GET', `/journeys/${journeyId}/outcomes`, { as: 'viewer' });
    expect(response.status, response.text).toBe(200);
    expect(response.json).toMatchObject({ metrics: { entered: entrants, converted: entrants / 2, revenue: (entrants / 2) * 10 } });
  });
});
