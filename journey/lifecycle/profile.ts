import { z } from 'zod';
import type { LifecycleStage, RfmScore, ValueTier } from '../customer.ts';
import { DAY } from '../time.ts';
import { churnRisk, median, usualGapDays } from './churn.ts';
import { quintileCuts } from './quantiles.ts';
import { rfmScore } from './rfm.ts';
import type { LifecycleSettings } from './settings.ts';
import { daysBetween, latestReturn, lifecycleStage } from './stage.ts';
import type { SurveyKind } from './survey.ts';
import { lifetimeValue, valueCuts, valueTier } from './value.ts';

/**
 * One customer's computed lifecycle fields, from their history and the base's model.
 *
 * A full recompute folds every customer's orders and survey answers into a `PurchaseSummary`,
 * builds the `LifecycleBase` (quintile cut points, value-tier thresholds, the median usual gap)
 * from all summaries, then scores each customer with `computeLifecycle`. Incremental updates
 * score one customer's fresh summary against the stored base. Times are epoch milliseconds.
 */

/** What the computation needs to know of a customer's history. */
export interface PurchaseSummary {
  orderCount: number;
  totalSpend: number;
  firstPurchaseAt?: number | undefined;
  lastPurchaseAt?: number | undefined;
  /** The latest purchase after a gap of at least `dormantDays` (a win-back). */
  returnedAt?: number | undefined;
  /** Latest NPS answer (0–10) and latest CSAT answer (1–5). */
  nps?: number | undefined;
  csat?: number | undefined;
}

/** Collects one customer's orders and answers in any order; `summarize` turns it into a summary. */
export interface HistoryAccumulator {
  purchases: number[];
  totalSpend: number;
  nps?: { at: number; score: number };
  csat?: { at: number; score: number };
}

export function emptyHistory(): HistoryAccumulator {
  return { purchases: [], totalSpend: 0 };
}

/** Adds an `order_completed` (amount: `properties.amount`, missing or negative counts 0). */
export function addOrder(history: HistoryAccumulator, at: number, amount: unknown): void {
  history.purchases.push(at);
  if (typeof amount === 'number' && Number.isFinite(amount) && amount > 0) history.totalSpend += amount;
}

/** Adds a valid survey answer; the latest answer of each kind wins. */
export function addSurvey(history: HistoryAccumulator, at: number, answer: { survey: SurveyKind; score: number }): void {
  const previous = history[answer.survey];
  if (previous === undefined || previous.at <= at) history[answer.survey] = { at, score: answer.score };
}

/** The summary of an accumulated history. */
export function summarize(history: HistoryAccumulator, dormantDays: number): PurchaseSummary {
  const { purchases } = history;
  let first: number | undefined;
  let last: number | undefined;
  for (const at of purchases) {
    if (first === undefined || at < first) first = at;
    if (last === undefined || at > last) last = at;
  }
  return {
    orderCount: purchases.length,
    totalSpend: Math.round(history.totalSpend * 100) / 100,
    firstPurchaseAt: first,
    lastPurchaseAt: last,
    returnedAt: latestReturn(purchases, dormantDays),
    nps: history.nps?.score,
    csat: history.csat?.score,
  };
}

const Cuts = z.tuple([z.number(), z.number(), z.number(), z.number()]);

/** The base model of one full recompute: what incremental updates score against. */
export const LifecycleBase = z.object({
  /** Epoch milliseconds of the recompute. */
  computedAt: z.number(),
  customers: z.number().int().nonnegative(),
  purchasers: z.number().int().nonnegative(),
  /** Quintile cut points of recency (days), frequency (orders) and monetary (spend); null while nobody has ordered. */
  rfmCuts: z.object({ recency: Cuts, frequency: Cuts, monetary: Cuts }).nullable(),
  /** Spend above `high` is the high tier, above `mid` the mid tier. */
  valueCuts: z.object({ high: z.number(), mid: z.number() }).nullable(),
  /** Median usual gap of repeat customers (the one-order fallback); null without any. */
  medianGapDays: z.number().nullable(),
});
export type LifecycleBase = z.infer<typeof LifecycleBase>;

/**
 * Builds the base model from every customer's summary at `now`.
 *
 * @example buildBase(summaries, settings, now).rfmCuts?.frequency // e.g. [1, 1, 1, 2]
 */
export function buildBase(summaries: Iterable<PurchaseSummary>, settings: LifecycleSettings, now: number): LifecycleBase {
  const recency: number[] = [];
  const frequency: number[] = [];
  const monetary: number[] = [];
  const gaps: number[] = [];
  let customers = 0;
  for (const s of summaries) {
    customers++;
    if (s.orderCount <= 0 || s.lastPurchaseAt === undefined) continue;
    recency.push(daysBetween(s.lastPurchaseAt, now));
    frequency.push(s.orderCount);
    monetary.push(s.totalSpend);
    const gap = usualGapDays(s.orderCount, s.firstPurchaseAt, s.lastPurchaseAt, settings.churn.minGapDays);
    if (gap !== undefined) gaps.push(gap);
  }
  const r = quintileCuts(recency);
  const f = quintileCuts(frequency);
  const m = quintileCuts(monetary);
  return {
    computedAt: now,
    customers,
    purchasers: frequency.length,
    rfmCuts: r && f && m ? { recency: [...r], frequency: [...f], monetary: [...m] } : null,
    valueCuts: valueCuts(monetary, settings.valueTiers),
    medianGapDays: median(gaps),
  };
}

/** The computed fields of one customer. `rfm` and `valueTier` are undefined without a base. */
export interface LifecycleFields {
  stage: LifecycleStage;
  rfm: RfmScore | undefined;
  valueTier: ValueTier | undefined;
  clv: { historical: number; predicted: number } | undefined;
  churnRisk: number | undefined;
  /** The usual gap used (own or fallback), in days; undefined for prospects. */
  gapDays: number | undefined;
}

/**
 * Scores one customer at `now`.
 *
 * @example computeLifecycle({ orderCount: 0, totalSpend: 0 }, base, settings, now).stage // 'prospect'
 */
export function computeLifecycle(
  summary: PurchaseSummary,
  base: LifecycleBase | null,
  settings: LifecycleSettings,
  now: number,
): LifecycleFields {
  const paying = summary.orderCount > 0 && summary.lastPurchaseAt !== undefined;
  if (!paying || summary.lastPurchaseAt === undefined) {
    const stage = lifecycleStage(summary, settings.stages, now);
    return { stage, rfm: undefined, valueTier: base ? 'low' : undefined, clv: undefined, churnRisk: undefined, gapDays: undefined };
  }
  const own = usualGapDays(summary.orderCount, summary.firstPurchaseAt, summary.lastPurchaseAt, settings.churn.minGapDays);
  const gapDays = own ?? base?.medianGapDays ?? settings.churn.defaultGapDays;
  const daysSince = (now - summary.lastPurchaseAt) / DAY;
  const risk = churnRisk(Math.max(0, Math.floor(daysSince)), gapDays);
  const stage = lifecycleStage({ ...summary, churnRisk: risk }, settings.stages, now);
  const rfm = base?.rfmCuts
    ? rfmScore({ recencyDays: daysBetween(summary.lastPurchaseAt, now), orders: summary.orderCount, spend: summary.totalSpend }, base.rfmCuts)
    : undefined;
  return {
    stage,
    rfm,
    valueTier: base?.valueCuts ? valueTier(summary.totalSpend, base.valueCuts) : undefined,
    clv: lifetimeValue({ orderCount: summary.orderCount, totalSpend: summary.totalSpend, gapDays, churnRisk: risk }, settings.clv.horizonDays),
    churnRisk: risk,
    gapDays,
  };
}
