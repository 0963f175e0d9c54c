/**
 * Quintile scores (1–5) over the customer base, as RFM uses them.
 *
 * Method: the four cut points are nearest-rank percentiles of the sorted values — cut k is
 * `sorted[ceil(k·n/5) − 1]` for k = 1…4. A value scores 1 plus the number of cut points it is
 * strictly above (for "higher is better" measures: frequency, monetary), or 5 minus that number
 * (for recency, where fewer days since the last purchase is better).
 *
 * Ties: equal values always share a score, and a value equal to a cut point stays below it
 * ("ties go down"). So quintiles are exactly 20 % each only when values are distinct; with heavy
 * ties — most customers have one order — every one-order customer scores F = 1 and some higher
 * scores may hold more or fewer than 20 %. Incremental updates score one customer against the
 * cut points stored at the last full recompute, so their scores never depend on who else
 * changed since.
 */

/** The four cut points between quintiles, ascending. */
export type Cuts = readonly [number, number, number, number];

/**
 * Nearest-rank percentile cut points of `values` (any order); null for an empty base.
 *
 * @example quintileCuts([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) // [2, 4, 6, 8]
 */
export function quintileCuts(values: readonly number[]): Cuts | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (k: number): number => sorted[Math.max(0, Math.ceil((k * sorted.length) / 5) - 1)] ?? 0;
  return [at(1), at(2), at(3), at(4)];
}

/** Nearest-rank percentile `q` (0 < q ≤ 1) of `values`; null for an empty list. */
export function percentile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? null;
}

function above(value: number, cuts: Cuts): number {
  let count = 0;
  for (const cut of cuts) if (value > cut) count++;
  return count;
}

/**
 * Score of a "higher is better" value (orders, spend): 1…5.
 *
 * @example scoreHigherBetter(7, [2, 4, 6, 8]) // 4
 */
export function scoreHigherBetter(value: number, cuts: Cuts): number {
  return 1 + above(value, cuts);
}

/**
 * Score of a "lower is better" value (days since the last purchase): 1…5.
 *
 * @example scoreLowerBetter(3, [10, 30, 60, 120]) // 5
 */
export function scoreLowerBetter(value: number, cuts: Cuts): number {
  return 5 - above(value, cuts);
}
