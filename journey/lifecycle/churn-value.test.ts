import { describe, expect, it } from 'vitest';
import { DAY } from '../time.ts';
import { churnRisk, median, usualGapDays } from './churn.ts';
import { lifetimeValue, valueCuts, valueTier } from './value.ts';

describe('churn risk', () => {
  it.each([
    [0, 30, 0],
    [30, 30, 0],
    [45, 30, 0.25],
    [60, 30, 0.5],
    [90, 30, 1],
    [400, 30, 1],
    [10, 7, 0.214],
  ])('%d days since, usual gap %d → %d', (days, gap, risk) => {
    expect(churnRisk(days, gap)).toBe(risk);
  });

  it('takes the mean gap between orders, floored', () => {
    expect(usualGapDays(5, 0, 100 * DAY, 7)).toBe(25);
    expect(usualGapDays(3, 0, 2 * DAY, 7)).toBe(7);
    expect(usualGapDays(1, 0, 0, 7)).toBeUndefined();
  });

  it('takes medians', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });
});

describe('value tier and CLV', () => {
  it('puts the top 20 % in high and the next 30 % in mid', () => {
    const spends = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    const cuts = valueCuts(spends, { highShare: 0.2, midShare: 0.3 });
    if (cuts === null) throw new Error('no cuts');
    expect(cuts).toEqual({ high: 80, mid: 50 });
    expect(spends.map((s) => valueTier(s, cuts))).toEqual(['low', 'low', 'low', 'low', 'low', 'mid', 'mid', 'mid', 'high', 'high']);
  });

  it('predicts a year of orders at the usual gap, discounted by churn risk', () => {
    expect(lifetimeValue({ orderCount: 4, totalSpend: 200, gapDays: 73, churnRisk: 0 }, 365)).toEqual({ historical: 200, predicted: 450 });
    expect(lifetimeValue({ orderCount: 4, totalSpend: 200, gapDays: 73, churnRisk: 0.5 }, 365)).toEqual({ historical: 200, predicted: 325 });
    expect(lifetimeValue({ orderCount: 4, totalSpend: 200, gapDays: 73, churnRisk: 1 }, 365)).toEqual({ historical: 200, predicted: 200 });
  });
});
