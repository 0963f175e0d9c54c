import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventKey } from '../journey/event.ts';
import { createJourney, publishVersion } from '../store/journeys.ts';
import { ensureBuiltinSegments } from '../store/segments.ts';
import { definitionOf, simpleGraph, triggers } from './fixtures.ts';
import { startTestApp } from './testHarness.ts';
import type { TestApp } from './testHarness.ts';
import type { EventImportReport } from './wire/events.ts';

/**
 * The history import of events over HTTP: JSON lines through the event pipeline in batches,
 * per-line errors, duplicates on a second import, entry windows for old events, and the
 * lifecycle recompute at the end routing what it finds.
 */

const DAY = 86_400_000;

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await ensureBuiltinSegments(app.db, new Date());
  app.pipeline.lifecycleChanged();
});
afterAll(() => app.close());

type Computed = { stage: string; orderCount: number; totalSpend: number; segments?: string[]; lastPurchaseAt?: string };
const customer = async (id: string) => (await app.call('GET', `/customers/${id}`)).json as { computed: Computed };

async function publish(graph: ReturnType<typeof simpleGraph>) {
  await createJourney(app.db, graph, new Date());
  await publishVersion(app.db, { journeyId: graph.id, expectedVersion: 0, note: 'v1', definition: definitionOf(graph), graph, publishedBy: 'test' }, new Date());
  // Published behind the API's back (as another process would): no waiting for the cache.
  app.pipeline.journeysChanged();
}

async function importLines(lines: readonly string[], as: 'ingest' | 'admin' = 'ingest') {
  const response = await app.call('POST', '/events/import', { as, body: `${lines.join('\n')}\n`, headers: { 'content-type': 'application/x-ndjson' } });
  expect(response.status, response.text).toBe(200);
  return response.json as EventImportReport;
}

const line = (event: object) => JSON.stringify(event);
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

/** 40 customers × (8 orders + 20 other events) = 1,120 events: two batches. */
function historyFile() {
  const lines: string[] = [];
  const expected = new Map<string, { orderCount: number; totalSpend: number }>();
  for (let c = 0; c < 40; c++) {
    const customerId = `hist-${c}`;
    let totalSpend = 0;
    for (let e = 0; e < 28; e++) {
      const order = e % 7 === 3 || e % 7 === 6;
      const amount = order ? 10 + ((c * 7 + e) % 23) + 0.25 : 0;
      if (order) totalSpend += amount;
      const event = order
        ? { id: `h-${c}-${e}`, type: 'order_completed', customerId, at: ago(60 - e * 2), properties: { amount } }
        : { id: `h-${c}-${e}`, type: 'page_viewed', customerId, at: ago(60 - e * 2), properties: { path: `/p/${e}` } };
      lines.push(line(event));
    }
    expected.set(customerId, { orderCount: 8, totalSpend });
  }
  // Interleave, as a shop export sorted by time would be.
  const interleaved: string[] = [];
  for (let e = 0; e < 28; e++) for (let c = 0; c < 40; c++) interleaved.push(lines[c * 28 + e] as string);
  return { lines: interleaved, expected };
}

describe('POST /events/import', () => {
  const { lines: good, expected } = historyFile();
  // Bad lines among the good ones, in both batches, and a blank line (counted, not an error).
  const file = [...good];
  const bad: Array<{ at: number; text: string; path?: string; message: RegExp }> = [
    { at: 2, text: '{"type": "order_completed", "customerId": "hist-0"', message: /not valid JSON/ },
    { at: 500, text: line({ id: 'bad-amount', type: 'order_completed', customerId: 'hist-1', properties: { amount: '12.50' } }), path: 'properties.amount', message: /must be a number/ },
    { at: 900, text: line({ id: 'bad-type', type: 'Order Completed', customerId: 'hist-2' }), path: 'type', message: /./ },
    { at: 1001, text: line({ id: 'bad-field', type: 'login', customerId: 'hist-3', colour: 'red' }), path: 'colour', message: /unknown field/ },
    { at: 1100, text: line({ id: 'bad-key', type: 'login', customerId: 'hist-4', properties: { $where: 'x' } }), path: 'properties.$where', message: /\$/ },
  ];
  for (const b of bad) file.splice(b.at - 1, 0, b.text);
  file.splice(700, 0, '');
  const badLines = bad.map((b) => (b.at > 700 ? b.at + 1 : b.at));
  let report: EventImportReport;

  it('imports a file of many customers in batches; bad lines are reported by number and the lines around them land', async () => {
    report = await importLines(file);
    expect(report).toMatchObject({ lines: file.length, accepted: good.length, duplicates: 0, rejected: bad.length, unfinished: 0, errorsTruncated: false });
    expect(report.errors.map((e) => e.line)).toEqual(badLines);
    bad.forEach((b, i) => {
      const error = report.errors[i];
      expect(error?.path).toBe(b.path);
      expect(error?.message).toMatch(b.message);
    });
    for (const [id, { orderCount, totalSpend }] of expected) {
      const { computed } = await customer(id);
      expect(computed.orderCount, id).toBe(orderCount);
      expect(computed.totalSpend, id).toBeCloseTo(totalSpend, 6);
    }
    expect(report.recompute).toMatchObject({ customers: expect.any(Number) });
    expect(report.recompute?.customers).toBeGreaterThanOrEqual(40);
    // The lines next to the bad ones were imported.
    for (const at of badLines) {
      for (const neighbour of [file[at - 2], file[at]]) {
        const event = neighbour ? (JSON.parse(neighbour) as { id?: string; customerId?: string }) : undefined;
        if (event?.id?.startsWith('h-') && event.customerId) expect(await app.db.collection<{ _id: string }>('events').countDocuments({ _id: eventKey(event.customerId, event.id) })).toBe(1);
      }
    }
  });

  it('reports every event as a duplicate when the same file is imported again, and changes no profile', async () => {
    const before = await Promise.all([...expected.keys()].map(customer));
    const again = await importLines(file);
    expect(again).toMatchObject({ lines: file.length, accepted: 0, duplicates: good.length, rejected: bad.length, recompute: null });
    expect(again.errors.map((e) => e.line)).toEqual(badLines);
    expect(await Promise.all([...expected.keys()].map(customer))).toEqual(before);
    expect(await app.db.collection('events').countDocuments({ customerId: /^hist-/, type: { $in: ['order_completed', 'page_viewed'] } })).toBe(good.length);
  });

  it('starts nothing with a two-year-old signed_up, while a current one sent to POST /events starts the journey', async () => {
    await publish(simpleGraph('import-welcome', triggers.event('signed_up')));
    const entered = (customerId: string) =>
      app.runtime
        .callsTo('routeEvent')
        .filter(([input]) => input.customer.id === customerId && input.entries.some((e) => e.journeyId === 'import-welcome'));
    const old = await importLines([line({ id: 'su-old', type: 'signed_up', customerId: 'joined-long-ago', at: ago(730) })]);
    expect(old).toMatchObject({ accepted: 1, rejected: 0 });
    expect(old.recompute?.started).toBe(0);
    expect(entered('joined-long-ago')).toEqual([]);
    expect(await app.db.collection('events').countDocuments({ customerId: 'joined-long-ago', type: 'signed_up' })).toBe(1);

    const now = await app.call('POST', '/events', { as: 'ingest', json: { type: 'signed_up', customerId: 'joined-today' } });
    expect(now.status).toBe(202);
    expect(entered('joined-today')).toHaveLength(1);
  });

  it('makes a customer whose orders ended 120 days ago dormant, and enters them into the journey triggered by dormant-90d once', async () => {
    await publish(simpleGraph('import-win-back', triggers.segment('dormant-90d')));
    const orders = [300, 240, 180, 120].map((days, i) =>
      line({ id: `lapsed-${i}`, type: 'order_completed', customerId: 'lapsed', at: ago(days), properties: { amount: 40 } }),
    );
    const result = await importLines(orders);
    expect(result).toMatchObject({ accepted: 4, rejected: 0 });
    expect(result.recompute?.customers).toBeGreaterThan(0);
    const { computed } = await customer('lapsed');
    expect(computed).toMatchObject({ stage: 'dormant', orderCount: 4, totalSpend: 160 });
    expect(computed.segments).toContain('dormant-90d');
    // Announced once, by the recompute at the end of the import, with the segment journey among its entries.
    const entered = app.runtime
      .callsTo('routeEvent')
      .filter(([input]) => input.customer.id === 'lapsed' && input.event.type === 'segment_entered' && input.event.properties['segment'] === 'dormant-90d');
    expect(entered).toHaveLength(1);
    expect(entered[0]?.[0].entries.map((e) => e.journeyId)).toContain('import-win-back');
    expect(await app.db.collection('events').countDocuments({ customerId: 'lapsed', type: 'segment_entered', 'properties.segment': 'dormant-90d' })).toBe(1);
  });

  // A history split over batches: the early orders alone (batch 1) would make them dormant, the
  // later ones (batch 2) a won-back buyer. Batches are folded, not scored: only the end state counts.
  it('does not start win-back for a customer who was dormant only part-way through their imported history', async () => {
    await publish(simpleGraph('split-win-back', triggers.segment('dormant-90d')));
    const early = [200, 150, 130].map((days, i) => line({ id: `ret-${i}`, type: 'order_completed', customerId: 'returner', at: ago(days), properties: { amount: 40 } }));
    const filler = Array.from({ length: 1000 }, (_, i) => line({ id: `fill-${i}`, type: 'page_viewed', customerId: `filler-${i % 50}`, at: ago(100) }));
    const late = [10, 5].map((days, i) => line({ id: `ret-late-${i}`, type: 'order_completed', customerId: 'returner', at: ago(days), properties: { amount: 40 } }));
    const result = await importLines([...early, ...filler, ...late]);
    expect(result).toMatchObject({ accepted: 1005, rejected: 0 });
    expect((await customer('returner')).computed).toMatchObject({ stage: 'wonBack', orderCount: 5 });
    const winBack = app.runtime.callsTo('routeEvent').filter(([input]) => input.customer.id === 'returner' && input.entries.some((e) => e.journeyId === 'split-win-back'));
    expect(winBack).toEqual([]);
  });

  it('lists at most 1,000 problems and runs no recompute when nothing new landed', async () => {
    const result = await importLines(Array.from({ length: 1005 }, (_, i) => `not json ${i}`));
    expect(result).toMatchObject({ lines: 1005, accepted: 0, rejected: 1005, errorsTruncated: true, recompute: null });
    expect(result.errors).toHaveLength(1000);
    expect(result.errors[999]).toEqual({ line: 1000, message: 'not valid JSON' });
  });

  it('rejects another media type with 415 and a body over the import limit with 413', async () => {
    const csv = await app.call('POST', '/events/import', { as: 'ingest', body: 'type,customerId\nlogin,x\n', headers: { 'content-type': 'text/csv' } });
    expect(csv.status).toBe(415);
    const small = await startTestApp({ config: { importLimitBytes: 2000 } });
    try {
      const lines = Array.from({ length: 200 }, (_, i) => line({ id: `big-${i}`, type: 'login', customerId: 'too-big' }));
      const response = await small.call('POST', '/events/import', { as: 'ingest', body: lines.join('\n'), headers: { 'content-type': 'application/x-ndjson' } });
      expect(response.status).toBe(413);
      expect(response.json).toMatchObject({ title: 'Import too large', detail: 'imports are limited to 2000 bytes' });
      expect(await small.db.collection('events').countDocuments({ customerId: 'too-big' })).toBe(0);
    } finally {
      await small.close();
    }
  });
});
