import { describe, expect, it } from 'vitest';
import { rfmCell, rfmScore } from './rfm.ts';

describe('RFM cells', () => {
  it.each([
    [5, 5, 5, 'champions'],
    [4, 4, 4, 'champions'],
    [5, 1, 5, 'new'],
    [4, 1, 1, 'new'],
    [5, 5, 3, 'loyal'],
    [3, 3, 1, 'loyal'],
    [3, 1, 5, 'potential'],
    [4, 2, 2, 'potential'],
    [2, 4, 4, 'cantLose'],
    [1, 5, 5, 'cantLose'],
    [2, 4, 3, 'atRisk'],
    [1, 3, 1, 'atRisk'],
    [2, 2, 5, 'hibernating'],
    [2, 1, 1, 'hibernating'],
    [1, 2, 5, 'lost'],
    [1, 1, 1, 'lost'],
  ] as const)('R%i F%i M%i is %s', (r, f, m, cell) => {
    expect(rfmCell(r, f, m)).toBe(cell);
  });

  it('scores recency inversely and frequency, monetary directly', () => {
    const cuts = { recency: [10, 30, 60, 120], frequency: [1, 1, 2, 4], monetary: [50, 100, 200, 400] } as const;
    expect(rfmScore({ recencyDays: 200, orders: 1, spend: 40 }, cuts)).toEqual({ recency: 1, frequency: 1, monetary: 1, cell: 'lost' });
    expect(rfmScore({ recencyDays: 5, orders: 9, spend: 1000 }, cuts)).toEqual({ recency: 5, frequency: 5, monetary: 5, cell: 'champions' });
    expect(rfmScore({ recencyDays: 30, orders: 2, spend: 150 }, cuts)).toEqual({ recency: 4, frequency: 3, monetary: 3, cell: 'loyal' });
  });
});
