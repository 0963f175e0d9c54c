import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWaitingRun } from '../fixtures.ts';
import { startTestApp } from '../testHarness.ts';
import type { TestApp } from '../testHarness.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const day = 86_400_000;
const order = (customerId: string, daysAgo: number, amount: number) => ({
  type: 'order_completed',
  customerId,
  at: new Date(Date.now() - daysAgo * day).toISOString(),
  properties: { amount },
});

describe('lifecycle and segments API', () => {
  it('configures thresholds, recomputes, reports the overview and routes stage changes', async () => {
    const bad = await app.call('PUT', '/lifecycle/settings', { as: 'marketer', json: { stages: { atRiskDays: 100, dormantDays: 90 } } });
    expect(bad.status).toBe(400);
    const saved = await app.call('PUT', '/lifecycle/settings', { as: 'marketer', json: { stages: { dormantDays: 60 } } });
    expect(saved.json).toMatchObject({ stages: { dormantDays: 60, atRiskDays: 45, churnedDays: 365 }, valueTiers: { highShare: 0.2 } });
    expect((await app.call('PUT', '/lifecycle/settings', { as: 'viewer', json: {} })).status).toBe(403);

    for (const id of ['ana', 'bo', 'cy']) await registerWaitingRun(app.db, id, 'lifecycle-watch', ['stage_changed', 'rfm_changed']);
    for (const [id, days, amount] of [['ana', 3, 120], ['bo', 70, 40], ['cy', 400, 15]] as const) {
      expect((await app.call('POST', '/events', { as: 'ingest', json: order(id, days, amount) })).status).toBeLessThan(300);
    }
    const recompute = await app.call('POST', '/lifecycle/recompute', { as: 'operator' });
    expect(recompute.status).toBe(200);
    const overview = await app.call('GET', '/lifecycle', { as: 'viewer' });
    expect(overview.json).toMatchObject({ customers: 3, stages: { new: 1, dormant: 1, churned: 1 }, base: { purchasers: 3 } });
    // The dashboards' RFM revenue and churn bands come with it, as the profiles say.
    const revenue: Record<string, number> = {};
    const bands = Array.from({ length: 10 }, () => ({ high: 0, mid: 0, low: 0, unknown: 0 }));
    for (const id of ['ana', 'bo', 'cy']) {
      const { computed } = (await app.call('GET', `/customers/${id}`, { as: 'viewer' })).json as { computed: { rfm?: { cell: string }; totalSpend: number; churnRisk?: number; valueTier?: 'high' | 'mid' | 'low' } };
      if (computed.rfm !== undefined) revenue[computed.rfm.cell] = (revenue[computed.rfm.cell] ?? 0) + computed.totalSpend;
      if (computed.churnRisk !== undefined) {
        const band = bands[Math.min(9, Math.floor(computed.churnRisk * 10))] as Record<string, number>;
        band[computed.valueTier ?? 'unknown'] = (band[computed.valueTier ?? 'unknown'] ?? 0) + 1;
      }
    }
    expect(Object.keys(revenue)).not.toHaveLength(0);
    expect(overview.json).toMatchObject({ rfmRevenue: revenue, churnRisk: bands.map((band, i) => ({ from: i / 10, to: (i + 1) / 10, ...band })) });
    // The trend: no daily run stored a day yet, so today's live counts only.
    const trend = await app.call('GET', '/lifecycle/trend?days=7', { as: 'viewer' });
    expect(trend.json).toMatchObject({ days: [{ customers: 3, stages: { new: 1, dormant: 1, churned: 1 } }] });
    expect((await app.call('GET', '/lifecycle/trend?days=0', { as: 'viewer' })).status).toBe(400);
    const routed = app.runtime.callsTo('routeEvent').map(([input]) => `${input.event.customerId}:${input.event.type}`);
    expect(routed).toEqual(expect.arrayContaining(['bo:stage_changed', 'cy:stage_changed', 'ana:rfm_changed']));
  });

  it('creates, previews, lists, samples, updates and deletes segments', async () => {
    const condition = { type: 'attribute', attribute: 'totalSpend', op: 'gte', value: 30 };
    const preview = await app.call('POST', '/segments/preview', { as: 'viewer', json: { condition, sample: 1 } });
    expect(preview.json).toMatchObject({ count: 2, sample: [{ id: 'ana' }] });
    const created = await app.call('POST', '/segments', { as: 'marketer', json: { id: 'spent-30', name: 'Spent 30+', condition } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ id: 'spent-30', count: 2 });
    expect((await app.call('POST', '/segments', { as: 'marketer', json: { id: 'spent-30', name: 'x', condition } })).status).toBe(409);
    const members = await app.call('GET', '/segments/spent-30/members?sample=5', { as: 'viewer' });
    expect(members.json).toMatchObject({ count: 2, sample: [{ id: 'ana' }, { id: 'bo' }] });
    const updated = await app.call('PUT', '/segments/spent-30', { as: 'marketer', json: { name: 'Spent 100+', condition: { ...condition, value: 100 } } });
    expect(updated.json).toMatchObject({ name: 'Spent 100+', count: 1 });
    const list = await app.call('GET', '/segments', { as: 'viewer' });
    expect((list.json as { items: { id: string }[] }).items.map((s) => s.id)).toContain('spent-30');
    expect((await app.call('DELETE', '/segments/spent-30', { as: 'marketer' })).status).toBe(200);
    expect((await app.call('GET', '/segments/spent-30', { as: 'viewer' })).status).toBe(404);
  });
});
