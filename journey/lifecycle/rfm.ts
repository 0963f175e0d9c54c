import type { RfmCell, RfmScore } from '../customer.ts';
import type { Cuts } from './quantiles.ts';
import { scoreHigherBetter, scoreLowerBetter } from './quantiles.ts';

/**
 * RFM scores and named cells.
 *
 * R = recency (days since the last purchase, fewer is better), F = frequency (orders),
 * M = monetary (total spend), each scored 1–5 by quintile over the customers with at least one
 * order (see quantiles.ts). Prospects have no RFM.
 *
 * Cells, first matching rule wins:
 *
 * | cell        | rule                      | meaning                                   |
 * |-------------|---------------------------|-------------------------------------------|
 * | champions   | R ≥ 4, F ≥ 4, M ≥ 4       | bought recently, often, and spend the most |
 * | new         | R ≥ 4, F = 1              | first order, recently                      |
 * | loyal       | R ≥ 3, F ≥ 3              | buy regularly                              |
 * | potential   | R ≥ 3                     | recent, few orders so far                  |
 * | cantLose    | R ≤ 2, F ≥ 4, M ≥ 4       | were among the best, gone quiet            |
 * | atRisk      | R ≤ 2, F ≥ 3              | bought often, not lately                   |
 * | hibernating | R = 2                     | few orders, a while ago                    |
 * | lost        | R = 1                     | few orders, long ago                       |
 */

/** The cut points of one full recompute, per measure. */
export interface RfmCuts {
  recency: Cuts;
  frequency: Cuts;
  monetary: Cuts;
}

/** The named cell of R, F, M scores (table above). */
export function rfmCell(r: number, f: number, m: number): RfmCell {
  if (r >= 4 && f >= 4 && m >= 4) return 'champions';
  if (r >= 4 && f === 1) return 'new';
  if (r >= 3 && f >= 3) return 'loyal';
  if (r >= 3) return 'potential';
  if (f >= 4 && m >= 4) return 'cantLose';
  if (f >= 3) return 'atRisk';
  if (r === 2) return 'hibernating';
  return 'lost';
}

/**
 * Scores one customer against the base's cut points.
 *
 * @example rfmScore({ recencyDays: 3, orders: 6, spend: 900 }, cuts) // { recency: 5, frequency: 5, monetary: 5, cell: 'champions' }
 */
export function rfmScore(values: { recencyDays: number; orders: number; spend: number }, cuts: RfmCuts): RfmScore {
  const recency = scoreLowerBetter(values.recencyDays, cuts.recency);
  const frequency = scoreHigherBetter(values.orders, cuts.frequency);
  const monetary = scoreHigherBetter(values.spend, cuts.monetary);
  return { recency, frequency, monetary, cell: rfmCell(recency, frequency, monetary) };
}
