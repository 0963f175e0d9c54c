import { describe, expect, it } from 'vitest';
import { DAY } from '../time.ts';
import { addOrder, addSurvey, buildBase, computeLifecycle, emptyHistory, summarize } from './profile.ts';
import { defaultLifecycleSettings } from './settings.ts';

const now = Date.parse('2025-06-01T00:00:00Z');
const ago = (days: number) => now - days * DAY;

describe('history summary', () => {
  it('folds orders and answers in any order', () => {
    const h = emptyHistory();
    addOrder(h, ago(20), 20);
    addOrder(h, ago(200), 30.1);
    addOrder(h, ago(100), 'n/a');
    addOrder(h, ago(5), -4);
    addSurvey(h, ago(3), { survey: 'nps', score: 4 });
    addSurvey(h, ago(30), { survey: 'nps', score: 10 });
    addSurvey(h, ago(1), { survey: 'csat', score: 5 });
    expect(summarize(h, 90)).toEqual({
      orderCount: 4,
      totalSpend: 50.1,
      firstPurchaseAt: ago(200),
      lastPurchaseAt: ago(5),
      // 200 → 100 days ago is a gap of 100 ≥ 90: the customer came back 100 days ago
      returnedAt: ago(100),
      nps: 4,
      csat: 5,
    });
  });

  it('has no RFM or tier before the first full recompute, and a stage anyway', () => {
    const settings = defaultLifecycleSettings();
    const fields = computeLifecycle({ orderCount: 1, totalSpend: 10, firstPurchaseAt: ago(100), lastPurchaseAt: ago(100) }, null, settings, now);
    // One order, no base: churn risk uses the default gap of 90 days: (100/90 − 1) / 2 = 0.056
    expect(fields).toMatchObject({ stage: 'dormant', rfm: undefined, valueTier: undefined, churnRisk: 0.056, gapDays: 90 });
  });

  it('builds an empty model for a base without orders', () => {
    const model = buildBase([{ orderCount: 0, totalSpend: 0 }], defaultLifecycleSettings(), now);
    expect(model).toEqual({ computedAt: now, customers: 1, purchasers: 0, rfmCuts: null, valueCuts: null, medianGapDays: null });
  });
});
