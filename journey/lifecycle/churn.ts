import { DAY } from '../time.ts';

/**
 * Churn risk: days since the last purchase against the customer's own usual gap between
 * purchases.
 *
 * - Usual gap of a customer with n ≥ 2 orders: (last purchase − first purchase) / (n − 1), in
 *   days — the mean gap between consecutive orders — floored at `minGapDays` (7).
 * - Fallback for one-order customers: the median usual gap of the base's repeat customers at
 *   the last full recompute; `defaultGapDays` (90) while the base has no repeat customer.
 * - Risk = clamp((days since last purchase / usual gap − 1) / 2, 0, 1): 0 while within their
 *   usual gap, 0.5 at twice the gap, 1 from three times the gap on. Rounded to 3 decimals.
 * - Prospects (no order) have no churn risk.
 */

/** The customer's own usual gap in days, or undefined with fewer than two orders. */
export function usualGapDays(
  orderCount: number,
  firstPurchaseAt: number | undefined,
  lastPurchaseAt: number | undefined,
  minGapDays: number,
): number | undefined {
  if (orderCount < 2 || firstPurchaseAt === undefined || lastPurchaseAt === undefined) return undefined;
  return Math.max(minGapDays, (lastPurchaseAt - firstPurchaseAt) / DAY / (orderCount - 1));
}

/**
 * Risk 0…1 of a customer `daysSince` days after their last purchase with a usual gap of `gapDays`.
 *
 * @example churnRisk(60, 30) // 0.5 — twice their usual gap
 */
export function churnRisk(daysSince: number, gapDays: number): number {
  const ratio = daysSince / gapDays;
  return Math.round(Math.min(1, Math.max(0, (ratio - 1) / 2)) * 1000) / 1000;
}

/** Median of a list (mean of the middle two for even length); null when empty. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const hi = sorted[mid] ?? 0;
  return sorted.length % 2 === 1 ? hi : ((sorted[mid - 1] ?? hi) + hi) / 2;
}
