import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJourney, publishVersion } from '../../store/journeys.ts';
import { definitionOf, registerWaitingRun, simpleGraph, triggers } from '../fixtures.ts';
import { startTestApp } from '../testHarness.ts';
import type { TestApp } from '../testHarness.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

type Customer = { computed: { stage: string; orderCount: number; totalSpend: number; firstPurchaseAt?: string; lastPurchaseAt?: string; lastSeenAt?: string; nps?: number } };
const customer = async (id: string) => (await app.call('GET', `/customers/${id}`)).json as Customer;

async function publish(graph: ReturnType<typeof simpleGraph>) {
  await createJourney(app.db, graph, new Date());
  await publishVersion(app.db, { journeyId: graph.id, expectedVersion: 0, note: 'v1', definition: definitionOf(graph), graph, publishedBy: 'test' }, new Date());
  // Published behind the API's back (as another process would): no waiting for the cache.
  app.pipeline.journeysChanged();
}

describe('POST /events', () => {
  it('creates a prospect for an unknown customer; an event nothing can use reaches no run', async () => {
    const response = await app.call('POST', '/events', { as: 'ingest', json: { type: 'login', customerId: 'newcomer', at: '2025-03-01T10:00:00+08:00' } });
    expect(response.status).toBe(202);
    expect(response.json).toMatchObject({ accepted: 1, duplicates: 0, results: [{ duplicate: false }] });
    expect(await customer('newcomer')).toMatchObject({ computed: { stage: 'prospect', orderCount: 0, lastSeenAt: '2025-03-01T02:00:00.000Z' } });
    expect(app.runtime.callsTo('routeEvent').filter(([input]) => input.customer.id === 'newcomer')).toEqual([]);
    const waiting = await registerWaitingRun(app.db, 'newcomer', 'login-watch', ['login']);
    await app.call('POST', '/events', { as: 'ingest', json: { type: 'login', customerId: 'newcomer' } });
    const [call] = app.runtime.callsTo('routeEvent').filter(([input]) => input.customer.id === 'newcomer');
    expect(call?.[0].event).toMatchObject({ type: 'login', customerId: 'newcomer' });
    expect(call?.[0].signal).toEqual([waiting]);
    expect(call?.[0].entries).toEqual([]);
  });

  it('folds orders into the profile and routes the stage change they cause', async () => {
    await registerWaitingRun(app.db, 'buyer');
    const start = Date.now();
    const day = (n: number) => new Date(start - n * 86_400_000).toISOString();
    const orders = [
      { type: 'order_completed', customerId: 'buyer', at: day(1), properties: { amount: 40 } },
      { type: 'order_completed', customerId: 'buyer', at: day(10), properties: { amount: 2.5 } },
    ];
    await app.call('POST', '/events', { as: 'ingest', json: { events: orders } });
    expect(await customer('buyer')).toMatchObject({
      computed: { stage: 'new', orderCount: 2, totalSpend: 42.5, firstPurchaseAt: day(10), lastPurchaseAt: day(1) },
    });
    const routed = app.runtime.callsTo('routeEvent').map(([i]) => i.event).filter((e) => e.customerId === 'buyer');
    // One batch: the events in order, then the change they caused together.
    expect(routed.map((e) => e.type)).toEqual(['order_completed', 'order_completed', 'stage_changed']);
    expect(routed[2]?.properties).toMatchObject({ from: 'prospect', to: 'new' });
  });

  it('records NPS answers', async () => {
    await app.call('POST', '/events', { as: 'ingest', json: { type: 'survey_answered', customerId: 'rater', properties: { score: 4 } } });
    expect((await customer('rater')).computed.nps).toBe(4);
  });

  it('accepts an event id once: a retry is a duplicate and changes nothing', async () => {
    await registerWaitingRun(app.db, 'retrier');
    const event = { id: 'order-77', type: 'order_completed', customerId: 'retrier', properties: { amount: 10 } };
    const first = await app.call('POST', '/events', { as: 'ingest', json: event });
    const again = await app.call('POST', '/events', { as: 'ingest', json: event });
    expect(first.json).toMatchObject({ accepted: 1, results: [{ id: 'order-77', duplicate: false }] });
    expect(again.json).toMatchObject({ accepted: 0, duplicates: 1, results: [{ id: 'order-77', duplicate: true }] });
    expect((await customer('retrier')).computed).toMatchObject({ orderCount: 1, totalSpend: 10 });
    expect(app.runtime.callsTo('routeEvent').filter(([i]) => i.event.id === 'order-77')).toHaveLength(1);
  });

  it('offers the event to live journeys whose trigger it matches, not to paused ones', async () => {
    await publish(simpleGraph('on-signup', triggers.event('signed_up')));
    await publish(simpleGraph('on-login', triggers.event('login')));
    await publish(simpleGraph('paused-signup', triggers.event('signed_up')));
    await app.call('POST', '/journeys/paused-signup/pause', { as: 'marketer' });
    await app.call('POST', '/events', { as: 'ingest', json: { type: 'signed_up', customerId: 'joiner' } });
    const [call] = app.runtime.callsTo('routeEvent').filter(([i]) => i.customer.id === 'joiner');
    expect(call?.[0].entries.map((e) => [e.journeyId, e.version])).toEqual([['on-signup', 1]]);
    expect(call?.[0].entries[0]?.definition.entryNodeId).toBe('trigger');
  });

  it('starts event triggers only when their property filters pass, segment triggers on entering the segment', async () => {
    await publish(simpleGraph('big-order', triggers.event('order_completed', [{ property: 'amount', op: 'gte', value: 100 }])));
    await publish(simpleGraph('new-champion', triggers.segment('champions')));
    const entriesFor = async (event: object) => {
      const before = app.runtime.callsTo('routeEvent').length;
      await app.call('POST', '/events', { as: 'ingest', json: event });
      return app.runtime.callsTo('routeEvent').slice(before).map(([i]) => `${i.event.type}:${i.entries.map((e) => e.journeyId).join(',')}`);
    };
    expect(await entriesFor({ type: 'order_completed', customerId: 'small', properties: { amount: 20 } })).toEqual([]);
    expect(await entriesFor({ type: 'order_completed', customerId: 'large', properties: { amount: 250 } })).toContain('order_completed:big-order');
    expect(await entriesFor({ type: 'segment_entered', customerId: 'champ', properties: { segment: 'champions' } })).toEqual(['segment_entered:new-champion']);
    expect(await entriesFor({ type: 'segment_entered', customerId: 'champ', properties: { segment: 'at-risk' } })).toEqual([]);
  });

  it('lists events newest first, filtered by customer', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const path: string = `/events?customerId=buyer&type=order_completed&limit=1${cursor === null ? '' : `&cursor=${cursor}`}`;
      const page = (await app.call('GET', path, { as: 'viewer' })).json as { items: { at: string }[]; nextCursor: string | null };
      seen.push(...page.items.map((e) => e.at));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toHaveLength(2);
    expect([...seen].sort().reverse()).toEqual(seen);
  });

  it('answers once stored; a read of the customer right after sees the event applied', async () => {
    const headers = { authorization: `Bearer ${app.keys.ingest}`, 'content-type': 'application/json' };
    const events = Array.from({ length: 50 }, (_, i) => ({ id: `fast-${i}`, type: 'order_completed', customerId: 'hasty', properties: { amount: 2 } }));
    // Plain fetch: the harness's own call() would wait for the pipeline.
    const posted = await fetch(`${app.publicUrl}/v1/events`, { method: 'POST', headers, body: JSON.stringify({ events }) });
    expect(posted.status).toBe(202);
    const read = await fetch(`${app.publicUrl}/v1/customers/hasty`, { headers: { authorization: `Bearer ${app.keys.admin}` } });
    expect(((await read.json()) as Customer).computed).toMatchObject({ orderCount: 50, totalSpend: 100 });
  });

  it('keeps event ids per customer: the same id from two customers is two events', async () => {
    const send = (customerId: string) => app.call('POST', '/events', { as: 'ingest', json: { id: 'shared-1', type: 'order_completed', customerId, properties: { amount: 5 } } });
    expect((await send('twin-a')).json).toMatchObject({ accepted: 1, duplicates: 0 });
    expect((await send('twin-b')).json).toMatchObject({ accepted: 1, duplicates: 0 });
    expect((await send('twin-a')).json).toMatchObject({ accepted: 0, duplicates: 1 });
    expect((await customer('twin-a')).computed.orderCount).toBe(1);
    expect((await customer('twin-b')).computed.orderCount).toBe(1);
  });

  it('rejects a purchase whose amount is not a number, and a survey score out of range, naming the property', async () => {
    const bad = await app.call('POST', '/events', { as: 'ingest', json: { events: [{ type: 'order_completed', customerId: 'typo', properties: { amount: '12.50' } }] } });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ errors: [{ path: 'body.events[0].properties.amount' }] });
    const score = await app.call('POST', '/events', { as: 'ingest', json: { type: 'survey_answered', customerId: 'typo', properties: { survey: 'csat', score: 9 } } });
    expect(score.status).toBe(400);
    expect(score.json).toMatchObject({ errors: [{ path: 'body.properties.score' }] });
    expect(await app.db.collection('events').countDocuments({ customerId: 'typo' })).toBe(0);
  });

  it('rejects an invalid event naming the field', async () => {
    const response = await app.call('POST', '/events', { as: 'ingest', json: { events: [{ type: 'login', customerId: 'ok' }, { type: 'Bad Type', customerId: 'ok' }] } });
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ errors: [{ path: 'body.events[1].type' }] });
  });
});

describe('ingestion rate limit', () => {
  it('limits each key on its own, counting events in a batch', async () => {
    const limited = await startTestApp({ config: { ingestRate: { perSecond: 0.01, burst: 3 } } });
    try {
      const batch = { events: [1, 2, 3].map((i) => ({ type: 'login', customerId: `r-${i}` })) };
      expect((await limited.call('POST', '/events', { as: 'ingest', json: batch })).status).toBe(202);
      const over = await limited.call('POST', '/events', { as: 'ingest', json: { type: 'login', customerId: 'r-4' } });
      expect(over.status).toBe(429);
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await limited.db.collection('events').countDocuments()).toBe(3);
      expect((await limited.call('POST', '/events', { as: 'admin', json: { type: 'login', customerId: 'r-5' } })).status).toBe(202);
    } finally {
      await limited.close();
    }
  });
});
