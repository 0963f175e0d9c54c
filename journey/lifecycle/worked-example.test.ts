import { describe, expect, it } from 'vitest';
import { DAY } from '../time.ts';
import { buildBase, computeLifecycle } from './profile.ts';
import type { PurchaseSummary } from './profile.ts';
import { defaultLifecycleSettings } from './settings.ts';

/**
 * A small customer base computed by hand (default settings), at `now`.
 *
 * | id | orders | spend | first / last purchase (days ago) | note                  |
 * |----|--------|-------|----------------------------------|-----------------------|
 * | A  | 12     | 1500  | 300 / 2                          |                       |
 * | B  | 8      | 900   | 80 / 30                          | weekly buyer, late    |
 * | C  | 5      | 400   | 150 / 10                         |                       |
 * | D  | 1      | 60    | 8 / 8                            |                       |
 * | E  | 3      | 250   | 120 / 40                         |                       |
 * | F  | 6      | 700   | 400 / 100                        |                       |
 * | G  | 4      | 500   | 300 / 70                         |                       |
 * | H  | 1      | 30    | 400 / 400                        |                       |
 * | I  | 2      | 300   | 120 / 20                         | came back after 100 d |
 * | J  | 1      | 45    | 60 / 60                          |                       |
 * | K  | 0      | 0     | –                                | prospect              |
 *
 * Recency days sorted: 2 8 10 20 30 40 60 70 100 400 → cuts (ranks 2, 4, 6, 8) = 8, 20, 40, 70.
 * Orders sorted: 1 1 1 2 3 4 5 6 8 12 → cuts 1, 2, 4, 6.
 * Spend sorted: 30 45 60 250 300 400 500 700 900 1500 → cuts 45, 250, 400, 700.
 * Value tiers: high = spend > 80th percentile (rank 8: 700), mid = spend > median (rank 5: 300).
 * Usual gaps (days): A 298/11 = 27.09, B 50/7 = 7.14, C 140/4 = 35, E 80/2 = 40, F 300/5 = 60,
 * G 230/3 = 76.67, I 100/1 = 100 → median 40, the fallback for D, H, J.
 * Churn risk = clamp((days since / gap − 1) / 2): B 30/7.14 = 4.2 → 1; F 100/60 → 0.333;
 * H 400/40 → 1; J 60/40 → 0.25; everyone else within their gap → 0.
 */
const now = Date.parse('2025-06-01T00:00:00Z');
const ago = (days: number) => now - days * DAY;
const customer = (orderCount: number, totalSpend: number, first?: number, last?: number, returned?: number): PurchaseSummary => ({
  orderCount,
  totalSpend,
  firstPurchaseAt: first === undefined ? undefined : ago(first),
  lastPurchaseAt: last === undefined ? undefined : ago(last),
  returnedAt: returned === undefined ? undefined : ago(returned),
});

const base: Record<string, PurchaseSummary> = {
  A: customer(12, 1500, 300, 2),
  B: customer(8, 900, 80, 30),
  C: customer(5, 400, 150, 10),
  D: customer(1, 60, 8, 8),
  E: customer(3, 250, 120, 40),
  F: customer(6, 700, 400, 100),
  G: customer(4, 500, 300, 70),
  H: customer(1, 30, 400, 400),
  I: customer(2, 300, 120, 20, 20),
  J: customer(1, 45, 60, 60),
  K: customer(0, 0),
};

const expected = {
  //   R  F  M  cell           tier    risk   stage
  A: [5, 5, 5, 'champions', 'high', 0, 'active'],
  B: [3, 5, 5, 'loyal', 'high', 1, 'atRisk'],
  C: [4, 4, 3, 'loyal', 'mid', 0, 'active'],
  D: [5, 1, 2, 'new', 'low', 0, 'new'],
  E: [3, 3, 2, 'loyal', 'low', 0, 'active'],
  F: [1, 4, 4, 'cantLose', 'mid', 0.333, 'dormant'],
  G: [2, 3, 4, 'atRisk', 'mid', 0, 'atRisk'],
  H: [1, 1, 1, 'lost', 'low', 1, 'churned'],
  I: [4, 2, 3, 'potential', 'low', 0, 'wonBack'],
  J: [2, 1, 1, 'hibernating', 'low', 0.25, 'atRisk'],
} as const;

describe('a hand-computed customer base', () => {
  const settings = defaultLifecycleSettings();
  const model = buildBase(Object.values(base), settings, now);

  it('finds the quintile cut points, value thresholds and fallback gap', () => {
    expect(model.rfmCuts).toEqual({ recency: [8, 20, 40, 70], frequency: [1, 2, 4, 6], monetary: [45, 250, 400, 700] });
    expect(model.valueCuts).toEqual({ high: 700, mid: 300 });
    expect(model.medianGapDays).toBe(40);
    expect(model).toMatchObject({ customers: 11, purchasers: 10 });
  });

  it.each(Object.entries(expected))('scores customer %s', (id, [r, f, m, cell, tier, risk, stage]) => {
    const summary = base[id];
    if (summary === undefined) throw new Error(id);
    const fields = computeLifecycle(summary, model, settings, now);
    expect(fields.rfm).toEqual({ recency: r, frequency: f, monetary: m, cell });
    expect(fields.valueTier).toBe(tier);
    expect(fields.churnRisk).toBe(risk);
    expect(fields.stage).toBe(stage);
  });

  it('leaves the prospect unscored', () => {
    const k = computeLifecycle(customer(0, 0), model, settings, now);
    expect(k).toMatchObject({ stage: 'prospect', rfm: undefined, valueTier: 'low', churnRisk: undefined, clv: undefined });
  });

  it.each([
    // A: AOV 125 × 365/27.09 orders = 1684.14 → 3184.14
    ['A', 1500, 3184.14],
    // D: one order, fallback gap 40: 60 + 60 × 365/40 = 607.50
    ['D', 60, 607.5],
    // F: 700 + 116.67 × 365/60 × (1 − 0.333) = 1173.38
    ['F', 700, 1173.38],
    // H: churn risk 1 predicts nothing more
    ['H', 30, 30],
    // J: 45 + 45 × 365/40 × 0.75 = 352.97
    ['J', 45, 352.97],
  ])('gives customer %s a historical CLV of %d and a predicted CLV of %d', (id, historical, predicted) => {
    const summary = base[id];
    if (summary === undefined) throw new Error(id);
    expect(computeLifecycle(summary, model, settings, now).clv).toEqual({ historical, predicted });
  });

  it('covers every RFM cell and every stage', () => {
    const fields = Object.values(base).map((s) => computeLifecycle(s, model, settings, now));
    expect(new Set(fields.map((f) => f.rfm?.cell).filter(Boolean)).size).toBe(8);
    expect(new Set(fields.map((f) => f.stage)).size).toBe(7);
  });
});
