// Data the event-pipeline cases start from: the built-in journeys published as `npm start`
// publishes them, customers with a purchase history (aggregates as the pipeline's fold leaves
// them, lifecycle settled), and a lifecycle base model as the daily recompute would leave it.
import { consentRecords } from '../journey/consent.ts';
import type { Db } from 'mongodb';
import { compile } from '../journey/index.ts';
import { createRandom } from '../journey/hash.ts';
import { buildBase } from '../journey/lifecycle/profile.ts';
import type { PurchaseSummary } from '../journey/lifecycle/profile.ts';
import { DAY } from '../journey/time.ts';
import { loadBuiltinJourneys } from '../store/builtins.ts';
import { customersCollection, freshCustomerDocument } from '../store/customers.ts';
import type { CustomerDocument } from '../store/customers.ts';
import { createJourney, getJourney, publishVersion } from '../store/journeys.ts';
import { getLifecycleBase, getLifecycleSettings, rescoreCustomers } from '../store/lifecycle.ts';
import { templateCatalogue } from '../store/templates.ts';
import { emailOf } from './app.ts';

/**
 * Publishes the four built-in journeys (welcome, activation, win-back, birthday care) the way a
 * first `npm start` does (cli/seed.ts: compiled against the templates, stored as version 1).
 * Not through the API: it compiles against the segments too, and activation's trigger segment
 * `new-customers` is not one of the built-in segments. Idempotent. Returns the ids published now.
 */
export async function publishBuiltinJourneys(db: Db, now = new Date()): Promise<string[]> {
  const catalogue = await templateCatalogue(db);
  const published: string[] = [];
  for (const graph of loadBuiltinJourneys()) {
    if ((await getJourney(db, graph.id)) !== null) continue;
    const compiled = compile(graph, { templates: catalogue });
    if (!compiled.ok) throw new Error(`built-in journey ${graph.id} does not compile: ${compiled.errors[0]?.code} at ${compiled.errors[0]?.nodeId}`);
    await createJourney(db, graph, now);
    await publishVersion(db, { journeyId: graph.id, definition: compiled.value, graph, note: 'Built-in journey', publishedBy: 'waymark', expectedVersion: 0 }, now);
    published.push(graph.id);
  }
  return published;
}

/** Customer ids `{prefix}-{n}` for n in [from, from + count). */
export const customerIds = (prefix: string, from: number, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${String(from + i).padStart(6, '0')}`);

const amount = (random: () => number) => Math.round((15 + 185 * random() * random()) * 100) / 100;

/** Customers who bought before, to insert with `insertBuyers`. */
export interface Buyers {
  ids: string[];
  docs: CustomerDocument[];
  summaries: PurchaseSummary[];
}

/**
 * Customers who bought before: 2–8 orders, the last one between `lastOrderDays[0]` and `[1]`
 * days ago (e.g. [2, 30]: active; [100, 300]: dormant), aggregates as the pipeline's fold
 * leaves them. Deterministic for a seed.
 */
export function buyers(options: { prefix: string; from?: number; count: number; lastOrderDays: [number, number]; seed: number; now: Date }): Buyers {
  const { now } = options;
  const random = createRandom(options.seed);
  const ids = customerIds(options.prefix, options.from ?? 0, options.count);
  const summaries: PurchaseSummary[] = [];
  const docs: CustomerDocument[] = ids.map((id) => {
    const orders = 2 + Math.floor(random() * 7);
    const [min, max] = options.lastOrderDays;
    const last = now.getTime() - (min + random() * (max - min)) * DAY;
    const first = last - (orders - 1) * (10 + random() * 50) * DAY;
    let spend = 0;
    for (let k = 0; k < orders; k++) spend += amount(random);
    const summary = { orderCount: orders, totalSpend: Math.round(spend * 100) / 100, firstPurchaseAt: first, lastPurchaseAt: last };
    summaries.push(summary);
    const fresh = freshCustomerDocument(id, now);
    return {
      ...fresh,
      email: emailOf(id),
      name: `Bench ${id}`,
      consent: consentRecords({ email: true, sms: false }, 'import', now.toISOString()),
      tags: [options.prefix],
      computed: {
        ...fresh.computed,
        orderCount: summary.orderCount,
        totalSpend: summary.totalSpend,
        firstPurchaseAt: new Date(first).toISOString(),
        lastPurchaseAt: new Date(last).toISOString(),
        lastSeenAt: new Date(last).toISOString(),
      },
    };
  });
  return { ids, docs, summaries };
}

/**
 * Inserts buyers and scores them once without an event, so their stage, RFM cell, segments and
 * the purchase their next order is compared with are settled (the change events this records
 * are stored, not routed): an event measured later changes only what it changes.
 */
export async function insertBuyers(db: Db, groups: readonly Buyers[], now: Date): Promise<void> {
  const docs = groups.flatMap((g) => g.docs);
  for (let i = 0; i < docs.length; i += 1000) await customersCollection(db).insertMany(docs.slice(i, i + 1000), { ordered: false });
  for (let i = 0; i < docs.length; i += 1000) await rescoreCustomers(db, docs.slice(i, i + 1000).map((doc) => ({ doc, events: [] })), now);
}

/**
 * Stores a lifecycle base model (RFM quintiles, value tiers) built from `summaries` when the
 * database has none yet, as the daily full recompute would leave one (a rescoring without a base
 * skips RFM). Written where store/lifecycle.ts keeps it; call it before `insertBuyers`. Returns
 * whether it wrote one.
 */
export async function ensureLifecycleBase(db: Db, summaries: readonly PurchaseSummary[], now = new Date()): Promise<boolean> {
  if ((await getLifecycleBase(db)) !== null) return false;
  const base = buildBase(summaries, await getLifecycleSettings(db), now.getTime());
  await db
    .collection<{ _id: string; value: unknown; updatedAt: string }>('lifecycleState')
    .updateOne({ _id: 'base' }, { $set: { value: { ...base, customers: summaries.length }, updatedAt: now.toISOString() } }, { upsert: true });
  return true;
}
