import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../testHarness.ts';
import type { TestApp } from '../testHarness.ts';

/**
 * Segments on event history ("did / did not do X, where…, at least N times in the last D days"),
 * through the API as the segment builder and a campaign use it, on the real database.
 */

const day = 86_400_000;
let now = new Date(Date.UTC(2026, 10, 20, 12));
let app: TestApp;

const event = (customerId: string, type: string, daysAgo: number, properties: Record<string, string | number> = {}) => ({
  type,
  customerId,
  at: new Date(now.getTime() - daysAgo * day).toISOString(),
  properties,
});

type Members = { count: number; sample: Array<{ id: string }> };
const ids = (members: unknown) => (members as Members).sample.map((c) => c.id);

/** The live count and sample of a draft, the saved segment's members and a campaign audience of it. */
async function threeWays(segmentId: string, condition: unknown) {
  const preview = await app.call('POST', '/segments/preview', { as: 'viewer', json: { condition, sample: 100 } });
  expect(preview.status).toBe(200);
  const members = await app.call('GET', `/segments/${segmentId}/members?sample=100`, { as: 'viewer' });
  const audience = await app.call('POST', '/audiences/count', { as: 'viewer', json: { audience: { segments: [segmentId] } } });
  return { live: ids(preview.json), liveCount: (preview.json as Members).count, stored: ids(members.json), storedCount: (members.json as Members).count, audience: (audience.json as { count: number }).count };
}

const twiceIn30 = { type: 'eventHistory', eventType: 'order_completed', atLeast: 2, withinDays: 30 };
const noOrderIn30 = { type: 'eventHistory', did: false, eventType: 'order_completed', atLeast: 1, withinDays: 30 };
const twiceOnWeb = { ...twiceIn30, where: [{ property: 'channel', op: 'eq', value: 'web' }] };

beforeAll(async () => {
  app = await startTestApp({ clock: () => now });
  const events = [
    event('ana', 'order_completed', 2, { channel: 'web', amount: 20 }),
    event('ana', 'order_completed', 5, { channel: 'web', amount: 30 }),
    event('ana', 'order_completed', 8, { channel: 'app', amount: 10 }),
    event('bo', 'order_completed', 3, { channel: 'web', amount: 15 }),
    event('bo', 'order_completed', 40, { channel: 'web', amount: 15 }),
    event('cy', 'signed_up', 1),
    event('dee', 'order_completed', 45, { channel: 'web', amount: 50 }),
    event('dee', 'order_completed', 50, { channel: 'web', amount: 50 }),
    event('eve', 'order_completed', 4, { channel: 'app', amount: 12 }),
    event('eve', 'order_completed', 6, { channel: 'App', amount: 12 }),
  ];
  expect((await app.call('POST', '/events', { as: 'ingest', json: { events } })).status).toBeLessThan(300);
  // A profile with no events at all.
  expect((await app.call('PUT', '/customers/fay', { as: 'ingest', json: { name: 'Fay', tags: ['vip'] } })).status).toBe(201);
});
afterAll(() => app.close());

describe('segments on event history', () => {
  it('counts events of a type in the window: the live count, the members and a campaign audience agree', async () => {
    expect((await app.call('POST', '/segments', { as: 'marketer', json: { id: 'twice-30d', name: 'Ordered twice in 30 days', condition: twiceIn30 } })).status).toBe(201);
    // bo's second order and dee's are older than 30 days.
    expect(await threeWays('twice-30d', twiceIn30)).toEqual({ live: ['ana', 'eve'], liveCount: 2, stored: ['ana', 'eve'], storedCount: 2, audience: 2 });
  });

  it('"did not" includes customers with no events at all', async () => {
    expect((await app.call('POST', '/segments', { as: 'marketer', json: { id: 'no-order-30d', name: 'No order in 30 days', condition: noOrderIn30 } })).status).toBe(201);
    expect(await threeWays('no-order-30d', noOrderIn30)).toEqual({ live: ['cy', 'dee', 'fay'], liveCount: 3, stored: ['cy', 'dee', 'fay'], storedCount: 3, audience: 3 });
  });

  it('applies property filters (equal, not equal; strings case-insensitively) and combines with profile conditions', async () => {
    const web = await app.call('POST', '/segments/preview', { as: 'viewer', json: { condition: twiceOnWeb } });
    expect(ids(web.json)).toEqual(['ana']);
    const notWeb = { ...twiceIn30, where: [{ property: 'channel', op: 'neq', value: 'web' }] };
    expect(ids((await app.call('POST', '/segments/preview', { as: 'viewer', json: { condition: notWeb } })).json)).toEqual(['eve']);
    const anyOf = { type: 'any', conditions: [twiceOnWeb, { type: 'tag', tag: 'vip' }] };
    expect((await app.call('POST', '/segments', { as: 'marketer', json: { id: 'web-or-vip', name: 'Web buyers or VIPs', condition: anyOf } })).status).toBe(201);
    expect(await threeWays('web-or-vip', anyOf)).toEqual({ live: ['ana', 'fay'], liveCount: 2, stored: ['ana', 'fay'], storedCount: 2, audience: 2 });
    const allOf = { type: 'all', conditions: [noOrderIn30, { type: 'attribute', attribute: 'orderCount', op: 'gte', value: 1 }] };
    expect(ids((await app.call('POST', '/segments/preview', { as: 'viewer', json: { condition: allOf } })).json)).toEqual(['dee']);
  });

  it("re-evaluates a customer's membership on their next event", async () => {
    expect((await app.call('POST', '/events', { as: 'ingest', json: event('bo', 'order_completed', 0, { channel: 'web', amount: 9 }) })).status).toBeLessThan(300);
    expect(await threeWays('twice-30d', twiceIn30)).toMatchObject({ live: ['ana', 'bo', 'eve'], stored: ['ana', 'bo', 'eve'], audience: 3 });
  });

  it('the daily run moves members out as their events slide out of the window', async () => {
    now = new Date(now.getTime() + 26 * day);
    // Nothing happened yet: stored membership is as of the last evaluation.
    expect((await threeWays('twice-30d', twiceIn30)).stored).toEqual(['ana', 'bo', 'eve']);
    await app.pipeline.runLifecycle(now, 'daily');
    // ana's orders are now 28, 31 and 34 days old; bo's 26 and 29; eve's 30 and 32.
    expect(await threeWays('twice-30d', twiceIn30)).toEqual({ live: ['bo'], liveCount: 1, stored: ['bo'], storedCount: 1, audience: 1 });
    expect(await threeWays('no-order-30d', noOrderIn30)).toMatchObject({ live: ['cy', 'dee', 'fay'], stored: ['cy', 'dee', 'fay'], audience: 3 });
    // Leaving is an event like any other: journeys triggered on segment entry or exit hear it.
    const left = await app.call('GET', '/customers/ana/timeline?limit=50', { as: 'viewer' });
    expect(JSON.stringify(left.json)).toContain('segment_left');
  });

  it('refuses impossible numbers and unknown operators with the field named, and keeps the saved rule', async () => {
    const cases = [
      [{ ...twiceIn30, withinDays: 0 }, 'withinDays'],
      [{ ...twiceIn30, atLeast: 0 }, 'atLeast'],
      [{ ...twiceIn30, where: [{ property: 'channel', op: 'gt', value: 1 }] }, 'op'],
    ] as const;
    for (const [condition, field] of cases) {
      for (const [method, path] of [['POST', '/segments/preview'], ['PUT', '/segments/twice-30d']] as const) {
        const answer = await app.call(method, path, { as: 'marketer', json: method === 'PUT' ? { name: 'broken', condition } : { condition } });
        expect(answer.status, `${method} ${path} ${field}`).toBe(400);
        expect(answer.headers.get('content-type')).toContain('application/problem+json');
        const paths = (answer.json as { errors: Array<{ path: string }> }).errors.map((e) => e.path);
        expect(paths.some((p) => p.endsWith(field)), JSON.stringify(answer.json)).toBe(true);
      }
    }
    const kept = await app.call('GET', '/segments/twice-30d', { as: 'viewer' });
    expect(kept.json).toMatchObject({ name: 'Ordered twice in 30 days', condition: { withinDays: 30, atLeast: 2 }, count: 1 });
  });
});
