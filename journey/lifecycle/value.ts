import type { ValueTier } from '../customer.ts';
import { percentile } from './quantiles.ts';

/**
 * Value tier and customer lifetime value (CLV).
 *
 * Value tier, over customers with at least one order, by total spend (nearest-rank
 * percentiles, ties go down as in quantiles.ts):
 * - `high`: spend above the (1 − highShare) percentile — the top 20 % by default;
 * - `mid`: spend above the (1 − highShare − midShare) percentile — the next 30 %;
 * - `low`: everyone else, prospects included.
 *
 * Historical CLV = total spend to date (sum of `order_completed` amounts).
 *
 * Predicted CLV = historical + expected spend over the next `horizonDays` (365):
 *   average order value × (horizonDays / usual gap in days) × (1 − churn risk),
 * rounded to cents. The usual gap and churn risk are those of churn.ts (with its fallback for
 * one-order customers). It is a simple, explainable heuristic, not a fitted BG/NBD model.
 */

/** Spend thresholds of the tiers: strictly above `high` is high, strictly above `mid` is mid. */
export interface ValueCuts {
  high: number;
  mid: number;
}

/** Tier thresholds from the spends of paying customers; null for an empty base. */
export function valueCuts(spends: readonly number[], shares: { highShare: number; midShare: number }): ValueCuts | null {
  const high = percentile(spends, 1 - shares.highShare);
  const mid = percentile(spends, 1 - shares.highShare - shares.midShare);
  return high === null || mid === null ? null : { high, mid };
}

/** @example valueTier(900, { high: 500, mid: 120 }) // 'high' */
export function valueTier(spend: number, cuts: ValueCuts): ValueTier {
  if (spend > cuts.high) return 'high';
  if (spend > cuts.mid) return 'mid';
  return 'low';
}

const cents = (x: number): number => Math.round(x * 100) / 100;

/**
 * Historical and predicted CLV of one paying customer.
 *
 * @example lifetimeValue({ orderCount: 4, totalSpend: 200, gapDays: 73, churnRisk: 0 }, 365) // { historical: 200, predicted: 450 }
 */
export function lifetimeValue(
  input: { orderCount: number; totalSpend: number; gapDays: number; churnRisk: number },
  horizonDays: number,
): { historical: number; predicted: number } {
  const historical = cents(input.totalSpend);
  if (input.orderCount <= 0) return { historical, predicted: historical };
  const averageOrder = input.totalSpend / input.orderCount;
  const expectedOrders = horizonDays / input.gapDays;
  return { historical, predicted: cents(input.totalSpend + averageOrder * expectedOrders * (1 - input.churnRisk)) };
}
