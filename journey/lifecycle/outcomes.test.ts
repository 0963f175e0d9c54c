import { describe, expect, it } from 'vitest';
import { DAY } from '../time.ts';
import type { Entrant, OutcomeGoal } from './outcomes.ts';
import { armOutcomes, compareArms, emptyOutcomeMetrics, mergeOutcomeMetrics, outcomeMetrics } from './outcomes.ts';

const t0 = Date.parse('2025-03-01T00:00:00Z');
const goal: OutcomeGoal = { eventType: 'order_completed', filter: [], windowDays: 14 };
const order = (days: number, amount: number) => ({ type: 'order_completed', at: t0 + days * DAY, properties: { amount } });

function entrant(id: string, overrides: Partial<Entrant> = {}): Entrant {
  return { customerId: id, enteredAt: t0, ordersBeforeEntry: 0, couponsIssued: 0, events: [], ...overrides };
}

describe('journey outcomes', () => {
  it('counts conversions, win-backs, repeat purchases, coupons and revenue inside the goal window', () => {
    const entrants = [
      // dormant, bought twice in the window with the coupon: converted, won back, repeat
      entrant('a', {
        stageAtEntry: 'dormant',
        ordersBeforeEntry: 3,
        couponsIssued: 1,
        events: [order(2, 40), { type: 'coupon_redeemed', at: t0 + 2 * DAY, properties: {} }, order(10, 60)],
      }),
      // dormant, bought only after the window: nothing counts
      entrant('b', { stageAtEntry: 'dormant', ordersBeforeEntry: 1, couponsIssued: 1, events: [order(15, 500)] }),
      // churned, did not buy
      entrant('c', { stageAtEntry: 'churned', ordersBeforeEntry: 2, couponsIssued: 1 }),
      // prospect who made a first purchase: converted, not a repeat purchase
      entrant('d', { stageAtEntry: 'prospect', events: [order(1, 25.5)] }),
    ];
    expect(outcomeMetrics(entrants, goal)).toEqual({
      entered: 4,
      converted: 2,
      conversionRate: 0.5,
      winBack: { of: 3, count: 1, rate: 1 / 3 },
      repeatPurchase: { of: 3, count: 1, rate: 1 / 3 },
      couponRedemption: { of: 3, count: 1, rate: 1 / 3 },
      revenue: 125.5,
    });
  });

  it('sums pages to the metrics of the whole group', () => {
    const entrants = [
      entrant('a', { stageAtEntry: 'dormant', ordersBeforeEntry: 2, couponsIssued: 1, events: [order(1, 10.1), { type: 'coupon_redeemed', at: t0 + DAY, properties: {} }] }),
      entrant('b', { stageAtEntry: 'churned', couponsIssued: 1 }),
      entrant('c', { ordersBeforeEntry: 1, events: [order(3, 20.2)] }),
      entrant('d'),
    ];
    const whole = outcomeMetrics(entrants, goal);
    const paged = [entrants.slice(0, 1), entrants.slice(1, 3), entrants.slice(3)]
      .map((page) => outcomeMetrics(page, goal))
      .reduce(mergeOutcomeMetrics, emptyOutcomeMetrics());
    expect(paged).toEqual(whole);
    expect(emptyOutcomeMetrics()).toMatchObject({ entered: 0, conversionRate: null, revenue: 0 });
  });

  it('applies the goal filter and has null rates for empty groups', () => {
    const bigOrders: OutcomeGoal = { ...goal, filter: [{ property: 'amount', op: 'gte', value: 50 }] };
    const entrants = [entrant('a', { events: [order(1, 20)] }), entrant('b', { events: [order(1, 80)] })];
    expect(outcomeMetrics(entrants, bigOrders)).toMatchObject({ converted: 1, winBack: { rate: null }, couponRedemption: { rate: null } });
    expect(outcomeMetrics([], goal).conversionRate).toBeNull();
  });
});

describe('split arms against the holdout', () => {
  // Arm a: 56 of 70 convert; holdout: 48 of 80 (Newcombe 1998, example a): lift 0.2, 95 % CI [0.0524, 0.3339].
  const group = (arm: string, n: number, converted: number): Entrant[] =>
    Array.from({ length: n }, (_, i) =>
      entrant(`${arm}-${i}`, { arm, events: i < converted ? [order(3, 10)] : [order(20, 10)] }),
    );
  const entrants = [...group('a', 70, 56), ...group('holdout', 80, 48), ...group('b', 75, 45)];

  it('reports conversion per arm and lift with its interval', () => {
    const arms = armOutcomes(entrants, goal, 'holdout');
    expect(arms.map((a) => [a.arm, a.metrics.entered, a.metrics.converted])).toEqual([
      ['a', 70, 56],
      ['b', 75, 45],
      ['holdout', 80, 48],
    ]);
    const a = arms[0]?.lift;
    expect(a?.absolute).toBeCloseTo(0.2, 10);
    expect(a?.absoluteCi[0]).toBeCloseTo(0.0524, 4);
    expect(a?.absoluteCi[1]).toBeCloseTo(0.3339, 4);
    expect(a?.significant).toBe(true);
    // Arm b converts exactly like the holdout (60 %): no lift, not significant.
    expect(arms[1]?.lift?.absolute).toBeCloseTo(0, 10);
    expect(arms[1]?.lift?.significant).toBe(false);
    expect(arms[2]?.lift).toBeNull();
  });

  it('compares arms whose metrics were summed page by page like arms computed at once', () => {
    const byArm = new Map<string, ReturnType<typeof outcomeMetrics>>();
    for (const page of [entrants.slice(0, 100), entrants.slice(100)]) {
      for (const arm of ['a', 'b', 'holdout']) {
        const m = outcomeMetrics(page.filter((e) => e.arm === arm), goal);
        byArm.set(arm, mergeOutcomeMetrics(byArm.get(arm) ?? emptyOutcomeMetrics(), m));
      }
    }
    expect(compareArms(byArm, 'holdout')).toEqual(armOutcomes(entrants, goal, 'holdout'));
  });

  it('has no lift without a holdout', () => {
    expect(armOutcomes(group('a', 5, 1), goal, 'holdout')[0]?.lift).toBeNull();
  });
});
