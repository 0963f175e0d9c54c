/**
 * A stable 32-bit hash of a string (FNV-1a with a murmur3 finalizer): the same input gives the
 * same number on every machine and run, so a customer always lands in the same split arm.
 *
 * @example stableHash('journey-1:split-a:cust-42') % 100 // a bucket 0…99
 */
export function stableHash(input: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < input.length; i++) {
    h ^= input.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A seeded pseudo-random source in [0, 1) (mulberry32): the core's only randomness. */
export type Random = () => number;

/** Creates a seeded random source; the same seed always yields the same sequence. */
export function createRandom(seed: number): Random {
  let a = stableHash(String(seed)) || 1;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
