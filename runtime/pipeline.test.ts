// The event pipeline against the test FerretDB with a recording runtime: exactly-once stages
// under failures, the sweeper, entry windows, and batches equal to one-by-one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeRuntime } from '../api/fakeRuntime.ts';
import { definitionOf, registerWaitingRun, simpleGraph, triggers } from '../api/fixtures.ts';
import type { CustomerEvent } from '../journey/event.ts';
import { createRandom } from '../journey/hash.ts';
import { customersCollection, getCustomer } from '../store/customers.ts';
import { ensureIndexes } from '../store/db.ts';
import { countUnfinished, unfinishedEvent } from '../store/events.ts';
import { createJourney, publishVersion } from '../store/journeys.ts';
import { ensureBuiltinSegments } from '../store/segments.ts';
import { testDatabase } from '../test/db.ts';
import { createEventPipeline } from './pipeline.ts';
import type { JourneyRuntime } from './runtime.ts';

const DAY = 86_400_000;
const databases: Array<Awaited<ReturnType<typeof testDatabase>>> = [];

async function freshDb() {
  const database = await testDatabase();
  databases.push(database);
  await ensureIndexes(database.db);
  await ensureBuiltinSegments(database.db, new Date());
  return database.db;
}

afterAll(async () => {
  for (const database of databases) await database.close();
});

async function publish(db: Awaited<ReturnType<typeof freshDb>>, graph: ReturnType<typeof simpleGraph>) {
  await createJourney(db, graph, new Date());
  await publishVersion(db, { journeyId: graph.id, expectedVersion: 0, note: 'v1', definition: definitionOf(graph), graph, publishedBy: 'test' }, new Date());
}

/** A runtime whose `routeEvent` fails while `down` is true (Temporal unreachable), recording the calls that went through. */
function flakyRuntime() {
  const fake = createFakeRuntime();
  const state = { down: false, failures: 0 };
  const runtime: Pick<JourneyRuntime, 'routeEvent'> = {
    async routeEvent(input) {
      if (state.down) {
        state.failures++;
        throw new Error('14 UNAVAILABLE: connect ECONNREFUSED 127.0.0.1:7233');
      }
      return fake.routeEvent(input);
    },
  };
  return { runtime, fake, state };
}

const order = (customerId: string, id: string, amount: number, at = new Date().toISOString()): CustomerEvent => ({ id, type: 'order_completed', customerId, at, properties: { amount } });

describe('exactly once under failures', () => {
  let db: Awaited<ReturnType<typeof freshDb>>;
  beforeAll(async () => {
    db = await freshDb();
  });

  it('a stage that fails once is finished by the client’s retry: folded once, routed once', async () => {
    const { runtime, fake, state } = flakyRuntime();
    const pipeline = createEventPipeline({ db, runtime });
    const waiting = await registerWaitingRun(db, 'retry-me', 'wait-order', ['order_completed']);
    state.down = true;
    const [first] = await pipeline.ingest([order('retry-me', 'o-1', 30)], { wait: true });
    expect(first).toMatchObject({ id: 'o-1', duplicate: false, finished: false });
    expect(state.failures).toBe(1);
    // Stored, folded and scored; only routing is left, for the order and the stage change it caused.
    expect((await getCustomer(db, 'retry-me'))?.computed).toMatchObject({ orderCount: 1, stage: 'new' });
    const left = await unfinishedEvent(db, 'retry-me', 'o-1');
    expect(left).toMatchObject({ pending: ['route'], attempts: 1 });
    expect(left?.lastError).toContain('UNAVAILABLE');
    expect(await countUnfinished(db)).toBe(2); // and the stage change it caused

    state.down = false;
    const [again] = await pipeline.ingest([order('retry-me', 'o-1', 30)], { wait: true });
    expect(again).toMatchObject({ id: 'o-1', duplicate: false, finished: true });
    const [third] = await pipeline.ingest([order('retry-me', 'o-1', 30)], { wait: true });
    expect(third).toMatchObject({ duplicate: true, finished: true });

    const customer = await getCustomer(db, 'retry-me');
    expect(customer?.computed).toMatchObject({ orderCount: 1, totalSpend: 30 });
    const routed = fake.callsTo('routeEvent').filter(([i]) => i.event.id === 'o-1');
    expect(routed).toHaveLength(1);
    expect(routed[0]?.[0].signal).toEqual([waiting]);
    // The stage change nobody retries: the sweeper routes it (the run does not wait for it: no signal).
    expect(await pipeline.sweep({ olderThanMs: 0 })).toEqual({ found: 1, finished: 1 });
    expect(await unfinishedEvent(db, 'retry-me', 'o-1')).toBeNull();
    expect(await countUnfinished(db)).toBe(0);
    expect(fake.callsTo('routeEvent').filter(([i]) => i.event.id === 'o-1')).toHaveLength(1);
  });

  it('the sweeper finishes events stranded half-way that nobody retries', async () => {
    const { runtime, fake, state } = flakyRuntime();
    const pipeline = createEventPipeline({ db, runtime });
    for (const id of ['strand-1', 'strand-2']) await registerWaitingRun(db, id, 'wait-order', ['order_completed']);
    state.down = true;
    // Not waited for: the client got its 202 and went away.
    await pipeline.ingest([order('strand-1', 's-1', 12), order('strand-2', 's-2', 8), order('strand-1', 's-3', 5)]);
    await pipeline.drain();
    // The three orders and the stage changes they caused.
    const stranded = await countUnfinished(db);
    expect(stranded).toBeGreaterThanOrEqual(3);

    state.down = false;
    expect(await pipeline.sweep({ olderThanMs: 60_000 })).toEqual({ found: 0, finished: 0 }); // too recent to be stranded
    expect(await pipeline.sweep({ olderThanMs: 0 })).toEqual({ found: stranded, finished: stranded });
    expect(await countUnfinished(db)).toBe(0);
    expect((await getCustomer(db, 'strand-1'))?.computed).toMatchObject({ orderCount: 2, totalSpend: 17 });
    expect((await getCustomer(db, 'strand-2'))?.computed).toMatchObject({ orderCount: 1, totalSpend: 8 });
    const orders = () => fake.callsTo('routeEvent').filter(([i]) => i.event.type === 'order_completed').map(([i]) => i.event.id);
    expect(orders().sort()).toEqual(['s-1', 's-2', 's-3']);
    // A second sweep finds nothing: nothing is routed twice.
    expect(await pipeline.sweep({ olderThanMs: 0 })).toEqual({ found: 0, finished: 0 });
    expect(orders()).toHaveLength(3);
  });

  it('two attempts at the same events at once fold them once', async () => {
    const { runtime } = flakyRuntime();
    const [a, b] = [createEventPipeline({ db, runtime }), createEventPipeline({ db, runtime })];
    const events = Array.from({ length: 20 }, (_, i) => order(`twice-${i % 4}`, `t-${i}`, 1));
    await Promise.all([a.ingest(events, { wait: true }), b.ingest(events, { wait: true })]);
    for (let c = 0; c < 4; c++) expect((await getCustomer(db, `twice-${c}`))?.computed.orderCount).toBe(5);
  });
});

describe('entry windows', () => {
  it('a two-year-old signed_up starts nothing; a current one starts the welcome journey', async () => {
    const db = await freshDb();
    await publish(db, simpleGraph('welcome-test', triggers.event('signed_up')));
    const fake = createFakeRuntime();
    const pipeline = createEventPipeline({ db, runtime: fake });
    const old = new Date(Date.now() - 730 * DAY).toISOString();
    await pipeline.ingest([{ id: 'su-old', type: 'signed_up', customerId: 'imported', at: old, properties: {} }], { wait: true });
    expect(fake.callsTo('routeEvent')).toEqual([]);
    expect((await getCustomer(db, 'imported'))?.computed.lastSeenAt).toBe(old);
    await pipeline.ingest([{ id: 'su-now', type: 'signed_up', customerId: 'fresh', at: new Date().toISOString(), properties: {} }], { wait: true });
    expect(fake.callsTo('routeEvent').map(([i]) => `${i.customer.id}:${i.entries.map((e) => e.journeyId).join(',')}`)).toEqual(['fresh:welcome-test']);
  });
});

describe('batches', () => {
  /**
   * 1,000 events for 200 customers: recent sign-ups and orders (some large), answers to the NPS
   * survey, and customers whose only orders are 150–200 days old (dormant, members of
   * dormant-90d, from their first event on).
   */
  function history(): CustomerEvent[] {
    const random = createRandom(42);
    const now = Date.now();
    const events: CustomerEvent[] = [];
    for (let c = 0; c < 200; c++) {
      const customerId = `b-${c}`;
      const lapsed = c % 5 === 0;
      if (!lapsed) events.push({ id: `${customerId}-su`, type: 'signed_up', customerId, at: new Date(now - 40 * DAY).toISOString(), properties: {} });
      if (c % 7 === 0) events.push({ id: `${customerId}-nps`, type: 'survey_answered', customerId, at: new Date(now - 2 * DAY).toISOString(), properties: { score: c % 11 } });
      while (events.filter((e) => e.customerId === customerId).length < 5) {
        const daysAgo = lapsed ? 150 + Math.floor(random() * 50) : Math.floor(random() * 30);
        const amount = Math.round(random() * 15_000) / 100;
        events.push(order(customerId, `${customerId}-o${events.length}`, amount, new Date(now - daysAgo * DAY - Math.floor(random() * DAY)).toISOString()));
      }
    }
    // Interleaved across customers, as a shop's feed would be.
    for (let i = events.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [events[i], events[j]] = [events[j] as CustomerEvent, events[i] as CustomerEvent];
    }
    return events;
  }

  async function run(mode: 'batch' | 'single', events: readonly CustomerEvent[]) {
    const db = await freshDb();
    await publish(db, simpleGraph('welcome-b', triggers.event('signed_up')));
    await publish(db, simpleGraph('big-order', triggers.event('order_completed', [{ property: 'amount', op: 'gte', value: 100 }])));
    await publish(db, simpleGraph('win-back-b', triggers.segment('dormant-90d')));
    const fake = createFakeRuntime();
    const pipeline = createEventPipeline({ db, runtime: fake });
    if (mode === 'batch') await pipeline.ingest(events, { wait: true });
    else for (const event of events) await pipeline.ingest([event], { wait: true });
    const profiles = await customersCollection(db)
      .find({}, { projection: { 'computed.stage': 1, 'computed.orderCount': 1, 'computed.totalSpend': 1, 'computed.firstPurchaseAt': 1, 'computed.lastPurchaseAt': 1, 'computed.lastSeenAt': 1, 'computed.nps': 1, 'computed.segments': 1 } })
      .sort({ _id: 1 })
      .toArray();
    const runs = fake
      .callsTo('routeEvent')
      .flatMap(([i]) => i.entries.map((e) => `${i.customer.id}:${e.journeyId}`))
      .sort();
    return { profiles, runs };
  }

  it('a batch of 1,000 events for 200 customers gives the same profiles, stages and runs as one by one', { timeout: 180_000 }, async () => {
    const events = history();
    expect(events).toHaveLength(1000);
    const batch = await run('batch', events);
    const single = await run('single', events);
    expect(batch.profiles).toHaveLength(200);
    expect(batch.profiles.map((p) => ({ ...p, computed: { ...p.computed, totalSpend: Math.round(p.computed.totalSpend * 100) } }))).toEqual(
      single.profiles.map((p) => ({ ...p, computed: { ...p.computed, totalSpend: Math.round(p.computed.totalSpend * 100) } })),
    );
    expect(batch.profiles.filter((p) => p.computed.stage === 'dormant')).toHaveLength(40);
    expect(batch.runs).toEqual(single.runs);
    expect(batch.runs.filter((r) => r.endsWith(':win-back-b'))).toHaveLength(40);
    expect(batch.runs.filter((r) => r.endsWith(':welcome-b'))).toHaveLength(0); // signed up 40 days ago: outside the 24-hour window
    expect(batch.runs.filter((r) => r.endsWith(':big-order')).length).toBeGreaterThan(0);
  });
});
