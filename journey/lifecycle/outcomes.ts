import { eventMatches } from '../condition.ts';
import type { PropertyFilter } from '../condition.ts';
import type { AttributeValue, LifecycleStage } from '../customer.ts';
import { DAY } from '../time.ts';
import type { Lift } from './lift.ts';
import { liftAgainstHoldout } from './lift.ts';

/**
 * Outcomes of a journey or a segment, computed from who entered and what they did after.
 *
 * For each entrant, only events in the goal window [enteredAt, enteredAt + windowDays] count:
 * - converted: a goal event (type + property filters) in the window;
 * - win-back rate: of entrants dormant or churned at entry, the share with an
 *   `order_completed` in the window;
 * - repeat purchase rate: of entrants who had ordered before entry, the share who ordered
 *   again in the window;
 * - coupon redemption rate: `coupon_redeemed` events in the window / coupons issued to the
 *   entrants in the window;
 * - revenue attributed: the sum of `order_completed` amounts in the window (last-touch-free:
 *   every journey a customer was in gets the order).
 * Rates are null when their denominator is 0. A customer who entered several times counts once
 * per entry. Split arms compare each arm's conversion with the holdout's (lift.ts).
 */

export interface OutcomeEvent {
  type: string;
  at: number;
  properties: Readonly<Record<string, AttributeValue>>;
}

/** One entry of one customer, with the events they performed from entry on. */
export interface Entrant {
  customerId: string;
  enteredAt: number;
  /** Split arm the customer was assigned to, `holdout` for the holdout; absent without a split. */
  arm?: string | undefined;
  stageAtEntry?: LifecycleStage | undefined;
  ordersBeforeEntry: number;
  /** Coupons issued to the customer in the window. */
  couponsIssued: number;
  events: readonly OutcomeEvent[];
}

/** What counts as a conversion. */
export interface OutcomeGoal {
  eventType: string;
  filter: readonly PropertyFilter[];
  windowDays: number;
}

export interface Rate {
  of: number;
  count: number;
  /** count / of; null when `of` is 0. */
  rate: number | null;
}

export interface OutcomeMetrics {
  entered: number;
  converted: number;
  conversionRate: number | null;
  winBack: Rate;
  repeatPurchase: Rate;
  couponRedemption: Rate;
  revenue: number;
}

const rate = (count: number, of: number): Rate => ({ of, count, rate: of === 0 ? null : count / of });

/** Per-entrant facts within the goal window. */
function facts(entrant: Entrant, goal: OutcomeGoal) {
  const end = entrant.enteredAt + goal.windowDays * DAY;
  const inWindow = entrant.events.filter((e) => e.at >= entrant.enteredAt && e.at <= end);
  const orders = inWindow.filter((e) => e.type === 'order_completed');
  const revenue = orders.reduce((sum, e) => {
    const amount = e.properties['amount'];
    return sum + (typeof amount === 'number' && amount > 0 ? amount : 0);
  }, 0);
  const converted = inWindow.some((e) =>
    eventMatches(goal.eventType, goal.filter, { type: e.type, customerId: entrant.customerId, at: new Date(e.at).toISOString(), properties: e.properties }),
  );
  return { converted, ordered: orders.length > 0, revenue, redeemed: inWindow.filter((e) => e.type === 'coupon_redeemed').length };
}

/**
 * The metrics of a group of entrants.
 *
 * @example outcomeMetrics(entrants, { eventType: 'order_completed', filter: [], windowDays: 14 }).conversionRate // 0.25
 */
export function outcomeMetrics(entrants: readonly Entrant[], goal: OutcomeGoal): OutcomeMetrics {
  let converted = 0;
  let lapsed = 0;
  let wonBack = 0;
  let returning = 0;
  let repeated = 0;
  let issued = 0;
  let redeemed = 0;
  let revenue = 0;
  for (const entrant of entrants) {
    const f = facts(entrant, goal);
    if (f.converted) converted++;
    if (entrant.stageAtEntry === 'dormant' || entrant.stageAtEntry === 'churned') {
      lapsed++;
      if (f.ordered) wonBack++;
    }
    if (entrant.ordersBeforeEntry > 0) {
      returning++;
      if (f.ordered) repeated++;
    }
    issued += entrant.couponsIssued;
    redeemed += f.redeemed;
    revenue += f.revenue;
  }
  return {
    entered: entrants.length,
    converted,
    conversionRate: entrants.length === 0 ? null : converted / entrants.length,
    winBack: rate(wonBack, lapsed),
    repeatPurchase: rate(repeated, returning),
    couponRedemption: rate(redeemed, issued),
    revenue: Math.round(revenue * 100) / 100,
  };
}

/** The metrics of no entrants (the start of a sum over pages). */
export function emptyOutcomeMetrics(): OutcomeMetrics {
  return outcomeMetrics([], { eventType: 'order_completed', filter: [], windowDays: 1 });
}

/**
 * The metrics of two disjoint groups together, as if computed over both at once: lets a store
 * compute a large base page by page.
 *
 * @example mergeOutcomeMetrics(outcomeMetrics(page1, goal), outcomeMetrics(page2, goal)) // = outcomeMetrics([...page1, ...page2], goal)
 */
export function mergeOutcomeMetrics(a: OutcomeMetrics, b: OutcomeMetrics): OutcomeMetrics {
  const sum = (x: Rate, y: Rate) => rate(x.count + y.count, x.of + y.of);
  const entered = a.entered + b.entered;
  const converted = a.converted + b.converted;
  return {
    entered,
    converted,
    conversionRate: entered === 0 ? null : converted / entered,
    winBack: sum(a.winBack, b.winBack),
    repeatPurchase: sum(a.repeatPurchase, b.repeatPurchase),
    couponRedemption: sum(a.couponRedemption, b.couponRedemption),
    revenue: Math.round((a.revenue + b.revenue) * 100) / 100,
  };
}

export interface ArmOutcome {
  arm: string;
  metrics: OutcomeMetrics;
  /** Against the holdout; null for the holdout itself or without a (non-empty) holdout. */
  lift: Lift | null;
}

/**
 * Metrics per split arm, and each arm's lift over the `holdout` arm.
 *
 * @example armOutcomes(entrants, goal, 'holdout').find((a) => a.arm === 'a')?.lift?.absolute // 0.2
 */
export function armOutcomes(entrants: readonly Entrant[], goal: OutcomeGoal, holdoutArm: string): ArmOutcome[] {
  const byArm = new Map<string, Entrant[]>();
  for (const entrant of entrants) {
    if (entrant.arm === undefined) continue;
    const list = byArm.get(entrant.arm) ?? [];
    list.push(entrant);
    byArm.set(entrant.arm, list);
  }
  return compareArms(new Map([...byArm.entries()].map(([arm, list]) => [arm, outcomeMetrics(list, goal)])), holdoutArm);
}

/**
 * Each arm's metrics with its lift over the holdout arm, arms by id and the holdout last (for
 * metrics already computed per arm, e.g. summed page by page with `mergeOutcomeMetrics`).
 */
export function compareArms(byArm: ReadonlyMap<string, OutcomeMetrics>, holdoutArm: string): ArmOutcome[] {
  const metrics = [...byArm.entries()].map(([arm, m]) => ({ arm, metrics: m }));
  const holdout = byArm.get(holdoutArm);
  return metrics
    .sort((a, b) => (a.arm === holdoutArm ? 1 : b.arm === holdoutArm ? -1 : a.arm.localeCompare(b.arm)))
    .map(({ arm, metrics: m }) => ({
      arm,
      metrics: m,
      lift: arm === holdoutArm || holdout === undefined ? null : liftAgainstHoldout(m.converted, m.entered, holdout.converted, holdout.entered),
    }));
}
