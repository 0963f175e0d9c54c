import { z } from 'zod';

/**
 * Consent is never assumed. A channel the customer has said nothing about has no record and
 * receives no marketing; a record says whether consent was granted or withdrawn, when, and
 * where that came from. One schema: the stored profile, the API's responses and its write
 * shape (`ConsentWrite`) derive from `ConsentRecord`.
 */

/** Where a consent decision came from. `migrated`: a plain true/false stored before records existed. */
export const ConsentSource = z.enum(['api', 'import', 'form', 'unsubscribe', 'stop', 'start', 'migrated']);
export type ConsentSource = z.infer<typeof ConsentSource>;

export const ConsentRecord = z.object({
  granted: z.boolean(),
  /** When the customer gave or withdrew consent (as the source reported it). */
  at: z.iso.datetime(),
  source: ConsentSource,
});
export type ConsentRecord = z.infer<typeof ConsentRecord>;

/**
 * Per channel; a channel left out has never been asked: no marketing. `personalisation` is the
 * other way round (PIPL Art. 24, 个人信息保护法第二十四条: a person may refuse marketing
 * decided by automated profiling): `granted: false` records the refusal, when and from where;
 * no record means not refused. Steps marked personalised then send their non-personalised
 * variant or are skipped (`journey/nodes/personalisation.ts`).
 */
export const Consent = z.object({ email: ConsentRecord.optional(), sms: ConsentRecord.optional(), personalisation: ConsentRecord.optional() });
export type Consent = z.infer<typeof Consent>;

/**
 * What a caller may send for one channel: `true`/`false` (granted or withdrawn now, from the
 * request's source), or a record whose `at` and `source` default to now and the request's.
 */
export const ConsentInput = z.union([z.boolean(), ConsentRecord.partial({ at: true, source: true }).strict()]);
export type ConsentInput = z.infer<typeof ConsentInput>;

/** The consent part of a profile write: channels sent replace their record, others are kept. */
export const ConsentWrite = z.strictObject({ email: ConsentInput.optional(), sms: ConsentInput.optional(), personalisation: ConsentInput.optional() });
export type ConsentWrite = z.infer<typeof ConsentWrite>;

type ChannelName = 'email' | 'sms';
const channels: readonly ChannelName[] = ['email', 'sms'];
/** Every record a profile's consent holds: the channels and the personalisation choice. */
const recordKeys: readonly (keyof Consent)[] = [...channels, 'personalisation'];

/**
 * True only for a record that grants consent to `channel`. Also reads the plain `true` of
 * profiles held by journey runs started before consent records (their histories replay with it).
 */
export function hasConsent(customer: { consent: Consent }, channel: ChannelName): boolean {
  const value: unknown = customer.consent[channel];
  return value === true || (typeof value === 'object' && value !== null && (value as { granted?: unknown }).granted === true);
}

/**
 * True when the customer refused personalised marketing (PIPL Art. 24): a `personalisation`
 * record with `granted: false`. No record is no refusal. Reads without parsing: runs call it.
 */
export function refusesPersonalisation(customer: { consent: Consent }): boolean {
  const value: unknown = customer.consent.personalisation;
  return typeof value === 'object' && value !== null && (value as { granted?: unknown }).granted === false;
}

/**
 * Turns what a caller sent into records, stamped with `source` and `at` where it left them out.
 *
 * @example consentRecords({ email: true }, 'import', '2026-01-01T00:00:00.000Z') // { email: { granted: true, at: '2026-01-01T00:00:00.000Z', source: 'import' } }
 */
export function consentRecords(write: ConsentWrite, source: ConsentSource, at: string): Consent {
  const out: Consent = {};
  for (const channel of recordKeys) {
    const value = write[channel];
    if (value === undefined) continue;
    out[channel] = typeof value === 'boolean' ? { granted: value, at, source } : { granted: value.granted, at: value.at ?? at, source: value.source ?? source };
  }
  return out;
}

/**
 * Reads consent as stored by any version: records pass through, a plain boolean (stored before
 * consent records) becomes a `migrated` record dated `at`, anything else is dropped (no consent).
 */
export function upgradeConsent(stored: unknown, at: string): Consent {
  const out: Consent = {};
  if (typeof stored !== 'object' || stored === null) return out;
  for (const channel of recordKeys) {
    const value: unknown = (stored as Record<string, unknown>)[channel];
    if (typeof value === 'boolean') out[channel] = { granted: value, at, source: 'migrated' };
    else {
      const record = ConsentRecord.safeParse(value);
      if (record.success) out[channel] = record.data;
    }
  }
  return out;
}

/** True when `stored` still holds a plain boolean for some channel (the shape before records). */
export function isLegacyConsent(stored: unknown): boolean {
  return typeof stored === 'object' && stored !== null && channels.some((c) => typeof (stored as Record<string, unknown>)[c] === 'boolean');
}
