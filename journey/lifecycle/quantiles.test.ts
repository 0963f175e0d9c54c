import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { percentile, quintileCuts, scoreHigherBetter, scoreLowerBetter } from './quantiles.ts';

describe('quintile cut points', () => {
  it.each([
    { values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], cuts: [2, 4, 6, 8] },
    { values: [10, 9, 8, 7, 6, 5, 4, 3, 2, 1], cuts: [2, 4, 6, 8] },
    // 7 values: ranks ceil(1.4)=2, ceil(2.8)=3, ceil(4.2)=5, ceil(5.6)=6
    { values: [5, 1, 7, 3, 9, 11, 13], cuts: [3, 5, 9, 11] },
    // one-order customers dominate: the first three cuts are all 1
    { values: [1, 1, 1, 1, 1, 1, 2, 2, 3, 5], cuts: [1, 1, 1, 2] },
    { values: [42], cuts: [42, 42, 42, 42] },
  ])('cuts of $values are $cuts', ({ values, cuts }) => {
    expect(quintileCuts(values)).toEqual(cuts);
  });

  it('has no cuts for an empty base', () => {
    expect(quintileCuts([])).toBeNull();
    expect(percentile([], 0.5)).toBeNull();
  });

  it('takes nearest-rank percentiles', () => {
    expect(percentile([10, 20, 30, 40], 0.5)).toBe(20);
    expect(percentile([10, 20, 30, 40, 50], 0.8)).toBe(40);
    expect(percentile([10, 20, 30, 40, 50], 1)).toBe(50);
  });
});

describe('scores', () => {
  it('gives exactly 20 % per score to ten distinct values', () => {
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const cuts = quintileCuts(values);
    if (cuts === null) throw new Error('no cuts');
    expect(values.map((v) => scoreHigherBetter(v, cuts))).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect(values.map((v) => scoreLowerBetter(v, cuts))).toEqual([5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);
  });

  it('lets ties go down: every one-order customer scores 1', () => {
    const orders = [1, 1, 1, 1, 1, 1, 2, 2, 3, 5];
    const cuts = quintileCuts(orders);
    if (cuts === null) throw new Error('no cuts');
    expect(orders.map((v) => scoreHigherBetter(v, cuts))).toEqual([1, 1, 1, 1, 1, 1, 4, 4, 5, 5]);
  });

  it('always scores 1…5, monotonic in the value, equal values alike', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 200 }), (values) => {
        const cuts = quintileCuts(values);
        if (cuts === null) return false;
        const sorted = [...values].sort((a, b) => a - b);
        const scores = sorted.map((v) => scoreHigherBetter(v, cuts));
        const inRange = scores.every((s) => s >= 1 && s <= 5);
        const monotonic = scores.every((s, i) => i === 0 || s >= (scores[i - 1] ?? 0));
        const tiesAlike = sorted.every((v, i) => i === 0 || v !== sorted[i - 1] || scores[i] === scores[i - 1]);
        return inRange && monotonic && tiesAlike;
      }),
    );
  });

  it('never puts more than a fifth of distinct values in the top score', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer(), { minLength: 5, maxLength: 300 }), (values) => {
        const cuts = quintileCuts(values);
        if (cuts === null) return false;
        const top = values.filter((v) => scoreHigherBetter(v, cuts) === 5).length;
        return top === values.length - Math.ceil((4 * values.length) / 5);
      }),
    );
  });
});
