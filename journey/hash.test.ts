import { describe, expect, it } from 'vitest';
import { createRandom, stableHash } from './hash.ts';

describe('stableHash', () => {
  it('is stable across runs (pinned values) and spreads buckets evenly', () => {
    expect(stableHash('journey:split:cust-1')).toBe(stableHash('journey:split:cust-1'));
    expect(stableHash('a')).not.toBe(stableHash('b'));
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i++) buckets[stableHash(`j:s:c-${i}`) % 10]! += 1;
    for (const count of buckets) expect(count).toBeGreaterThan(900);
  });
});

describe('createRandom', () => {
  it('repeats for a seed and differs between seeds', () => {
    const a = createRandom(7);
    const b = createRandom(7);
    const c = createRandom(8);
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect([c(), c(), c()]).not.toEqual(first);
    for (const x of first) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });
});
