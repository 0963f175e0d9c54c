import { consentRecords } from '../journey/consent.ts';
import type { Db } from 'mongodb';
import { CustomerProfile } from '../journey/customer.ts';
import type { LifecycleStage } from '../journey/customer.ts';
import { createRandom } from '../journey/hash.ts';
import type { Random } from '../journey/hash.ts';
import { addOrder, buildBase, computeLifecycle, emptyHistory, summarize } from '../journey/lifecycle/profile.ts';
import type { HistoryAccumulator } from '../journey/lifecycle/profile.ts';
import { builtinSegments, segmentMembership } from '../journey/lifecycle/segment.ts';
import { defaultLifecycleSettings } from '../journey/lifecycle/settings.ts';
import { customersCollection } from './customers.ts';
import type { CustomerDocument } from './customers.ts';
import { eventKey } from '../journey/event.ts';
import { eventsCollection } from './events.ts';
import { syncMemberships } from './segmentMembers.ts';
import type { EventDocument } from './events.ts';

/**
 * The demo data `npm start` loads into an empty database: customers across every lifecycle
 * stage, with order histories that produce those stages, and computed fields (stage, RFM,
 * value tier, CLV, churn risk, segments) scored by the core's lifecycle code. Deterministic:
 * the same seed and `now` give the same data.
 */

const DAY = 86_400_000;

const firstNames = ['Ana', 'Ben', 'Chen', 'Dana', 'Elif', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kemi', 'Li', 'Maya', 'Nils', 'Olu', 'Priya', 'Quinn', 'Rosa', 'Sam', 'Tao', 'Uma', 'Viktor', 'Wen', 'Yusuf', 'Zoe'];
const lastNames = ['Silva', 'Okafor', 'Wang', 'Schmidt', 'Yilmaz', 'Haddad', 'Kim', 'Tanaka', 'Garcia', 'Berg', 'Adeyemi', 'Zhang', 'Levi', 'Novak', 'Patel', 'Rossi', 'Dubois', 'Murphy'];
const places = [
  { locale: 'en', timezone: 'America/New_York', phone: '+1415555' },
  { locale: 'en', timezone: 'Europe/London', phone: '+4477009' },
  { locale: 'zh-CN', timezone: 'Asia/Shanghai', phone: '+8613800' },
  { locale: 'de', timezone: 'Europe/Berlin', phone: '+4915100' },
  { locale: 'es', timezone: 'America/Mexico_City', phone: '+5255100' },
  { locale: 'fr', timezone: 'Europe/Paris', phone: '+3361200' },
] as const;
const owners = ['sam.lee', 'ria.gomez', 'tom.berg'];

/** How many days ago each planned stage last bought, and how many orders it had. */
const plans: Record<LifecycleStage, { share: number; orders: [number, number]; lastDaysAgo: [number, number] }> = {
  prospect: { share: 0.15, orders: [0, 0], lastDaysAgo: [0, 0] },
  new: { share: 0.12, orders: [1, 1], lastDaysAgo: [1, 25] },
  active: { share: 0.25, orders: [2, 12], lastDaysAgo: [1, 30] },
  atRisk: { share: 0.13, orders: [2, 8], lastDaysAgo: [50, 85] },
  dormant: { share: 0.17, orders: [1, 8], lastDaysAgo: [95, 300] },
  churned: { share: 0.1, orders: [1, 4], lastDaysAgo: [380, 700] },
  wonBack: { share: 0.08, orders: [3, 6], lastDaysAgo: [2, 20] },
};

const between = (random: Random, [low, high]: readonly [number, number]) => low + Math.floor(random() * (high - low + 1));
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

function plannedStage(random: Random): LifecycleStage {
  let roll = random();
  for (const [stage, plan] of Object.entries(plans) as [LifecycleStage, (typeof plans)[LifecycleStage]][]) {
    roll -= plan.share;
    if (roll < 0) return stage;
  }
  return 'active';
}

/** Purchase times (ms) that give `stage`: the last one `lastDaysAgo`, the rest before it. */
function purchaseTimes(random: Random, stage: LifecycleStage, now: number): number[] {
  const plan = plans[stage];
  const count = between(random, plan.orders);
  if (count === 0) return [];
  const last = now - between(random, plan.lastDaysAgo) * DAY - between(random, [0, 20]) * 3_600_000;
  const times = [last];
  // Won back: a gap of 120–300 days before the latest purchase.
  let cursor = stage === 'wonBack' ? last - between(random, [120, 300]) * DAY : last;
  for (let i = 1; i < count; i++) {
    cursor -= between(random, [7, 40]) * DAY;
    times.push(cursor);
  }
  return times.sort((a, b) => a - b);
}

interface Draft {
  profile: CustomerProfile;
  history: HistoryAccumulator;
  events: EventDocument[];
}

function draftCustomer(random: Random, index: number, now: number): Draft {
  const id = `demo-${String(index).padStart(4, '0')}`;
  const first = pick(random, firstNames);
  const last = pick(random, lastNames);
  const place = pick(random, places);
  const stage = plannedStage(random);
  const times = purchaseTimes(random, stage, now);
  const signedUp = (times[0] ?? now - between(random, [1, 60]) * DAY) - between(random, [0, 30]) * DAY;
  const birthday = new Date(Date.UTC(1960 + between(random, [0, 45]), between(random, [0, 11]), between(random, [1, 28])));
  const profile = CustomerProfile.parse({
    id,
    email: `${first}.${last}.${index}@example.com`.toLowerCase(),
    ...(random() < 0.7 ? { phone: `${place.phone}${String(1000 + index).slice(-4)}` } : {}),
    name: `${first} ${last}`,
    locale: place.locale,
    timezone: place.timezone,
    birthday: birthday.toISOString().slice(0, 10),
    // Demo customers consented when they signed up (a fixed share of them to SMS).
    consent: consentRecords({ email: random() < 0.92, sms: random() < 0.55 }, 'form', new Date(signedUp).toISOString()),
    ...(random() < 0.4 ? { accountOwner: pick(random, owners) } : {}),
    attributes: { plan: pick(random, ['free', 'plus', 'pro']), referral: random() < 0.3 },
    tags: ['demo', ...(random() < 0.2 ? ['newsletter'] : [])],
    createdAt: new Date(signedUp).toISOString(),
    updatedAt: new Date(now).toISOString(),
  });
  const history = emptyHistory();
  const event = (n: number, type: string, at: number, properties: EventDocument['properties']): EventDocument => ({
    _id: eventKey(id, `seed:${n}`),
    eventId: `seed:${n}`,
    type,
    customerId: id,
    at: new Date(at).toISOString(),
    properties,
    receivedAt: new Date(at).toISOString(),
  });
  const events = [event(0, 'signed_up', signedUp, { source: pick(random, ['web', 'app', 'store']) })];
  times.forEach((at, i) => {
    const amount = Math.round((15 + random() * 180) * 100) / 100;
    addOrder(history, at, amount);
    events.push(event(i + 1, 'order_completed', at, { amount, currency: 'USD', orderId: `${id}-o${i + 1}` }));
  });
  return { profile, history, events };
}

/**
 * Loads `count` demo customers and their events, unless the database already has customers.
 * Returns how many customers and events it wrote (0 and 0 when it left the data alone).
 *
 * @example await seedDemo(db, { now: new Date() }) // { customers: 300, events: 1200 }
 */
export async function seedDemo(
  db: Db,
  options: { now: Date; count?: number; seed?: number },
): Promise<{ customers: number; events: number }> {
  const customers = customersCollection(db);
  if ((await customers.countDocuments({}, { limit: 1 })) > 0) return { customers: 0, events: 0 };
  const now = options.now.getTime();
  const random = createRandom(options.seed ?? 20_240_601);
  const drafts = Array.from({ length: options.count ?? 300 }, (_, i) => draftCustomer(random, i + 1, now));
  const settings = defaultLifecycleSettings();
  const summaries = drafts.map((d) => summarize(d.history, settings.stages.dormantDays));
  const base = buildBase(summaries, settings, now);
  const documents: CustomerDocument[] = drafts.map((draft, i) => {
    const summary = summaries[i] ?? { orderCount: 0, totalSpend: 0 };
    const fields = computeLifecycle(summary, base, settings, now);
    const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
    const scored = CustomerProfile.parse({
      ...draft.profile,
      computed: {
        stage: fields.stage,
        ...(fields.rfm ? { rfm: fields.rfm } : {}),
        ...(fields.valueTier ? { valueTier: fields.valueTier } : {}),
        ...(fields.clv ? { clv: fields.clv } : {}),
        ...(fields.churnRisk === undefined ? {} : { churnRisk: fields.churnRisk }),
        ...(summary.firstPurchaseAt === undefined ? {} : { firstPurchaseAt: iso(summary.firstPurchaseAt) }),
        ...(summary.lastPurchaseAt === undefined ? {} : { lastPurchaseAt: iso(summary.lastPurchaseAt), lastSeenAt: iso(summary.lastPurchaseAt) }),
        orderCount: summary.orderCount,
        totalSpend: summary.totalSpend,
        segments: [],
      },
    });
    scored.computed.segments = segmentMembership(builtinSegments, scored, now);
    const { id, ...rest } = scored;
    // The lifecycle memo the recompute compares with: without it the first recompute takes every
    // demo customer for a prospect and records a stage change for each (see store/lifecycle.ts).
    return { _id: id, ...rest, lifecycle: { stage: fields.stage, cell: fields.rfm?.cell ?? null } };
  });
  await customers.insertMany(documents, { ordered: false });
  await syncMemberships(db, 'segment', documents.map((doc) => ({ customerId: doc._id, values: doc.computed.segments })));
  await syncMemberships(db, 'tag', documents.map((doc) => ({ customerId: doc._id, values: doc.tags })));
  const events = drafts.flatMap((d) => d.events);
  for (let i = 0; i < events.length; i += 1000) await eventsCollection(db).insertMany(events.slice(i, i + 1000), { ordered: false });
  return { customers: documents.length, events: events.length };
}
