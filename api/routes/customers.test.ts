import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../testHarness.ts';
import type { TestApp } from '../testHarness.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

type ConsentRecord = { granted: boolean; at: string; source: string };
type Customer = { id: string; email?: string; name?: string; locale: string; tags: string[]; consent: { email?: ConsentRecord; sms?: ConsentRecord }; computed: { stage: string; orderCount: number } };
type Page<T> = { items: T[]; nextCursor: string | null };

describe('customers', () => {
  it('creates with defaults and no consent, then updates only the fields sent', async () => {
    const created = await app.call('PUT', '/customers/ana', { as: 'ingest', json: { email: 'ana@example.com', name: 'Ana', tags: ['vip'] } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ id: 'ana', email: 'ana@example.com', locale: 'en', timezone: 'UTC', consent: {}, computed: { stage: 'prospect', orderCount: 0 } });

    const updated = await app.call('PUT', '/customers/ana', { as: 'ingest', json: { locale: 'zh-CN', consent: { email: false, sms: true } } });
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({
      id: 'ana', email: 'ana@example.com', name: 'Ana', locale: 'zh-CN', tags: ['vip'],
      consent: { email: { granted: false, source: 'api' }, sms: { granted: true, source: 'api' } },
    });
    // A record as sent keeps its own time and source; the other channel's record is kept.
    const form = await app.call('PUT', '/customers/ana', { as: 'ingest', json: { consent: { email: { granted: true, at: '2026-03-01T10:00:00.000Z', source: 'form' } } } });
    expect((form.json as Customer).consent).toEqual({ email: { granted: true, at: '2026-03-01T10:00:00.000Z', source: 'form' }, sms: (updated.json as Customer).consent.sms });
    const bad = await app.call('PUT', '/customers/ana', { as: 'ingest', json: { consent: { email: { granted: true, source: 'guess' } } } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('body.consent.email');
    const again = await app.call('PUT', '/customers/ana', { as: 'ingest', json: { locale: 'zh-CN' } });
    expect((again.json as Customer).consent.email).toMatchObject({ granted: true, source: 'form' });

    const read = await app.call('GET', '/customers/ana', { as: 'viewer' });
    expect(read.json).toEqual(again.json);
  });

  it('keeps tags empty by default on FerretDB', async () => {
    const created = await app.call('PUT', '/customers/no-tags', { as: 'ingest', json: {} });
    expect((created.json as Customer).tags).toEqual([]);
  });

  it('404s an unknown customer and 400s a bad id', async () => {
    expect((await app.call('GET', '/customers/nobody')).status).toBe(404);
    const bad = await app.call('GET', '/customers/has%20space');
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ errors: [{ path: 'params.id' }] });
  });

  it('searches by prefix and filters, a page at a time', async () => {
    for (let i = 0; i < 7; i++) {
      await app.call('PUT', `/customers/search-${i}`, { as: 'ingest', json: { name: `Searchable ${i}`, tags: i % 2 === 0 ? ['even'] : ['odd'] } });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/customers?q=search-&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await app.call('GET', query, { as: 'viewer' })).json as Page<Customer>;
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((c) => c.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(Array.from({ length: 7 }, (_, i) => `search-${i}`));

    const evens = (await app.call('GET', '/customers?q=SEARCHABLE&tag=even', { as: 'viewer' })).json as Page<Customer>;
    expect(evens.items.map((c) => c.id)).toEqual(['search-0', 'search-2', 'search-4', 'search-6']);
    const badCursor = await app.call('GET', '/customers?cursor=garbage', { as: 'viewer' });
    expect(badCursor.status).toBe(400);
    expect(badCursor.json).toMatchObject({ errors: [{ path: 'query.cursor' }] });
  });

  it('estimates how many customers the list holds, in all and per stage, from the counters', async () => {
    type Counted = Page<Customer> & { estimatedTotal?: number };
    const list = async (query: string): Promise<Counted> => (await app.call('GET', `/customers?${query}`, { as: 'viewer' })).json as Counted;
    const everyone = async (query: string): Promise<string[]> => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Counted = await list(`${query}&limit=100${cursor ? `&cursor=${cursor}` : ''}`);
        ids.push(...page.items.map((c) => c.id));
        cursor = page.nextCursor;
      } while (cursor !== null);
      return ids;
    };
    const before = await list('limit=1');
    expect(before.estimatedTotal).toBe((await everyone('')).length);
    await app.call('PUT', '/customers/counted-1', { as: 'ingest', json: { name: 'Counted' } });
    expect((await list('limit=1')).estimatedTotal).toBe((before.estimatedTotal ?? 0) + 1);
    expect((await list('stage=prospect&limit=1')).estimatedTotal).toBe((await everyone('stage=prospect')).length);
    expect((await list('stage=new&limit=1')).estimatedTotal).toBe((await everyone('stage=new')).length);
    // A filter the counters do not hold gets no estimate rather than a wrong one.
    expect((await list('tag=even&limit=1')).estimatedTotal).toBeUndefined();
  });

  it('erases the profile and its events and cancels its journeys', async () => {
    await app.call('PUT', '/customers/leaver', { as: 'ingest', json: { email: 'leaver@example.com' } });
    await app.call('POST', '/events', { as: 'ingest', json: { type: 'login', customerId: 'leaver' } });
    app.runtime.state.runs.push({
      journeyId: 'welcome', version: 1, customerId: 'leaver', status: 'running', nodeId: 'wait-1', waitingFor: [], variables: {}, history: [], startedAt: new Date().toISOString(),
    });
    expect((await app.call('DELETE', '/customers/leaver', { as: 'ingest' })).status).toBe(403);
    const erased = await app.call('DELETE', '/customers/leaver', { as: 'admin' });
    expect(erased.status).toBe(200);
    expect(erased.json).toMatchObject({
      customerId: 'leaver',
      status: 'erased',
      removed: { profile: 1, events: 1, journeysCancelled: 1, runRecords: 0, tasks: 0, coupons: 0, messagesRedacted: 0 },
    });
    expect(app.runtime.callsTo('cancelCustomerJourneys')).toContainEqual(['leaver']);
    expect((await app.call('GET', '/customers/leaver')).status).toBe(404);
    expect(await app.db.collection('events').countDocuments({ customerId: 'leaver' })).toBe(0);
    // Erasing again sweeps again and answers the report of the same erasure; an id never seen is 404.
    const { requestedAt, finishedAt } = erased.json as { requestedAt: string; finishedAt: string };
    expect((await app.call('DELETE', '/customers/leaver', { as: 'admin' })).json).toMatchObject({ status: 'erased', requestedAt, finishedAt, removed: { profile: 1, events: 1 } });
    expect((await app.call('DELETE', '/customers/never-was', { as: 'admin' })).status).toBe(404);
  });

  it('shows where the customer is in their journeys', async () => {
    await app.call('PUT', '/customers/runner', { as: 'ingest', json: {} });
    app.runtime.state.runs.push({
      journeyId: 'win-back', version: 2, customerId: 'runner', status: 'running', nodeId: 'wait-for-order', waitingFor: ['order_completed'],
      waitingUntil: '2030-01-01T00:00:00.000Z', variables: { couponCode: 'WB-1' }, history: [{ nodeId: 'trigger', at: '2025-01-01T00:00:00.000Z' }], startedAt: '2025-01-01T00:00:00.000Z',
    });
    const runs = await app.call('GET', '/customers/runner/journeys', { as: 'viewer' });
    expect(runs.status).toBe(200);
    expect(runs.json).toMatchObject({ items: [{ journeyId: 'win-back', nodeId: 'wait-for-order', waitingFor: ['order_completed'], variables: { couponCode: 'WB-1' } }], nextCursor: null });
  });
});

describe('bulk import', () => {
  it('imports CSV rows, rejecting bad lines with their number and reason', async () => {
    const csv = [
      'id,email,name,consent.email,consent.sms,tags,attributes.plan,attributes.seats',
      'imp-1,one@example.com,One,yes,no,a;b,gold,3',
      'imp-2,not-an-email,Two,yes,no,,,',
      'imp-3,three@example.com,"Three, Jr.",no,,,silver,',
      'bad id,x@example.com,Bad,,,,,',
      'imp-4,four@example.com,Four,maybe,no,,,',
    ].join('\n');
    const response = await app.call('POST', '/customers/import', { as: 'ingest', body: csv, headers: { 'content-type': 'text/csv' } });
    expect(response.status, response.text).toBe(200);
    const report = response.json as { accepted: number; rejected: number; errors: { line: number; reason: string }[] };
    expect(report).toMatchObject({ accepted: 2, rejected: 3, created: 2, updated: 0, errorsTruncated: false });
    expect(report.errors.map((e) => e.line)).toEqual([3, 5, 6]);
    expect(report.errors[0]?.reason).toContain('email');
    expect(report.errors[2]?.reason).toContain('consent.email');
    const one = (await app.call('GET', '/customers/imp-1')).json;
    expect(one).toMatchObject({ tags: ['a', 'b'], attributes: { plan: 'gold', seats: 3 }, consent: { email: { granted: true, source: 'import' }, sms: { granted: false, source: 'import' } } });
    // An empty consent cell records nothing for that channel.
    expect((await app.call('GET', '/customers/imp-3')).json).toMatchObject({ name: 'Three, Jr.', consent: { email: { granted: false, source: 'import' } } });
    expect(((await app.call('GET', '/customers/imp-3')).json as Customer).consent.sms).toBeUndefined();
  });

  it('refuses a CSV with an unknown column before writing anything', async () => {
    const response = await app.call('POST', '/customers/import', { as: 'ingest', body: 'id,emial\nz-1,z@example.com\n', headers: { 'content-type': 'text/csv' } });
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ errors: [{ path: 'body.columns.emial', message: 'unknown column' }] });
    expect((await app.call('GET', '/customers/z-1')).status).toBe(404);
  });

  it('imports JSON lines and updates existing customers', async () => {
    const lines = [
      JSON.stringify({ id: 'imp-1', name: 'One Updated' }),
      '',
      '{not json',
      JSON.stringify({ id: 'jl-1', email: 'jl@example.com', attributes: { $set: 1 } }),
      JSON.stringify({ id: 'jl-2', phone: '+14155550123', computed: { stage: 'champions' } }),
      JSON.stringify({ id: 'jl-3', phone: '+14155550123' }),
    ].join('\n');
    const response = await app.call('POST', '/customers/import', { as: 'ingest', body: lines, headers: { 'content-type': 'application/x-ndjson' } });
    const report = response.json as { errors: { line: number; reason: string }[] };
    expect(report).toMatchObject({ accepted: 2, rejected: 3, created: 1, updated: 1 });
    expect(report.errors).toEqual([
      { line: 3, reason: 'not valid JSON' },
      { line: 4, reason: 'row.attributes.$set: field names may not start with $' },
      { line: 5, reason: 'computed: unknown field' },
    ]);
    expect((await app.call('GET', '/customers/imp-1')).json).toMatchObject({ name: 'One Updated', email: 'one@example.com' });
  });

  it('stores a lunar birthday and refuses a mistyped one, naming the attribute and keeping the profile', async () => {
    const ok = await app.call('PUT', '/customers/lunar-ana', { as: 'ingest', json: { attributes: { lunarBirthday: 'lunar-leap-06-10', plan: 'lunatic' } } });
    expect(ok.status, ok.text).toBe(201);
    const bad = await app.call('PUT', '/customers/lunar-ana', { as: 'ingest', json: { attributes: { lunarBirthday: 'lunar-6-10' } } });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ errors: [expect.objectContaining({ path: 'body.attributes.lunarBirthday', message: expect.stringContaining('lunar-MM-DD') })] });
    expect(((await app.call('GET', '/customers/lunar-ana')).json as { attributes: Record<string, unknown> }).attributes).toEqual({ lunarBirthday: 'lunar-leap-06-10', plan: 'lunatic' });
  });

  it('415s an import in another format', async () => {
    const response = await app.call('POST', '/customers/import', { as: 'ingest', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(415);
  });
});
