import { z } from 'zod';
import { Consent } from './consent.ts';
import { LunarOrOtherText } from './lunar.ts';
import { isValidTimezone } from './timezone.ts';

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

/** A custom attribute as callers write it: text starting with `lunar-` must be a lunar date (`journey/lunar.ts`). */
export const AttributeWriteValue = z.union([LunarOrOtherText, z.number(), z.boolean(), z.null()]);

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

/**
 * The formats a customer's contact fields take: one definition each, used by the API's input,
 * the data layer and the responses alike. Each is written so that its JSON Schema (in the
 * OpenAPI document) says exactly what the check accepts: patterns without look-arounds, so
 * any generated client or tester reads the same rule.
 */

const atom = "[A-Za-z0-9_'+-]";
/** Dot-separated parts of a local part, at most 64 characters in all (RFC 5321). */
const localPart = [`${atom}{1,64}`, `${atom}{1,31}\\.${atom}{1,32}`, `${atom}{1,20}\\.${atom}{1,20}\\.${atom}{1,22}`, `${atom}{1,15}\\.${atom}{1,15}\\.${atom}{1,15}\\.${atom}{1,16}`].join('|');
/**
 * Host labels of at most 63 characters, neither starting nor ending with `-` and without `--`
 * in the third and fourth place (reserved for IDNA `xn--` labels: address checkers refuse it
 * unless it is valid punycode); a letters-only top-level domain.
 */
const alnum = '[A-Za-z0-9]';
const ldh = '[A-Za-z0-9-]';
const label = [`${alnum}(?:${ldh}?${alnum})?`, `${alnum}${ldh}(?:${alnum}|-)${alnum}`, `${alnum}${ldh}(?:${alnum}${ldh}|-${alnum})${ldh}{0,58}${alnum}`].join('|');
const domain = `(?:(?:${label})\\.){1,3}[A-Za-z]{2,24}`;

/**
 * An email address: `name@example.com`; the local part at most 64 characters, host labels at
 * most 63, the whole at most 253 (the SMTP path limit, RFC 5321 4.5.3.1.3: mail servers refuse
 * longer recipients).
 */
export const Email = z.email({ pattern: new RegExp(`^(?:${localPart})@${domain}$`), message: 'not an email address, e.g. ana@example.com' }).max(253);

/** A phone number in E.164, e.g. `+8613800138000`. */
export const Phone = z.string().regex(/^\+[1-9]\d{6,14}$/, 'use E.164 format, e.g. +14155550100');

/**
 * A BCP 47 language tag: language, optional script, region and one variant, e.g. `en`,
 * `zh-CN`, `zh-Hans-CN`. Also checked with `Intl`, so every stored locale can format dates
 * and numbers.
 */
export const Locale = z
  .string()
  .max(35)
  .regex(
    /^[A-Za-z]{2,3}(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))?$/,
    { message: 'use a BCP 47 language tag, e.g. en or zh-CN', abort: true },
  )
  .refine(isWellFormedLocale, 'use a BCP 47 language tag, e.g. en or zh-CN');

function isWellFormedLocale(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}

/**
 * An IANA time zone, e.g. `Asia/Shanghai`. The OpenAPI document lists the names the server's
 * time zone database knows; their aliases (e.g. `Asia/Kolkata` beside `Asia/Calcutta`) are
 * accepted as well and kept as sent.
 */
export const Timezone = z
  .string()
  .min(1)
  .max(64)
  .refine(isValidTimezone, 'not a time zone the server knows; use an IANA name, e.g. Asia/Shanghai')
  .meta({ id: 'Timezone', description: 'IANA time zone, e.g. `Asia/Shanghai`.' });

/** The names `Timezone` lists in the OpenAPI document (the runtime's IANA database, and UTC). */
export function knownTimezones(): string[] {
  return [...new Set(['UTC', ...Intl.supportedValuesOf('timeZone')])];
}

/** Identifiers are the integrator's own (external ids): letters, digits, `_`, `-`, `.`, `@`, `:`. */
export const CustomerId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.@:-]+$/, 'use letters, digits and _ . @ : - only');

export const CustomerProfile = z.object({
  id: CustomerId,
  email: Email.optional(),
  phone: Phone.optional(),
  name: z.string().max(200).optional(),
  locale: Locale.default('en'),
  timezone: Timezone.default('UTC'),
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
  /**
   * Per attribute holding a lunar date (`journey/lunar.ts`): its solar dates (`YYYY-MM-DD`) in
   * the lunar years around the time the run loaded the profile, converted where the calendar
   * library runs (the activity that loads the profile), so waits stay pure and replay alike.
   */
  lunarAnniversaries: z.record(z.string(), z.array(z.iso.date())).optional(),
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
