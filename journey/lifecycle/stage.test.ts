import { describe, expect, it } from 'vitest';
import { DAY } from '../time.ts';
import { latestReturn, lifecycleStage, StageThresholds } from './stage.ts';

const now = Date.parse('2025-06-01T12:00:00Z');
const ago = (days: number) => now - days * DAY;
const defaults = StageThresholds.parse({});

describe('lifecycle stage', () => {
  it.each([
    { name: 'no order', input: { orderCount: 0 }, stage: 'prospect' },
    { name: 'first order 29 days ago', input: { orderCount: 1, firstPurchaseAt: ago(29), lastPurchaseAt: ago(29) }, stage: 'new' },
    { name: 'first order 30 days ago', input: { orderCount: 1, firstPurchaseAt: ago(30), lastPurchaseAt: ago(30) }, stage: 'active' },
    { name: 'last order 44 days ago', input: { orderCount: 3, firstPurchaseAt: ago(200), lastPurchaseAt: ago(44) }, stage: 'active' },
    { name: 'last order 45 days ago', input: { orderCount: 3, firstPurchaseAt: ago(200), lastPurchaseAt: ago(45) }, stage: 'atRisk' },
    { name: 'last order 89 days ago', input: { orderCount: 1, firstPurchaseAt: ago(89), lastPurchaseAt: ago(89) }, stage: 'atRisk' },
    { name: 'last order 90 days ago', input: { orderCount: 1, firstPurchaseAt: ago(90), lastPurchaseAt: ago(90) }, stage: 'dormant' },
    { name: 'last order 364 days ago', input: { orderCount: 2, firstPurchaseAt: ago(400), lastPurchaseAt: ago(364) }, stage: 'dormant' },
    { name: 'last order 365 days ago', input: { orderCount: 2, firstPurchaseAt: ago(400), lastPurchaseAt: ago(365) }, stage: 'churned' },
    { name: 'late against own gap', input: { orderCount: 5, firstPurchaseAt: ago(50), lastPurchaseAt: ago(20), churnRisk: 0.5 }, stage: 'atRisk' },
    { name: 'one order, high fallback risk', input: { orderCount: 1, firstPurchaseAt: ago(40), lastPurchaseAt: ago(40), churnRisk: 0.9 }, stage: 'active' },
    { name: 'returned 10 days ago', input: { orderCount: 4, firstPurchaseAt: ago(400), lastPurchaseAt: ago(3), returnedAt: ago(10) }, stage: 'wonBack' },
    { name: 'returned 30 days ago', input: { orderCount: 4, firstPurchaseAt: ago(400), lastPurchaseAt: ago(3), returnedAt: ago(30) }, stage: 'active' },
    { name: 'returned, then quiet 50 days', input: { orderCount: 2, firstPurchaseAt: ago(400), lastPurchaseAt: ago(50), returnedAt: ago(50) }, stage: 'atRisk' },
  ])('$name → $stage', ({ input, stage }) => {
    expect(lifecycleStage(input, defaults, now)).toBe(stage);
  });

  it('follows configured thresholds', () => {
    const strict = StageThresholds.parse({ atRiskDays: 20, dormantDays: 40, churnedDays: 100, atRiskChurnRisk: null });
    const input = { orderCount: 5, firstPurchaseAt: ago(300), lastPurchaseAt: ago(25), churnRisk: 1 };
    expect(lifecycleStage(input, strict, now)).toBe('atRisk');
    expect(lifecycleStage({ ...input, lastPurchaseAt: ago(15) }, strict, now)).toBe('active');
    expect(lifecycleStage({ ...input, lastPurchaseAt: ago(40) }, strict, now)).toBe('dormant');
    expect(lifecycleStage({ ...input, lastPurchaseAt: ago(100) }, strict, now)).toBe('churned');
  });

  it('rejects thresholds that do not grow', () => {
    const result = StageThresholds.safeParse({ atRiskDays: 120, dormantDays: 90 });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['dormantDays']);
  });
});

describe('latest return', () => {
  it.each([
    { days: [], returned: undefined },
    { days: [300], returned: undefined },
    { days: [300, 250, 200], returned: undefined },
    { days: [300, 200, 190], returned: 200 },
    { days: [10, 400, 300, 100], returned: 10 },
  ])('purchases $days days ago → returned $returned days ago', ({ days, returned }) => {
    expect(latestReturn(days.map(ago), 90)).toBe(returned === undefined ? undefined : ago(returned));
  });
});
