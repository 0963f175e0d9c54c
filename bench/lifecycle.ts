import { consentRecords } from '../journey/consent.ts';
import type { Db } from 'mongodb';
import { createRandom } from '../journey/hash.ts';
import type { Random } from '../journey/hash.ts';
import { DAY } from '../journey/time.ts';
import type { CustomerDocument } from '../store/customers.ts';
import { connectDatabase, ensureIndexes } from '../store/db.ts';
import type { EventDocument } from '../store/events.ts';
import { eventsCollection } from '../store/events.ts';
import { dailyLifecycle, recomputeLifecycle, sweepLifecycle, sweepSegmentChange } from '../store/lifecycle.ts';
import type { ProfileCondition } from '../journey/condition.ts';
import { createSegment, ensureBuiltinSegments, previewSegment } from '../store/segments.ts';

/**
 * Benchmark of the lifecycle full recompute: 100,000 customers and 1,000,000 events (quick:
 * 5,000 / 50,000) generated into a throwaway database on the given server (FerretDB in
 * `npm run bench`), then timed:
 * - baseline: reading every event once through one bare `find()` cursor;
 * - the first full recompute (scores, writes and records a change event for everyone);
 * - a second full recompute at the same time (steady state, a repair that finds nothing to
 *   change: reads everything, writes nothing), against a second bare read of the events (the
 *   first recompute recorded its change events among them);
 * - the daily run (the base model from the profiles, everyone re-scored; no events read);
 * - segments on event history (store/eventHistory.ts): a builder preview of "ordered at least
 *   twice in the last 90 days" against one of a profile condition, and the next day's daily run
 *   with such a segment saved against the same day's run without it.
 */

export interface BenchRow {
  case: string;
  value: number;
  unit: string;
  baseline?: number;
  goal?: number;
  ok?: boolean;
}

const now = new Date('2025-06-01T00:00:00Z');
const generatedAt = new Date(now.getTime() - 60_000).toISOString();

/** Days since the last purchase: a mix that lands customers in every lifecycle stage. */
function recencyDays(random: Random): number {
  const r = random();
  if (r < 0.3) return random() * 30;
  if (r < 0.5) return 30 + random() * 30;
  if (r < 0.65) return 60 + random() * 30;
  if (r < 0.85) return 90 + random() * 275;
  return 365 + random() * 335;
}

function orderCount(random: Random): number {
  let n = 1;
  while (n < 40 && random() < 0.55) n++;
  return n;
}

const amount = (random: Random) => Math.round((15 + 285 * random() * random()) * 100) / 100;

/**
 * Writes `customers` synthetic customers and exactly `events` events (orders, surveys, then
 * logins and email opens/clicks spread over everyone), aggregates consistent with the orders.
 * Deterministic for a given size.
 */
export async function generateLifecycleData(db: Db, size: { customers: number; events: number }): Promise<void> {
  const random = createRandom(size.customers);
  const customers = db.collection<CustomerDocument>('customers');
  const events = eventsCollection(db);
  let eventBuffer: EventDocument[] = [];
  let written = 0;
  const flushEvents = async (force = false) => {
    if (eventBuffer.length >= 5000 || (force && eventBuffer.length > 0)) {
      await events.insertMany(eventBuffer, { ordered: false });
      written += eventBuffer.length;
      eventBuffer = [];
    }
  };
  const push = async (customerId: string, type: string, atMs: number, properties: EventDocument['properties'] = {}) => {
    eventBuffer.push({ _id: `e${written + eventBuffer.length}`, customerId, type, at: new Date(atMs).toISOString(), properties, receivedAt: generatedAt });
    await flushEvents();
  };
  const id = (i: number) => `c${String(i).padStart(7, '0')}`;
  let customerBuffer: CustomerDocument[] = [];
  for (let i = 0; i < size.customers; i++) {
    const customerId = id(i);
    let orders = 0;
    let spend = 0;
    let first: number | undefined;
    let last: number | undefined;
    if (random() >= 0.15) {
      orders = orderCount(random);
      const gap = 7 + random() * 110;
      last = now.getTime() - recencyDays(random) * DAY;
      first = last - (orders - 1) * gap * DAY;
      for (let k = 0; k < orders; k++) {
        const value = amount(random);
        spend += value;
        await push(customerId, 'order_completed', first + k * gap * DAY, { amount: value });
      }
    }
    if (random() < 0.03) await push(customerId, 'survey_answered', now.getTime() - random() * 200 * DAY, { score: Math.floor(random() * 11) });
    customerBuffer.push({
      _id: customerId,
      email: `${customerId}@example.com`,
      locale: 'en',
      timezone: 'UTC',
      consent: consentRecords({ email: true, sms: false }, 'import', generatedAt),
      attributes: {},
      tags: [],
      computed: {
        stage: 'prospect',
        orderCount: orders,
        totalSpend: Math.round(spend * 100) / 100,
        segments: [],
        ...(first === undefined || last === undefined
          ? {}
          : { firstPurchaseAt: new Date(first).toISOString(), lastPurchaseAt: new Date(last).toISOString() }),
      },
      createdAt: generatedAt,
      updatedAt: generatedAt,
    });
    if (customerBuffer.length >= 5000) {
      await customers.insertMany(customerBuffer, { ordered: false });
      customerBuffer = [];
    }
  }
  if (customerBuffer.length > 0) await customers.insertMany(customerBuffer, { ordered: false });
  const types = ['login', 'email_opened', 'email_clicked'];
  while (written + eventBuffer.length < size.events) {
    const customerId = id(Math.floor(random() * size.customers));
    await push(customerId, types[Math.floor(random() * types.length)] ?? 'login', now.getTime() - random() * 365 * DAY);
  }
  await flushEvents(true);
}

/** Times `work`, and says so in the log (the runner stops a case over its budget: the log shows where it was). */
async function seconds<T>(label: string, work: () => Promise<T>): Promise<{ value: T; s: number }> {
  const start = performance.now();
  console.log(`lifecycle: ${label} …`);
  const value = await work();
  const s = Math.round(performance.now() - start) / 1000;
  console.log(`lifecycle: ${label} took ${s} s`);
  return { value, s };
}

/** The baseline: every event read once through one bare `find()` cursor; returns how many. */
async function readEveryEvent(db: Db): Promise<number> {
  let n = 0;
  for await (const _doc of eventsCollection(db).find({}, { batchSize: 10_000 })) n++;
  return n;
}

/** Runs the benchmark on a throwaway database of `mongoUrl`, dropped afterwards. */
export async function benchLifecycle(opts: { quick: boolean; mongoUrl: string }): Promise<BenchRow[]> {
  const size = opts.quick ? { customers: 5_000, events: 50_000 } : { customers: 100_000, events: 1_000_000 };
  const label = `${size.customers.toLocaleString('en')} customers, ${size.events.toLocaleString('en')} events`;
  const { client, db } = await connectDatabase(opts.mongoUrl, `waymark_bench_lifecycle_${Date.now().toString(36)}`);
  try {
    await ensureIndexes(db);
    await ensureBuiltinSegments(db, now);
    const generated = await seconds('generate', () => generateLifecycleData(db, size));
    // Baseline: the least any full recompute must do — read every event once.
    const bare = await seconds('baseline read', () => readEveryEvent(db));
    const first = await seconds('first recompute', () => recomputeLifecycle(db, now));
    // The steady state (a repair that finds nothing to change: everything read, nothing
    // written), against a bare read of the events as they are now (the first run recorded its
    // change events among them).
    const bareAgain = await seconds('baseline read again', () => readEveryEvent(db));
    const steady = await seconds('steady recompute', () => recomputeLifecycle(db, now));
    const sweep = await seconds('daily run', () => dailyLifecycle(db, new Date(now.getTime() + DAY)));
    const later = new Date(now.getTime() + 2 * DAY);
    const orderedTwice: ProfileCondition = { type: 'eventHistory', did: true, eventType: 'order_completed', where: [], atLeast: 2, withinDays: 90 };
    const profilePreview = await seconds('preview, profile condition', () => previewSegment(db, { type: 'stage', stages: ['active', 'new'] }, later, 10));
    const historyPreview = await seconds('preview, event history', () => previewSegment(db, orderedTwice, later, 10));
    const plainDaily = await seconds('daily run, no event-history segment', () => dailyLifecycle(db, later));
    await createSegment(db, { id: 'ordered-twice-90d', name: 'Ordered twice in 90 days', description: '', condition: orderedTwice }, later);
    const historyDaily = await seconds('daily run, one event-history segment', () => dailyLifecycle(db, later));
    // Saving a segment: membership re-evaluated for everyone (what a save did before), then the
    // same rule saved as a second segment, re-evaluated for who can change (its members, who the
    // rule's index finds): the same members join either way.
    const champions: ProfileCondition = { type: 'rfm', cells: ['champions'] };
    await createSegment(db, { id: 'saved-everyone', name: 'Champions', description: '', condition: champions }, later);
    const everyoneSave = await seconds('segment save, everyone', () => sweepLifecycle(db, later));
    await createSegment(db, { id: 'saved-narrowed', name: 'Champions', description: '', condition: champions }, later);
    const narrowSave = await seconds('segment save, who can change', () => sweepSegmentChange(db, 'saved-narrowed', champions, later));
    const stages = await countBy(db, 'computed.stage');
    const cells = await countBy(db, 'computed.rfm.cell');
    const rows: BenchRow[] = [
      { case: `lifecycle: generate ${label}`, value: generated.s, unit: 's' },
      { case: `lifecycle: baseline, read all ${bare.value.toLocaleString('en')} events with one find()`, value: bare.s, unit: 's' },
      { case: `lifecycle: full recompute, first run (${label}; ${first.value.updated} updated, ${first.value.events} change events)`, value: first.s, unit: 's', baseline: bare.s, goal: 1.5, ok: first.s <= 1.5 * bare.s },
      { case: `lifecycle: full recompute, steady state: a repair that changes nothing (${steady.value.updated} updated; baseline: read all ${bareAgain.value.toLocaleString('en')} events again)`, value: steady.s, unit: 's', baseline: bareAgain.s },
      { case: `lifecycle: daily run from the profiles, next day (${sweep.value.updated} updated, ${sweep.value.events} change events; goal under 30 s at 100,000 customers)`, value: sweep.s, unit: 's', ...(opts.quick ? {} : { ok: sweep.s < 30 }) },
      { case: `lifecycle: segment preview, ordered twice in 90 days (${historyPreview.value.count} match), against a stage condition`, value: historyPreview.s, unit: 's', baseline: profilePreview.s },
      { case: `lifecycle: saving a segment (RFM cell rule, ${narrowSave.value.events} joined): membership for its members and who its rule's index finds (${narrowSave.value.customers} read), against everyone (what a save did before: ${everyoneSave.value.customers} read, ${everyoneSave.value.events} joined)`, value: narrowSave.s, unit: 's', baseline: everyoneSave.s },
      { case: `lifecycle: daily run with an event-history segment (${historyDaily.value.events} change events), against the same day's run without`, value: historyDaily.s, unit: 's', baseline: plainDaily.s },
      ...Object.entries(stages).map(([stage, n]) => ({ case: `lifecycle: customers in stage ${stage}`, value: n, unit: 'customers' })),
      ...Object.entries(cells).map(([cell, n]) => ({ case: `lifecycle: customers in RFM cell ${cell}`, value: n, unit: 'customers' })),
    ];
    return rows;
  } finally {
    await db.dropDatabase().catch(() => undefined);
    await client.close();
  }
}

/** Counts customers per value of a field, in application code (no `$group` needed). */
async function countBy(db: Db, path: 'computed.stage' | 'computed.rfm.cell'): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for await (const doc of db.collection<CustomerDocument>('customers').find({}, { projection: { computed: 1 } })) {
    const value = path === 'computed.stage' ? doc.computed.stage : doc.computed.rfm?.cell;
    if (value !== undefined) counts[value] = (counts[value] ?? 0) + 1;
  }
  return counts;
}
