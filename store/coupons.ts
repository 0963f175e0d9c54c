import { z } from 'zod';
import type { Db, Filter } from 'mongodb';
import { CustomerId } from '../journey/customer.ts';
import { CouponOffer } from '../journey/nodes/coupon.ts';
import { isDuplicateKeyError, paginate, validateDocument } from './documents.ts';
import type { Page, PageRequest } from './documents.ts';
import { couponIssued, refreshCustomerOutcomes } from './outcomeRollup.ts';

/** Coupons that journeys issue; the code is the document id. */

export const CouponStatus = z.enum(['issued', 'redeemed', 'void']);
export type CouponStatus = z.infer<typeof CouponStatus>;

export const CouponRecord = z.object({
  code: z.string().min(4).max(64).regex(/^[A-Z0-9-]+$/, 'use upper-case letters, digits and -'),
  /** Idempotency key (workflow id + node id + visit): the same key issues one coupon. */
  key: z.string().min(1).max(300),
  customerId: CustomerId,
  journeyId: z.string().optional(),
  offer: CouponOffer,
  status: CouponStatus,
  issuedAt: z.iso.datetime(),
  expiresAt: z.iso.datetime().optional(),
  redeemedAt: z.iso.datetime().optional(),
  orderId: z.string().max(128).optional(),
});
export type CouponRecord = z.infer<typeof CouponRecord>;
export type NewCoupon = Pick<CouponRecord, 'code' | 'key' | 'customerId' | 'offer'> &
  Partial<Pick<CouponRecord, 'journeyId' | 'expiresAt'>>;

interface CouponDocument extends CouponRecord {
  _id: string;
}

const name = 'coupons';

function coupons(db: Db) {
  return db.collection<CouponDocument>(name);
}

/** The coupons collection (read-only uses such as outcome reports). */
export function couponsCollection(db: Db) {
  return coupons(db);
}

export const couponIndexes = [
  { key: { key: 1 }, unique: true },
  { key: { customerId: 1, issuedAt: 1 } },
  { key: { journeyId: 1, issuedAt: 1 } },
] as const;

function toRecord(doc: CouponDocument): CouponRecord {
  const { _id, ...rest } = doc;
  return validateDocument(CouponRecord, rest, name, _id);
}

/** Issues a coupon unless one with the same key exists; returns it either way. */
export async function issueCoupon(db: Db, input: NewCoupon, now: Date): Promise<{ coupon: CouponRecord; created: boolean }> {
  const record = validateDocument(CouponRecord, { ...input, status: 'issued', issuedAt: now.toISOString() }, name, input.code);
  try {
    await coupons(db).insertOne({ _id: record.code, ...record });
    await refreshCustomerOutcomes(db, [{ customerId: record.customerId, type: couponIssued, at: record.issuedAt }]);
    return { coupon: record, created: true };
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    const existing = await findCouponByKey(db, input.key);
    // A duplicate code under another key is a real collision: let the caller pick a new code.
    if (existing === null) throw error;
    // A retry recounts too: the first attempt may have died before it did.
    await refreshCustomerOutcomes(db, [{ customerId: existing.customerId, type: couponIssued, at: existing.issuedAt }]);
    return { coupon: existing, created: false };
  }
}

/** The coupon issued under idempotency key `key`, or null. */
export async function findCouponByKey(db: Db, key: string): Promise<CouponRecord | null> {
  const doc = await coupons(db).findOne({ key });
  return doc === null ? null : toRecord(doc);
}

/** The coupon with `code`, or null. */
export async function getCoupon(db: Db, code: string): Promise<CouponRecord | null> {
  const doc = await coupons(db).findOne({ _id: code });
  return doc === null ? null : toRecord(doc);
}

/** Filters of the coupon list. */
export interface CouponQuery {
  customerId?: string | undefined;
  journeyId?: string | undefined;
  status?: CouponStatus | undefined;
}

/** One page of coupons, oldest first. */
export async function listCoupons(db: Db, query: CouponQuery, page: PageRequest): Promise<Page<CouponRecord>> {
  const filter: Filter<CouponDocument> = {};
  if (query.customerId !== undefined) filter.customerId = query.customerId;
  if (query.journeyId !== undefined) filter.journeyId = query.journeyId;
  if (query.status !== undefined) filter.status = query.status;
  const result = await paginate(coupons(db), filter, page, { field: 'issuedAt' });
  return { items: result.items.map(toRecord), nextCursor: result.nextCursor };
}

export type RedeemError = 'not_found' | 'already_redeemed' | 'void' | 'expired' | 'wrong_customer';

/** Redeems an issued, unexpired coupon exactly once. */
export async function redeemCoupon(
  db: Db,
  code: string,
  input: { customerId?: string | undefined; orderId?: string | undefined },
  now: Date,
): Promise<CouponRecord | RedeemError> {
  const at = now.toISOString();
  const filter: Filter<CouponDocument> = {
    _id: code,
    status: 'issued',
    $or: [{ expiresAt: { $exists: false } }, { expiresAt: { $gt: at } }],
  };
  if (input.customerId !== undefined) filter.customerId = input.customerId;
  const set: Partial<CouponDocument> = { status: 'redeemed', redeemedAt: at };
  if (input.orderId !== undefined) set.orderId = input.orderId;
  const doc = await coupons(db).findOneAndUpdate(filter, { $set: set }, { returnDocument: 'after' });
  if (doc !== null) return toRecord(doc);
  const current = await getCoupon(db, code);
  if (current === null) return 'not_found';
  if (current.status === 'redeemed') return 'already_redeemed';
  if (current.status === 'void') return 'void';
  if (input.customerId !== undefined && current.customerId !== input.customerId) return 'wrong_customer';
  return 'expired';
}

/** Sets a coupon's status (e.g. void it when a journey is cancelled). */
export async function updateCouponStatus(db: Db, code: string, status: CouponStatus): Promise<CouponRecord | null> {
  const doc = await coupons(db).findOneAndUpdate({ _id: code }, { $set: { status } }, { returnDocument: 'after' });
  return doc === null ? null : toRecord(doc);
}
