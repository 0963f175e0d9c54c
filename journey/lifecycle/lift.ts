/**
 * Lift of a split arm against the holdout, with 95 % confidence intervals.
 *
 * - Conversion rate of a group: p = x / n, with a Wilson score interval.
 * - Absolute lift p₁ − p₀ (arm minus holdout), interval by Newcombe's hybrid score method
 *   (Newcombe 1998, method 10): from the Wilson intervals (l₁, u₁) and (l₀, u₀),
 *   L = d − √((p₁ − l₁)² + (u₀ − p₀)²), U = d + √((u₁ − p₁)² + (p₀ − l₀)²).
 *   It stays inside [−1, 1] and behaves well for small groups and rates near 0 or 1, where the
 *   plain Wald interval does not.
 * - Relative lift p₁ / p₀ − 1, interval by the Katz log method for a ratio of proportions:
 *   exp(ln(p₁/p₀) ± z·√(1/x₁ − 1/n₁ + 1/x₀ − 1/n₀)) − 1; null when either group has no
 *   conversion (the ratio or its logarithm is undefined).
 * z = 1.959964 (two-sided 95 %).
 */

export const Z95 = 1.959963984540054;

export type Interval = readonly [number, number];

/** Wilson score interval of x successes in n trials; null when n = 0. */
export function wilsonInterval(x: number, n: number, z: number = Z95): Interval | null {
  if (n <= 0) return null;
  const p = x / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return [Math.max(0, center - half), Math.min(1, center + half)];
}

/**
 * Newcombe hybrid-score interval of p₁ − p₀; null when a group is empty.
 *
 * @example newcombeInterval(56, 70, 48, 80) // ≈ [0.0524, 0.3339] (Newcombe 1998, example a)
 */
export function newcombeInterval(x1: number, n1: number, x0: number, n0: number, z: number = Z95): Interval | null {
  const w1 = wilsonInterval(x1, n1, z);
  const w0 = wilsonInterval(x0, n0, z);
  if (w1 === null || w0 === null) return null;
  const p1 = x1 / n1;
  const p0 = x0 / n0;
  const d = p1 - p0;
  return [d - Math.hypot(p1 - w1[0], w0[1] - p0), d + Math.hypot(w1[1] - p1, p0 - w0[0])];
}

/** Katz log interval of the relative lift p₁ / p₀ − 1; null when it is undefined. */
export function relativeLiftInterval(x1: number, n1: number, x0: number, n0: number, z: number = Z95): Interval | null {
  if (x1 <= 0 || x0 <= 0 || n1 <= 0 || n0 <= 0) return null;
  const logRatio = Math.log(x1 / n1 / (x0 / n0));
  const se = Math.sqrt(1 / x1 - 1 / n1 + 1 / x0 - 1 / n0);
  return [Math.exp(logRatio - z * se) - 1, Math.exp(logRatio + z * se) - 1];
}

/** Lift of an arm (x₁ of n₁ converted) over the holdout (x₀ of n₀). */
export interface Lift {
  absolute: number;
  absoluteCi: Interval;
  /** null when the holdout did not convert at all. */
  relative: number | null;
  relativeCi: Interval | null;
  /** True when the absolute interval excludes 0. */
  significant: boolean;
}

/** Lift with both intervals; null when either group is empty. */
export function liftAgainstHoldout(x1: number, n1: number, x0: number, n0: number): Lift | null {
  const absoluteCi = newcombeInterval(x1, n1, x0, n0);
  if (absoluteCi === null) return null;
  const p1 = x1 / n1;
  const p0 = x0 / n0;
  return {
    absolute: p1 - p0,
    absoluteCi,
    relative: p0 === 0 ? null : p1 / p0 - 1,
    relativeCi: relativeLiftInterval(x1, n1, x0, n0),
    significant: absoluteCi[0] > 0 || absoluteCi[1] < 0,
  };
}
