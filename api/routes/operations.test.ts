import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCoupon } from '../../store/coupons.ts';
import { createTask } from '../../store/tasks.ts';
import { createJourney, publishVersion } from '../../store/journeys.ts';
import { definitionOf, registerWaitingRun, simpleGraph, triggers } from '../fixtures.ts';
import { startTestApp } from '../testHarness.ts';
import type { TestApp } from '../testHarness.ts';

/** What operations do: CS tasks, coupons and campaigns. */

let app: TestApp;
const now = new Date();
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const routedTypes = () => app.runtime.callsTo('routeEvent').map(([i]) => `${i.event.type}:${i.event.customerId}`);

describe('CS tasks', () => {
  it('filters, claims and completes; completion is an event journeys can wait on', async () => {
    const { task } = await createTask(app.db, { key: 'k1', customerId: 'vip-1', journeyId: 'hv', queue: 'vip', title: 'Call', priority: 'urgent', dueAt: '2025-01-02T00:00:00.000Z' }, now);
    await createTask(app.db, { key: 'k2', customerId: 'vip-2', queue: 'care', title: 'Email back' }, now);
    const urgent = await app.call('GET', '/tasks?queue=vip&priority=urgent&dueBefore=2025-01-03T00:00:00Z', { as: 'viewer' });
    expect((urgent.json as { items: { id: string }[] }).items.map((t) => t.id)).toEqual([task.id]);

    expect((await app.call('POST', `/tasks/${task.id}/claim`, { as: 'operator', json: { assignee: 'sam' } })).json).toMatchObject({ status: 'claimed', assignee: 'sam' });
    const stolen = await app.call('POST', `/tasks/${task.id}/claim`, { as: 'operator', json: { assignee: 'ria' } });
    expect(stolen.status).toBe(409);
    expect(stolen.json).toMatchObject({ errors: [{ path: 'body.assignee' }] });

    // A run waiting for the outcome: the event reaches it.
    await registerWaitingRun(app.db, 'vip-1', 'hv', ['task_completed']);
    const done = await app.call('POST', `/tasks/${task.id}/complete`, { as: 'operator', json: { outcome: 'reached', note: 'happy again', assignee: 'sam' } });
    expect(done.json).toMatchObject({ status: 'done', outcome: 'reached', note: 'happy again' });
    const [event] = app.runtime.callsTo('routeEvent').map(([i]) => i.event).filter((e) => e.type === 'task_completed');
    expect(event).toMatchObject({ customerId: 'vip-1', properties: { taskId: task.id, outcome: 'reached', queue: 'vip', journeyId: 'hv' } });
    expect((await app.call('POST', `/tasks/${task.id}/complete`, { as: 'operator', json: { outcome: 'reached' } })).status).toBe(409);
    expect((await app.call('GET', '/tasks/task_nope')).status).toBe(404);
    const badOutcome = await app.call('POST', `/tasks/${task.id}/complete`, { as: 'operator', json: { outcome: 'Reached!' } });
    expect(badOutcome.json).toMatchObject({ errors: [{ path: 'body.outcome' }] });
  });
});

describe('coupons', () => {
  it('lists by customer and journey; redeeming raises coupon_redeemed once', async () => {
    await issueCoupon(app.db, { code: 'WB-AAA111', key: 'c1', customerId: 'shopper', journeyId: 'win-back', offer: { type: 'percent', percent: 15 } }, now);
    await issueCoupon(app.db, { code: 'BD-BBB222', key: 'c2', customerId: 'shopper', journeyId: 'birthday', offer: { type: 'amount', amount: 5, currency: 'EUR' } }, now);
    const byJourney = (await app.call('GET', '/coupons?journeyId=win-back', { as: 'viewer' })).json as { items: { code: string }[] };
    expect(byJourney.items.map((c) => c.code)).toEqual(['WB-AAA111']);
    const byCustomer = (await app.call('GET', '/coupons?customerId=shopper', { as: 'viewer' })).json as { items: { code: string }[] };
    // Issued at the same instant: ordered by code.
    expect(byCustomer.items.map((c) => c.code)).toEqual(['BD-BBB222', 'WB-AAA111']);

    await registerWaitingRun(app.db, 'shopper', 'win-back', ['coupon_redeemed']);
    const redeemed = await app.call('POST', '/coupons/wb-aaa111/redeem', { as: 'operator', json: { orderId: 'o-9' } });
    expect(redeemed.json).toMatchObject({ code: 'WB-AAA111', status: 'redeemed', orderId: 'o-9' });
    expect(routedTypes()).toContain('coupon_redeemed:shopper');
    const again = await app.call('POST', '/coupons/WB-AAA111/redeem', { as: 'operator', json: {} });
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ detail: 'coupon WB-AAA111 was already redeemed' });
    expect((await app.call('POST', '/coupons/NOPE-1/redeem', { as: 'operator', json: {} })).status).toBe(404);
  });
});

describe('campaigns', () => {
  beforeAll(async () => {
    for (const [id, segments] of [['d1', ['dormant-90d']], ['d2', ['dormant-90d']], ['a1', ['at-risk']]] as const) {
      await app.call('PUT', `/customers/${id}`, { as: 'ingest', json: {} });
      await app.db.collection<{ _id: string }>('customers').updateOne({ _id: id }, { $set: { 'computed.segments': [...segments] } });
    }
    const graph = simpleGraph('winback-campaign', triggers.audience('dormant-90d', 120));
    await createJourney(app.db, graph, now);
    await publishVersion(app.db, { journeyId: graph.id, expectedVersion: 0, note: 'v1', definition: definitionOf(graph), graph, publishedBy: 't' }, now);
    const eventJourney = simpleGraph('not-a-campaign', triggers.event('login'));
    await createJourney(app.db, eventJourney, now);
    await publishVersion(app.db, { journeyId: eventJourney.id, expectedVersion: 0, note: 'v1', definition: definitionOf(eventJourney), graph: eventJourney, publishedBy: 't' }, now);
  });

  it('counts an audience', async () => {
    const count = await app.call('POST', '/audiences/count', { as: 'viewer', json: { audience: { segments: ['dormant-90d'] } } });
    expect(count.json).toEqual({ count: 2 });
  });

  it('launches for the trigger’s segment at its rate, then pauses, resumes and cancels', async () => {
    const launched = await app.call('POST', '/campaigns', { as: 'operator', json: { name: 'Win back spring', journeyId: 'winback-campaign' } });
    expect(launched.status, launched.text).toBe(201);
    const campaign = launched.json as { id: string };
    expect(campaign).toMatchObject({ status: 'running', version: 1, audience: { segments: ['dormant-90d'] }, audienceCount: 2, ratePerSecond: 2, createdBy: 'operator key' });
    const [launch] = app.runtime.callsTo('launchCampaign');
    expect(launch?.[0]).toMatchObject({ campaignId: campaign.id, ratePerSecond: 2, segment: { segments: ['dormant-90d'] }, journey: { journeyId: 'winback-campaign', version: 1 } });

    app.runtime.state.progress.set(campaign.id, { audience: 2, started: 1, skipped: 0, failed: 0, done: false });
    expect((await app.call('GET', `/campaigns/${campaign.id}`, { as: 'viewer' })).json).toMatchObject({ progress: { started: 1 } });
    expect((await app.call('POST', `/campaigns/${campaign.id}/pause`, { as: 'operator' })).json).toMatchObject({ status: 'paused' });
    expect((await app.call('POST', `/campaigns/${campaign.id}/pause`, { as: 'operator' })).status).toBe(409);
    expect((await app.call('POST', `/campaigns/${campaign.id}/resume`, { as: 'operator' })).json).toMatchObject({ status: 'running' });
    expect((await app.call('POST', `/campaigns/${campaign.id}/cancel`, { as: 'operator' })).json).toMatchObject({ status: 'cancelled' });
    expect(app.runtime.calls.map((c) => c.method).filter((m) => m.endsWith('Campaign'))).toEqual(['launchCampaign', 'pauseCampaign', 'resumeCampaign', 'cancelCampaign']);
    const list = (await app.call('GET', '/campaigns?status=cancelled', { as: 'viewer' })).json as { items: { id: string }[] };
    expect(list.items.map((c) => c.id)).toEqual([campaign.id]);
  });

  it('refuses a journey without an audience trigger, or a paused one', async () => {
    const wrong = await app.call('POST', '/campaigns', { as: 'operator', json: { name: 'x', journeyId: 'not-a-campaign' } });
    expect(wrong.status).toBe(409);
    expect(wrong.json).toMatchObject({ errors: [{ path: 'body.journeyId' }] });
    await app.call('POST', '/journeys/winback-campaign/pause', { as: 'marketer' });
    const paused = await app.call('POST', '/campaigns', { as: 'operator', json: { name: 'x', journeyId: 'winback-campaign' } });
    expect(paused.status).toBe(409);
    expect((await app.call('POST', '/campaigns', { as: 'operator', json: { name: 'x', journeyId: 'nope' } })).status).toBe(404);
  });
});
