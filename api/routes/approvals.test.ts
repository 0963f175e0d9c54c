import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../store/apiKeys.ts';
import { createJourney, publishVersion } from '../../store/journeys.ts';
import { definitionOf, simpleGraph, triggers } from '../fixtures.ts';
import { startTestApp } from '../testHarness.ts';
import type { TestApp } from '../testHarness.ts';

/** Approvals and scheduled launches through the API: who may decide, and what launches when. */

let app: TestApp;
const now = new Date();
beforeAll(async () => {
  app = await startTestApp();
  await app.call('PUT', '/customers/d1', { as: 'ingest', json: {} });
  await app.db.collection<{ _id: string }>('customers').updateOne({ _id: 'd1' }, { $set: { 'computed.segments': ['dormant-90d'] } });
  const graph = simpleGraph('approved-campaign', triggers.audience('dormant-90d', 120));
  await createJourney(app.db, graph, now);
  await publishVersion(app.db, { journeyId: graph.id, expectedVersion: 0, note: 'v1', definition: definitionOf(graph), graph, publishedBy: 't' }, now);
});
afterAll(() => app.close());

const launches = () => app.runtime.callsTo('launchCampaign').map(([input]) => input);
type CampaignBody = { id: string; status: string; approval?: Record<string, unknown>; scheduledAt?: string };
async function ask(json: Record<string, unknown>, as: 'operator' | 'admin' = 'operator'): Promise<CampaignBody> {
  const response = await app.call('POST', '/campaigns', { as, json: { name: 'Spring', journeyId: 'approved-campaign', ...json } });
  expect(response.status).toBe(201);
  return response.json as CampaignBody;
}
const pending = async () => (await app.call('GET', '/approvals', { as: 'viewer' })).json as { campaigns: CampaignBody[]; scheduled: CampaignBody[]; publishes: { id: string }[] };

describe('campaign approval', () => {
  it('launches nothing until an admin approves; only an admin may', async () => {
    const before = launches().length;
    const campaign = await ask({ requireApproval: true });
    expect(campaign).toMatchObject({ status: 'pendingApproval', approval: { requestedBy: 'operator key' } });
    expect(launches()).toHaveLength(before);
    const listed = (await pending()).campaigns.find((c) => c.id === campaign.id);
    expect(listed?.approval).toMatchObject({ requestedBy: 'operator key', requestedAt: expect.any(String) });

    for (const role of ['operator', 'marketer'] as const) {
      expect((await app.call('POST', `/campaigns/${campaign.id}/approve`, { as: role, json: {} })).status).toBe(403);
    }
    expect(launches()).toHaveLength(before);
    const approved = await app.call('POST', `/campaigns/${campaign.id}/approve`, { json: { reason: 'looks right' } });
    expect(approved.json).toMatchObject({ status: 'running', approval: { decision: 'approved', decidedBy: 'admin key', reason: 'looks right' } });
    expect(launches().slice(before).map((l) => l.campaignId)).toEqual([campaign.id]);
    expect((await pending()).campaigns.map((c) => c.id)).not.toContain(campaign.id);
    expect((await app.call('POST', `/campaigns/${campaign.id}/approve`, { json: {} })).status).toBe(409);
  });

  it('a rejected campaign needs a reason and never launches', async () => {
    const before = launches().length;
    const campaign = await ask({ requireApproval: true });
    const noReason = await app.call('POST', `/campaigns/${campaign.id}/reject`, { json: { reason: ' ' } });
    expect(noReason.status).toBe(400);
    expect(noReason.json).toMatchObject({ errors: [{ path: 'body.reason' }] });
    const rejected = await app.call('POST', `/campaigns/${campaign.id}/reject`, { json: { reason: 'wrong segment' } });
    expect(rejected.json).toMatchObject({ status: 'rejected', approval: { decision: 'rejected', reason: 'wrong segment' } });
    expect((await app.call('POST', `/campaigns/${campaign.id}/approve`, { json: {} })).status).toBe(409);
    expect(launches()).toHaveLength(before);
  });

  it('the workspace setting makes every campaign wait; an admin cannot approve their own request unless they are the only admin', async () => {
    expect((await app.call('PUT', '/settings/approvals', { as: 'marketer', json: { campaigns: true, publishes: false } })).status).toBe(403);
    expect((await app.call('PUT', '/settings/approvals', { json: { campaigns: true, publishes: false } })).json).toEqual({ campaigns: true, publishes: false });
    const alone = await ask({}, 'admin');
    expect(alone.status).toBe('pendingApproval');
    // The only admin key: may approve its own request.
    expect((await app.call('POST', `/campaigns/${alone.id}/approve`, { json: {} })).json).toMatchObject({ status: 'running' });

    const second = await createApiKey(app.db, { name: 'second admin', role: 'admin' }, now);
    const own = await ask({}, 'admin');
    const refused = await app.call('POST', `/campaigns/${own.id}/approve`, { json: {} });
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ detail: 'another admin must approve or reject a request you made' });
    const other = await app.call('POST', `/campaigns/${own.id}/approve`, { as: null, headers: { authorization: `Bearer ${second.plaintext}` }, json: {} });
    expect(other.json).toMatchObject({ status: 'running', approval: { requestedBy: 'admin key', decidedBy: 'second admin' } });
    await app.call('PUT', '/settings/approvals', { json: { campaigns: false, publishes: false } });
  });
});

describe('scheduled launches', () => {
  it('a schedule must be in the future; a scheduled campaign is listed and can be cancelled before it fires', async () => {
    const past = await app.call('POST', '/campaigns', { as: 'operator', json: { name: 'x', journeyId: 'approved-campaign', scheduledAt: new Date(Date.now() - 60_000).toISOString() } });
    expect(past.status).toBe(400);
    expect(past.json).toMatchObject({ errors: [{ path: 'body.scheduledAt' }] });

    const at = new Date(Date.now() + 86_400_000).toISOString();
    const campaign = await ask({ scheduledAt: at });
    expect(campaign).toMatchObject({ status: 'scheduled', scheduledAt: at });
    // The launch workflow starts now and waits on its timer.
    expect(launches().at(-1)).toMatchObject({ campaignId: campaign.id, startAt: at });
    expect((await pending()).scheduled.map((c) => c.id)).toContain(campaign.id);
    expect((await app.call('POST', `/campaigns/${campaign.id}/cancel`, { as: 'operator' })).json).toMatchObject({ status: 'cancelled' });
    expect(app.runtime.callsTo('cancelCampaign').map(([id]) => id)).toContain(campaign.id);
    expect((await pending()).scheduled.map((c) => c.id)).not.toContain(campaign.id);
  });

  it('approved before its time, a campaign stays scheduled; a cancelled request starts nothing', async () => {
    const at = new Date(Date.now() + 86_400_000).toISOString();
    const campaign = await ask({ scheduledAt: at, requireApproval: true });
    expect((await app.call('POST', `/campaigns/${campaign.id}/approve`, { json: {} })).json).toMatchObject({ status: 'scheduled' });
    expect(launches().at(-1)).toMatchObject({ campaignId: campaign.id, startAt: at });

    const cancels = app.runtime.callsTo('cancelCampaign').length;
    const withdrawn = await ask({ requireApproval: true });
    expect((await app.call('POST', `/campaigns/${withdrawn.id}/cancel`, { as: 'operator' })).json).toMatchObject({ status: 'cancelled' });
    expect(app.runtime.callsTo('cancelCampaign')).toHaveLength(cancels);
  });
});

describe('publish approval', () => {
  it('a marketer’s publish waits for an admin’s approval of that draft', async () => {
    const graph = simpleGraph('gated-journey', triggers.event('login'));
    expect((await app.call('POST', '/journeys', { as: 'marketer', json: graph })).status).toBe(201);
    await app.call('PUT', '/settings/approvals', { json: { campaigns: false, publishes: true } });
    const asked = await app.call('POST', '/journeys/gated-journey/publish', { as: 'marketer', json: { note: 'first' } });
    expect(asked.status).toBe(202);
    const request = asked.json as { id: string; status: string };
    expect(request).toMatchObject({ status: 'pending', journeyId: 'gated-journey', approval: { requestedBy: 'marketer key' } });
    expect(((await app.call('POST', '/journeys/gated-journey/publish', { as: 'marketer', json: { note: 'again' } })).json as { id: string }).id).toBe(request.id);
    expect((await pending()).publishes.map((p) => p.id)).toContain(request.id);
    expect((await app.call('GET', '/journeys/gated-journey', { as: 'viewer' })).json).toMatchObject({ latestVersion: 0 });

    expect((await app.call('POST', `/approvals/publishes/${request.id}/approve`, { as: 'marketer', json: {} })).status).toBe(403);
    expect((await app.call('POST', `/approvals/publishes/${request.id}/approve`, { json: {} })).json).toMatchObject({ status: 'approved' });
    const published = await app.call('POST', '/journeys/gated-journey/publish', { as: 'marketer', json: { note: 'approved' } });
    expect(published.status).toBe(201);
    expect(published.json).toMatchObject({ version: 1 });
    // The approval was for that publish only.
    expect((await app.call('POST', '/journeys/gated-journey/publish', { as: 'marketer', json: { note: 'again' } })).status).toBe(202);
    await app.call('PUT', '/settings/approvals', { json: { campaigns: false, publishes: false } });
  });
});
