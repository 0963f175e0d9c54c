import { z } from 'zod';
import { Consent } from './consent.ts';

/**
 * The customer profile as journeys see it. One schema for the API, the data layer,
 * the interpreter's conditions and the simulator's synthetic cohorts.
 *
 * Computed fields (`computed`) are written only by Waymark's lifecycle code, never by
 * API callers.
 */

export const LifecycleStage = z.enum(['prospect', 'new', 'active', 'atRisk', 'dormant', 'churned', 'wonBack']);
export type LifecycleStage = z.infer<typeof LifecycleStage>;

export const RfmCell = z.enum([
  'champions',
  'loyal',
  'potential',
  'new',
  'atRisk',
  'cantLose',
  'hibernating',
  'lost',
]);
export type RfmCell = z.infer<typeof RfmCell>;

export const Channel = z.enum(['email', 'sms']);
export type Channel = z.infer<typeof Channel>;

export const ValueTier = z.enum(['high', 'mid', 'low']);
export type ValueTier = z.infer<typeof ValueTier>;

/** Custom attribute values stay scalar so conditions and storage stay simple. */
export const AttributeValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type AttributeValue = z.infer<typeof AttributeValue>;

const Score = z.number().int().min(1).max(5);

export const RfmScore = z.object({
  recency: Score,
  frequency: Score,
  monetary: Score,
  cell: RfmCell,
});
export type RfmScore = z.infer<typeof RfmScore>;

export const ComputedProfile = z.object({
  stage: LifecycleStage,
  rfm: RfmScore.optional(),
  valueTier: ValueTier.optional(),
  /** Historical and simple predicted customer lifetime value, in the shop's currency. */
  clv: z.object({ historical: z.number(), predicted: z.number() }).optional(),
  /** 0 (healthy) … 1 (almost surely churned). */
  churnRisk: z.number().min(0).max(1).optional(),
  firstPurchaseAt: z.iso.datetime().optional(),
  lastPurchaseAt: z.iso.datetime().optional(),
  lastSeenAt: z.iso.datetime().optional(),
  orderCount: z.number().int().nonnegative(),
  totalSpend: z.number().nonnegative(),
  nps: z.number().int().min(0).max(10).optional(),
  segments: z.array(z.string()),
});
export type ComputedProfile = z.infer<typeof ComputedProfile>;

/** Identifiers are the integrator's own (external ids): letters, digits, `_`, `-`, `.`, `@`, `:`. */
export const CustomerId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.@:-]+$/, 'use letters, digits and _ . @ : - only');

export const CustomerProfile = z.object({
  id: CustomerId,
  email: z.email().optional(),
  /** E.164, e.g. +8613800138000. */
  phone: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, 'use E.164 format, e.g. +14155550100')
    .optional(),
  name: z.string().max(200).optional(),
  /** BCP 47 language tag, e.g. `en` or `zh-CN`. */
  locale: z.string().min(2).max(35).default('en'),
  /** IANA timezone, e.g. `Asia/Shanghai`. */
  timezone: z.string().min(1).max(64).default('UTC'),
  /** `YYYY-MM-DD`. */
  birthday: z.iso.date().optional(),
  /** Per channel: granted or withdrawn, when, from where. Never assumed: no record, no marketing. */
  consent: Consent.default({}),
  accountOwner: z.string().max(128).optional(),
  attributes: z.record(z.string(), AttributeValue).default({}),
  tags: z.array(z.string().max(64)).default([]),
  computed: ComputedProfile.default({ stage: 'prospect', orderCount: 0, totalSpend: 0, segments: [] }),
  createdAt: z.iso.datetime().optional(),
  updatedAt: z.iso.datetime().optional(),
});
export type CustomerProfile = z.infer<typeof CustomerProfile>;

/**
 * The profile as a journey run holds it (workflow input, state, continue-as-new): without the
 * email address, phone number and name, which stay in the database where erasure reaches them
 * (Temporal histories cannot be edited). `present` says which of them the customer has, so
 * consent conditions and `exists` checks still work; the activities that send read the
 * address from the database when they need it.
 */
export const JourneyCustomer = CustomerProfile.extend({
  present: z.object({ email: z.boolean(), phone: z.boolean(), name: z.boolean() }).optional(),
});
export type JourneyCustomer = z.infer<typeof JourneyCustomer>;

/**
 * The journey view of a profile: contact details replaced by whether they exist.
 *
 * @example journeyView({ ...profile, email: 'bo@example.com' }).present // { email: true, phone: false, name: false }
 */
export function journeyView(profile: CustomerProfile): JourneyCustomer {
  const { email, phone, name, ...rest } = profile;
  return { ...rest, present: { email: email !== undefined, phone: phone !== undefined, name: name !== undefined } };
}
