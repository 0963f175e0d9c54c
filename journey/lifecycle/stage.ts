import { z } from 'zod';
import type { LifecycleStage } from '../customer.ts';
import { DAY } from '../time.ts';

/**
 * Lifecycle stage from a customer's purchase history, with configurable thresholds (days).
 *
 * First matching rule wins (d = whole days since the last purchase):
 *
 * | stage    | rule (defaults)                                                                 |
 * |----------|---------------------------------------------------------------------------------|
 * | prospect | no order yet                                                                    |
 * | churned  | d ≥ churnedDays (365)                                                           |
 * | dormant  | d ≥ dormantDays (90)                                                            |
 * | atRisk   | d ≥ atRiskDays (45), or — with 2+ orders — churn risk ≥ atRiskChurnRisk (0.5)    |
 * | wonBack  | their latest return (a purchase after a gap ≥ dormantDays) is < wonBackDays (30) old |
 * | new      | first purchase < newDays (30) ago                                               |
 * | active   | otherwise                                                                       |
 *
 * The churn-risk rule flags a weekly buyer silent for two weeks before the absolute 45 days;
 * it needs two orders because a one-order customer has no gap of their own yet.
 */
export const StageThresholds = z
  .object({
    newDays: z.number().int().positive().default(30),
    atRiskDays: z.number().int().positive().default(45),
    dormantDays: z.number().int().positive().default(90),
    churnedDays: z.number().int().positive().default(365),
    wonBackDays: z.number().int().positive().default(30),
    /** Churn risk (0…1) from which a repeat customer counts as at risk; null turns the rule off. */
    atRiskChurnRisk: z.number().min(0).max(1).nullable().default(0.5),
  })
  .refine((t) => t.atRiskDays < t.dormantDays && t.dormantDays < t.churnedDays, {
    message: 'thresholds must grow: atRiskDays < dormantDays < churnedDays',
    path: ['dormantDays'],
  });
export type StageThresholds = z.infer<typeof StageThresholds>;

/** What the stage depends on; times are epoch milliseconds. */
export interface StageInput {
  orderCount: number;
  firstPurchaseAt?: number | undefined;
  lastPurchaseAt?: number | undefined;
  /** The latest purchase that came after a gap of at least `dormantDays`. */
  returnedAt?: number | undefined;
  churnRisk?: number | undefined;
}

/** Whole days from `from` to `now` (never negative). */
export function daysBetween(from: number, now: number): number {
  return Math.max(0, Math.floor((now - from) / DAY));
}

/**
 * The customer's lifecycle stage at `now` (table above).
 *
 * @example lifecycleStage({ orderCount: 3, firstPurchaseAt, lastPurchaseAt: now - 100 * DAY }, thresholds, now) // 'dormant'
 */
export function lifecycleStage(input: StageInput, t: StageThresholds, now: number): LifecycleStage {
  if (input.orderCount <= 0 || input.lastPurchaseAt === undefined) return 'prospect';
  const d = daysBetween(input.lastPurchaseAt, now);
  if (d >= t.churnedDays) return 'churned';
  if (d >= t.dormantDays) return 'dormant';
  const riskRule = t.atRiskChurnRisk !== null && input.orderCount >= 2 && (input.churnRisk ?? 0) >= t.atRiskChurnRisk;
  if (d >= t.atRiskDays || riskRule) return 'atRisk';
  if (input.returnedAt !== undefined && daysBetween(input.returnedAt, now) < t.wonBackDays) return 'wonBack';
  if (input.firstPurchaseAt !== undefined && daysBetween(input.firstPurchaseAt, now) < t.newDays) return 'new';
  return 'active';
}

/**
 * The latest purchase that followed a gap of at least `dormantDays` (a win-back), from the
 * customer's purchase times in any order; undefined when they never came back.
 */
export function latestReturn(purchaseTimes: readonly number[], dormantDays: number): number | undefined {
  const sorted = [...purchaseTimes].sort((a, b) => a - b);
  let found: number | undefined;
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    const at = sorted[i];
    if (prev !== undefined && at !== undefined && daysBetween(prev, at) >= dormantDays) found = at;
  }
  return found;
}
