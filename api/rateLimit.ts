/**
 * Token buckets per API key: `perSecond` tokens refill continuously up to `burst`. In
 * memory, per API process: with several API processes each allows the rate, which is what
 * an ingestion limit is for (protecting this process and the database), not billing.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {}

  /**
   * Takes `cost` tokens for `key` at time `now` (ms). Returns 0 when allowed, else the
   * seconds to wait before the same request would be allowed.
   */
  take(key: string, cost: number, now: number): number {
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    const tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    if (cost > this.burst) return Math.ceil(cost / this.perSecond);
    if (tokens < cost) {
      this.buckets.set(key, { tokens, at: now });
      return Math.max(1, Math.ceil((cost - tokens) / this.perSecond));
    }
    this.buckets.set(key, { tokens: tokens - cost, at: now });
    return 0;
  }
}
