import { z } from 'zod';
import { actionCommand, actionExits, actionSteps } from './action.ts';
import { defineNode } from './spec.ts';

/**
 * An ISO 4217 currency code the runtime can format, e.g. `USD`, `CNY`: an enum, so the OpenAPI
 * document and the editor's picker list them. USD first: the editor's form starts with it.
 */
export const Currency = z.enum([...new Set(['USD', ...Intl.supportedValuesOf('currency')])], { error: 'use an ISO 4217 currency code, e.g. USD or CNY' });

export const CouponOffer = z.discriminatedUnion('type', [
  z.object({ type: z.literal('percent'), percent: z.number().positive().max(100) }),
  z.object({ type: z.literal('amount'), amount: z.number().positive(), currency: Currency }),
]);
export type CouponOffer = z.infer<typeof CouponOffer>;

export const CouponConfig = z.object({
  offer: CouponOffer,
  expiresInDays: z.number().int().positive().max(365).default(14),
  /** Codes look like `PREFIX-7KQ2M9`; letters and digits only. */
  prefix: z.string().regex(/^[A-Z0-9]{0,12}$/, 'use up to 12 capital letters or digits').default(''),
  /** The variable later messages read the code from, e.g. `{{vars.couponCode}}`. */
  variable: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,31}$/, 'use letters, digits and _').default('couponCode'),
});
export type CouponConfig = z.infer<typeof CouponConfig>;

/** What the workflow hands the `issueCoupon` activity. */
export const CouponCommand = actionCommand('coupon', CouponConfig);

/** Issues a personal coupon code; the activity returns it as `variables[config.variable]`. */
export const couponNode = defineNode(CouponConfig)({
  kind: 'coupon',
  displayName: 'Issue coupon',
  description: 'Creates a personal coupon code that later messages can include.',
  category: 'action',
  defaults: () => ({ offer: { type: 'percent', percent: 10 }, expiresInDays: 14, prefix: '', variable: 'couponCode' }),
  exits: () => actionExits('issued', 'issued'),
  summary: (c) => `Coupon ${c.offer.type === 'percent' ? `${c.offer.percent}%` : `${c.offer.amount} ${c.offer.currency}`} off, ${c.expiresInDays} days`,
  action: { activity: 'issueCoupon', retry: 'effect', simulate: 'coupon', variables: true },
  ...actionSteps<CouponConfig>({ okExit: 'issued', quietHours: false, command: (config, base) => ({ ...base, kind: 'coupon', config }) }),
});
