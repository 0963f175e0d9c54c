import { z } from 'zod';
import { CustomerId } from '../../journey/customer.ts';
import { CouponOffer } from '../../journey/nodes/coupon.ts';
import { PageQuery, pageOf } from './common.ts';

export const CouponStatus = z.enum(['issued', 'redeemed', 'void']);

export const Coupon = z
  .object({
    code: z.string(),
    customerId: CustomerId,
    journeyId: z.string().optional(),
    offer: CouponOffer,
    status: CouponStatus,
    issuedAt: z.iso.datetime(),
    expiresAt: z.iso.datetime().optional(),
    redeemedAt: z.iso.datetime().optional(),
    orderId: z.string().optional(),
  })
  .meta({ id: 'Coupon' });

export const CouponParams = z.strictObject({ code: z.string().min(1).max(64).regex(/^[A-Za-z0-9-]+$/, 'a coupon code') });

export const CouponQuery = PageQuery.extend({
  customerId: CustomerId.optional(),
  journeyId: z.string().max(64).optional(),
  status: CouponStatus.optional(),
});

export const CouponPage = pageOf(Coupon).meta({ id: 'CouponPage' });

export const CouponRedemption = z
  .strictObject({
    customerId: CustomerId.optional().describe('When given, the coupon must belong to this customer.'),
    orderId: z.string().min(1).max(128).optional(),
  })
  .meta({ id: 'CouponRedemption' });
