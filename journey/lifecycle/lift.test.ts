import { describe, expect, it } from 'vitest';
import { liftAgainstHoldout, newcombeInterval, relativeLiftInterval, wilsonInterval } from './lift.ts';

// Published results: Newcombe (1998), "Interval estimation for the difference between
// independent proportions: comparison of eleven methods", Statistics in Medicine 17, method 10;
// Newcombe (1998), "Two-sided confidence intervals for the single proportion", method 3.
describe('confidence intervals against published values', () => {
  it.each([
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
    [5, 56, 0, 29, -0.0381, 0.1926],
  ])('Newcombe interval of %i/%i − %i/%i is [%d, %d]', (x1, n1, x0, n0, lo, hi) => {
    const ci = newcombeInterval(x1, n1, x0, n0);
    expect(ci?.[0]).toBeCloseTo(lo, 4);
    expect(ci?.[1]).toBeCloseTo(hi, 4);
  });

  it('computes Wilson intervals', () => {
    const ci = wilsonInterval(81, 263);
    expect(ci?.[0]).toBeCloseTo(0.2553, 4);
    expect(ci?.[1]).toBeCloseTo(0.3662, 4);
    expect(wilsonInterval(0, 10)?.[0]).toBe(0);
    expect(wilsonInterval(1, 0)).toBeNull();
  });

  it('computes the Katz interval of the relative lift', () => {
    // RR = 0.8 / 0.6; se = √(1/56 − 1/70 + 1/48 − 1/80) = 0.10911; exp(ln RR ± 1.96 se) − 1
    const ci = relativeLiftInterval(56, 70, 48, 80);
    expect(ci?.[0]).toBeCloseTo(0.0766, 4);
    expect(ci?.[1]).toBeCloseTo(0.6512, 4);
    expect(relativeLiftInterval(5, 56, 0, 29)).toBeNull();
  });
});

describe('lift against the holdout', () => {
  it('reports absolute and relative lift with significance', () => {
    const lift = liftAgainstHoldout(56, 70, 48, 80);
    expect(lift?.absolute).toBeCloseTo(0.2, 10);
    expect(lift?.relative).toBeCloseTo(1 / 3, 10);
    expect(lift?.significant).toBe(true);
    expect(liftAgainstHoldout(5, 56, 0, 29)).toMatchObject({ relative: null, relativeCi: null, significant: false });
    expect(liftAgainstHoldout(1, 1, 0, 0)).toBeNull();
  });
});
