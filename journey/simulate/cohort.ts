import type { AttributeValue, CustomerProfile, LifecycleStage, RfmCell, ValueTier } from '../customer.ts';
import { createRandom } from '../hash.ts';
import type { Random } from '../hash.ts';
import { DAY } from '../time.ts';

/**
 * How a synthetic customer behaves, per day and per message. Deliberately simple: rates a
 * marketer can reason about and tune, not a model of real people.
 */
export interface BehaviourModel {
  name: string;
  /** Chance of buying on any given day without outreach. */
  purchasePerDay: number;
  /** Chance an email is opened; chance an opened email is clicked. */
  emailOpenRate: number;
  emailClickRate: number;
  /** Chance an SMS link is clicked. */
  smsClickRate: number;
  /** Chance a click leads to a purchase within hours. */
  clickToPurchase: number;
  /** Purchase-rate multiplier while the customer holds an unexpired coupon. */
  couponBoost: number;
  /** Chance a CS call task leads to a purchase within three days. */
  taskToPurchase: number;
  /** Logins per day (for journeys that wait for `login`). */
  loginsPerDay: number;
}

/** An event a test or forecast wants to happen at a fixed time, `afterDays` from the start. */
export interface ScriptedEvent {
  afterDays: number;
  type: string;
  properties?: Record<string, AttributeValue>;
}

export interface SimCustomer {
  profile: CustomerProfile;
  behaviour: BehaviourModel;
  script?: ScriptedEvent[];
}

const base = { emailOpenRate: 0.3, emailClickRate: 0.15, smsClickRate: 0.08, clickToPurchase: 0.2, taskToPurchase: 0.25, loginsPerDay: 0.1 };

/** Default behaviour per lifecycle stage. */
export const behaviourByStage: Record<LifecycleStage, BehaviourModel> = {
  prospect: { ...base, name: 'prospect', purchasePerDay: 0.01, couponBoost: 3, loginsPerDay: 0.3 },
  new: { ...base, name: 'new', purchasePerDay: 0.02, couponBoost: 2.5, loginsPerDay: 0.3 },
  active: { ...base, name: 'active', purchasePerDay: 0.04, couponBoost: 1.5, emailOpenRate: 0.4, loginsPerDay: 0.5 },
  atRisk: { ...base, name: 'atRisk', purchasePerDay: 0.01, couponBoost: 3 },
  dormant: { ...base, name: 'dormant', purchasePerDay: 0.004, couponBoost: 4, emailOpenRate: 0.18, loginsPerDay: 0.02 },
  churned: { ...base, name: 'churned', purchasePerDay: 0.001, couponBoost: 3, emailOpenRate: 0.08, loginsPerDay: 0.005 },
  wonBack: { ...base, name: 'wonBack', purchasePerDay: 0.02, couponBoost: 2 },
};

/** A customer who never responds to anything: the baseline for scenario tests. */
export const neverResponds: BehaviourModel = {
  name: 'never',
  purchasePerDay: 0,
  emailOpenRate: 0,
  emailClickRate: 0,
  smsClickRate: 0,
  clickToPurchase: 0,
  couponBoost: 1,
  taskToPurchase: 0,
  loginsPerDay: 0,
};

function pick<T>(random: Random, options: readonly (readonly [T, number])[]): T {
  let roll = random() * options.reduce((sum, [, w]) => sum + w, 0);
  for (const [value, weight] of options) {
    roll -= weight;
    if (roll < 0) return value;
  }
  const last = options[options.length - 1];
  if (!last) throw new Error('pick() needs at least one option');
  return last[0];
}

const stages = [['prospect', 10], ['new', 15], ['active', 25], ['atRisk', 15], ['dormant', 30], ['churned', 5]] as const;
const places = [
  ['en', 'America/New_York', 30],
  ['en', 'Europe/London', 20],
  ['en', 'UTC', 10],
  ['zh-CN', 'Asia/Shanghai', 40],
] as const;
const daysSincePurchase: Record<LifecycleStage, readonly [number, number]> = {
  prospect: [0, 0],
  new: [1, 30],
  active: [1, 45],
  atRisk: [46, 89],
  dormant: [90, 365],
  churned: [366, 900],
  wonBack: [1, 30],
};

function rfmCell(stage: LifecycleStage, tier: ValueTier): RfmCell {
  switch (stage) {
    case 'prospect':
    case 'new':
      return 'new';
    case 'active':
    case 'wonBack':
      return tier === 'high' ? 'champions' : tier === 'mid' ? 'loyal' : 'potential';
    case 'atRisk':
      return tier === 'high' ? 'cantLose' : 'atRisk';
    case 'dormant':
      return 'hibernating';
    case 'churned':
      return 'lost';
  }
}

/**
 * A deterministic synthetic cohort for forecasts and benchmarks: a realistic mix of stages,
 * value tiers, languages, timezones and consent, with segments such as `dormant-90d`,
 * `at-risk`, `new-customers` and `high-value`.
 *
 * @example generateCohort({ size: 1000, seed: 7, start: Date.parse('2025-01-06T00:00:00Z') })
 */
export function generateCohort(options: { size: number; seed: number; start: number }): SimCustomer[] {
  const random = createRandom(options.seed);
  const customers: SimCustomer[] = [];
  const consentAt = new Date(options.start).toISOString();
  for (let i = 0; i < options.size; i++) {
    const stage = pick(random, stages);
    const valueTier = pick<ValueTier>(random, [['high', 20], ['mid', 40], ['low', 40]]);
    const [locale, timezone] = pick(random, places.map(([l, tz, w]) => [[l, tz], w] as const));
    const [minDays, maxDays] = daysSincePurchase[stage];
    const orderCount = stage === 'prospect' ? 0 : stage === 'new' ? 1 : 2 + Math.floor(random() * (valueTier === 'high' ? 20 : 6));
    const perOrder = valueTier === 'high' ? 180 : valueTier === 'mid' ? 70 : 30;
    const totalSpend = Math.round(orderCount * perOrder * (0.6 + random() * 0.8));
    const lastPurchase = orderCount > 0 ? options.start - Math.round((minDays + random() * (maxDays - minDays)) * DAY) : undefined;
    const segments = [
      ...(stage === 'dormant' || stage === 'churned' ? ['dormant-90d'] : []),
      ...(stage === 'atRisk' ? ['at-risk'] : []),
      ...(stage === 'new' ? ['new-customers'] : []),
      ...(stage === 'prospect' ? ['prospects'] : []),
      ...(valueTier === 'high' ? ['high-value'] : []),
    ];
    const year = 1960 + Math.floor(random() * 45);
    const birthday = `${year}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`;
    const hasEmail = random() < 0.95;
    const hasPhone = random() < 0.7;
    const profile: CustomerProfile = {
      id: `sim-${i}`,
      ...(hasEmail ? { email: `sim-${i}@example.com` } : {}),
      ...(hasPhone ? { phone: `+1415555${String(i % 10_000).padStart(4, '0')}` } : {}),
      name: locale === 'zh-CN' ? `客户${i}` : `Customer ${i}`,
      locale,
      timezone,
      birthday,
      consent: { email: { granted: random() < 0.9, at: consentAt, source: 'import' }, sms: { granted: random() < 0.55, at: consentAt, source: 'import' } },
      ...(valueTier === 'high' ? { accountOwner: `am-${1 + (i % 5)}` } : {}),
      attributes: {},
      tags: [],
      computed: {
        stage,
        valueTier,
        rfm: { recency: 3, frequency: 3, monetary: valueTier === 'high' ? 5 : valueTier === 'mid' ? 3 : 1, cell: rfmCell(stage, valueTier) },
        orderCount,
        totalSpend,
        ...(lastPurchase === undefined ? {} : { lastPurchaseAt: new Date(lastPurchase).toISOString() }),
        segments,
      },
    };
    customers.push({ profile, behaviour: behaviourByStage[stage] });
  }
  return customers;
}
