import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../testHarness.ts';
import type { TestApp } from '../testHarness.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

interface Member {
  id: string;
}

/** Every page of a list, `size` at a time, following `nextCursor`. */
async function everyPage(path: (cursor: string | null) => string, items: (json: unknown) => Member[]): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const response = await app.call('GET', path(cursor), { as: 'viewer' });
    expect(response.status).toBe(200);
    ids.push(...items(response.json).map((m) => m.id));
    cursor = (response.json as { nextCursor: string | null }).nextCursor;
    pages++;
  } while (cursor !== null && pages < 50);
  return { ids, pages };
}

const q = (cursor: string | null) => (cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`);
const segmentPages = (id: string) => everyPage((cursor) => `/segments/${id}/members?sample=2${q(cursor)}`, (json) => (json as { sample: Member[] }).sample);
const tagPages = (tag: string) => everyPage((cursor) => `/customers?tag=${encodeURIComponent(tag)}&limit=2${q(cursor)}`, (json) => (json as { items: Member[] }).items);

describe('segment members and customers by tag, page by page', () => {
  it('list every member once, by id, as customers move in and out, change tags and are erased', async () => {
    // Spenders by events, tags by profile writes and an import; ids that sort around each other.
    const ids = ['m-1', 'm-10', 'm-2', 'm-3', 'm-3:b', 'm-4', 'm-5'];
    for (const id of ids) expect((await app.call('PUT', `/customers/${id}`, { as: 'ingest', json: { tags: id < 'm-4' ? ['vip'] : ['vip:gold'] } })).status).toBe(201);
    const csv = 'id,tags\nm-5,vip;new\nm-6,vip\n';
    expect((await app.call('POST', '/customers/import', { as: 'ingest', body: csv, headers: { 'content-type': 'text/csv' } })).status).toBe(200);
    for (const id of ids.slice(0, 5)) {
      expect((await app.call('POST', '/events?wait=true', { as: 'ingest', json: { type: 'order_completed', customerId: id, at: new Date().toISOString(), properties: { amount: 80 } } })).status).toBeLessThan(300);
    }
    const condition = { type: 'attribute', attribute: 'totalSpend', op: 'gte', value: 50 };
    expect((await app.call('POST', '/segments', { as: 'marketer', json: { id: 'spent-50', name: 'Spent 50+', condition } })).status).toBe(201);

    const members = await segmentPages('spent-50');
    expect(members.ids).toEqual(['m-1', 'm-10', 'm-2', 'm-3', 'm-3:b']);
    expect(members.pages).toBe(3);
    expect((await tagPages('vip')).ids).toEqual(['m-1', 'm-10', 'm-2', 'm-3', 'm-3:b', 'm-5', 'm-6']);
    // The import replaced m-5's tags.
    expect((await tagPages('vip:gold')).ids).toEqual(['m-4']);

    // A purchase moves m-4 in; a raised threshold moves those under 100 out; a tag edit and an erasure.
    expect((await app.call('POST', '/events?wait=true', { as: 'ingest', json: { type: 'order_completed', customerId: 'm-4', at: new Date().toISOString(), properties: { amount: 200 } } })).status).toBeLessThan(300);
    expect((await segmentPages('spent-50')).ids).toEqual(['m-1', 'm-10', 'm-2', 'm-3', 'm-3:b', 'm-4']);
    expect((await app.call('PUT', '/segments/spent-50', { as: 'marketer', json: { name: 'Spent 100+', condition: { ...condition, value: 100 } } })).status).toBe(200);
    expect((await segmentPages('spent-50')).ids).toEqual(['m-4']);
    expect((await app.call('PUT', '/customers/m-2', { as: 'ingest', json: { tags: ['new'] } })).status).toBe(200);
    expect((await app.call('DELETE', '/customers/m-10', { as: 'admin' })).status).toBe(200);
    expect((await tagPages('vip')).ids).toEqual(['m-1', 'm-3', 'm-3:b', 'm-5', 'm-6']);
    expect((await tagPages('new')).ids).toEqual(['m-2', 'm-5']);
    // The list by segment is the same pages as the members'.
    const bySegment = await everyPage((cursor) => `/customers?segment=spent-50&limit=1${q(cursor)}`, (json) => (json as { items: Member[] }).items);
    expect(bySegment.ids).toEqual(['m-4']);

    // A deleted segment has no members left to list; a cursor that is not one is a clear error.
    expect((await app.call('DELETE', '/segments/spent-50', { as: 'marketer' })).status).toBe(200);
    expect((await app.call('GET', '/customers?segment=spent-50', { as: 'viewer' })).json).toMatchObject({ items: [], nextCursor: null });
    const bad = await app.call('GET', '/customers?tag=vip&cursor=nope', { as: 'viewer' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('query.cursor');
  });
});
