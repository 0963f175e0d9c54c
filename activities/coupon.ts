import { randomInt } from 'node:crypto';
import type { Db } from 'mongodb';
import { issueCoupon as storeCoupon } from '../store/coupons.ts';
import { isDuplicateKeyError } from '../store/documents.ts';
import { activityNow } from './clock.ts';
import { faultPoint } from './fault.ts';
import type { ActionOutcome, ActionRequest } from './types.ts';

/** Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L, 2/Z, 5/S, 8/B). */
export const couponAlphabet = 'ACDEFGHJKMNPQRTUVWXY34679';
/** 25^10 ≈ 9.5e13 codes: guessing one valid code among millions takes millions of tries. */
const codeLength = 10;

/**
 * A random, hard-to-guess coupon code: `PREFIX-` then 10 characters from `couponAlphabet`,
 * grouped in fives for reading aloud (e.g. `WB-7KQ3M-X9CDA`).
 */
export function couponCode(prefix: string): string {
  let body = '';
  for (let i = 0; i < codeLength; i++) body += couponAlphabet[randomInt(couponAlphabet.length)];
  const grouped = `${body.slice(0, 5)}-${body.slice(5)}`;
  return prefix ? `${prefix}-${grouped}` : grouped;
}

/**
 * Issues one coupon per run, node and visit (the ledger key is the coupon's `key`): a retried
 * activity gets the same code back. The code becomes the run variable named in the config.
 */
export async function issueCouponAction(db: Db, request: ActionRequest<'coupon'>): Promise<ActionOutcome> {
  const { action, customerId, journeyId } = request;
  const { config } = action;
  const now = activityNow();
  const expiresAt = new Date(now + config.expiresInDays * 86_400_000).toISOString();
  for (let attempt = 0; ; attempt++) {
    try {
      const { coupon, created } = await storeCoupon(
        db,
        { code: couponCode(config.prefix), key: action.idempotencyKey, customerId, journeyId, offer: config.offer, expiresAt },
        new Date(now),
      );
      const variables: Record<string, string> = { [config.variable]: coupon.code, [`${config.variable}ExpiresAt`]: coupon.expiresAt ?? expiresAt };
      variables[`${config.variable}Offer`] =
        coupon.offer.type === 'percent' ? `${coupon.offer.percent}%` : `${coupon.offer.amount} ${coupon.offer.currency}`;
      if (created) faultPoint('coupon');
      return created ? { outcome: 'ok', variables } : { outcome: 'ok', variables, duplicate: true };
    } catch (error) {
      // A code collision (astronomically rare): draw again, a few times at most.
      if (!isDuplicateKeyError(error) || attempt >= 5) throw error;
    }
  }
}
