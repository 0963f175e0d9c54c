import { getCoupon, listCoupons, redeemCoupon } from '../../store/coupons.ts';
import { readers } from '../auth.ts';
import { ingestEvent } from '../ingest.ts';
import { conflict, notFound } from '../problem.ts';
import { defineRoute } from '../route.ts';
import { Coupon, CouponPage, CouponParams, CouponQuery, CouponRedemption } from '../wire/coupons.ts';

const refusals = {
  already_redeemed: 'was already redeemed',
  void: 'was voided',
  expired: 'has expired',
  wrong_customer: 'belongs to another customer',
} as const;

export const couponRoutes = [
  defineRoute({
    operationId: 'listCoupons',
    method: 'get',
    path: '/coupons',
    tag: 'Coupons',
    summary: 'List coupons by journey or customer',
    access: readers,
    query: CouponQuery,
    responses: { 200: { description: 'A page of coupons, oldest first.', schema: CouponPage } },
    async handler({ query, deps }) {
      const { limit, cursor, ...filter } = query;
      return { status: 200, body: await listCoupons(deps.db, filter, { limit, cursor }) };
    },
  }),
  defineRoute({
    operationId: 'getCoupon',
    method: 'get',
    path: '/coupons/:code',
    tag: 'Coupons',
    summary: 'Get a coupon',
    access: readers,
    params: CouponParams,
    responses: { 200: { description: 'The coupon.', schema: Coupon } },
    async handler({ params, deps }) {
      const coupon = await getCoupon(deps.db, params.code.toUpperCase());
      if (coupon === null) throw notFound(`coupon ${params.code}`);
      return { status: 200, body: coupon };
    },
  }),
  defineRoute({
    operationId: 'redeemCoupon',
    method: 'post',
    path: '/coupons/:code/redeem',
    tag: 'Coupons',
    summary: 'Redeem a coupon',
    description:
      'Redeems an issued, unexpired coupon once and raises a `coupon_redeemed` event (properties: code, ' +
      'journeyId, orderId), e.g. a journey’s conversion goal.',
    access: ['operator'],
    params: CouponParams,
    body: CouponRedemption,
    responses: { 200: { description: 'Redeemed.', schema: Coupon } },
    async handler({ params, body, deps, now }) {
      const code = params.code.toUpperCase();
      const result = await redeemCoupon(deps.db, code, body, now);
      if (result === 'not_found') throw notFound(`coupon ${code}`);
      if (typeof result === 'string') throw conflict(`coupon ${code} ${refusals[result]}`, result === 'wrong_customer' ? 'body.customerId' : undefined);
      await ingestEvent(
        deps,
        {
          id: `coupon_redeemed:${code}`,
          type: 'coupon_redeemed',
          customerId: result.customerId,
          properties: { code, journeyId: result.journeyId ?? null, orderId: result.orderId ?? null },
        },
        now,
      );
      return { status: 200, body: result };
    },
  }),
];
