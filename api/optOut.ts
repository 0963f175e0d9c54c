import type { ConsentSource } from '../journey/consent.ts';
import type { Channel, CustomerProfile } from '../journey/customer.ts';
import { customerIdsByPhone, getCustomer, setConsent } from '../store/customers.ts';
import { getSuppression, suppress, unsuppress } from '../store/suppressions.ts';
import type { SuppressionReason } from '../store/suppressions.ts';
import type { ResolvedDeps } from './deps.ts';
import { ingestEvent } from './ingest.ts';

/**
 * Consent changes from every source (signed links, one-click unsubscribe, SMS STOP/START):
 * the profile's consent, the suppression list and an event journeys can react to, in that
 * order, so sending stops even if routing the event fails.
 */

function addressOf(customer: CustomerProfile, channel: Channel): string | undefined {
  return channel === 'email' ? customer.email : customer.phone;
}

/** Where a consent change came from, as its record says (the preferences page is a form). */
export type ConsentChangeSource = Extract<ConsentSource, 'unsubscribe' | 'form' | 'stop' | 'start'>;

/** Opts a customer out of a channel; false when the customer does not exist. */
export async function optOut(
  deps: ResolvedDeps,
  customerId: string,
  channel: Channel,
  reason: SuppressionReason,
  now: Date,
  source: ConsentChangeSource = reason === 'stop' ? 'stop' : 'unsubscribe',
): Promise<boolean> {
  const customer = await setConsent(deps.db, customerId, { [channel]: { granted: false, at: now.toISOString(), source } }, now);
  if (customer === null) return false;
  const address = addressOf(customer, channel);
  if (address !== undefined) await suppress(deps.db, { channel, address, reason, customerId }, now);
  await ingestEvent(deps, { type: 'unsubscribed', customerId, properties: { channel, via: reason } }, now);
  return true;
}

/**
 * Opts a customer back in. Lifts a suppression only if it came from the same kind of
 * opt-out (a web unsubscribe is undone on the web, an SMS STOP by START), never a bounce.
 */
export async function optIn(
  deps: ResolvedDeps,
  customerId: string,
  channel: Channel,
  liftable: readonly SuppressionReason[],
  now: Date,
  source: ConsentChangeSource,
): Promise<boolean> {
  const customer = await getCustomer(deps.db, customerId);
  if (customer === null) return false;
  const address = addressOf(customer, channel);
  if (address !== undefined) {
    const suppression = await getSuppression(deps.db, channel, address);
    if (suppression !== null && liftable.includes(suppression.reason)) await unsuppress(deps.db, channel, address);
  }
  await setConsent(deps.db, customerId, { [channel]: { granted: true, at: now.toISOString(), source } }, now);
  return true;
}

/** SMS STOP: the number is suppressed whether or not a customer has it. */
export async function smsStop(deps: ResolvedDeps, phone: string, now: Date): Promise<number> {
  await suppress(deps.db, { channel: 'sms', address: phone, reason: 'stop' }, now);
  const ids = await customerIdsByPhone(deps.db, phone);
  for (const id of ids) await optOut(deps, id, 'sms', 'stop', now);
  return ids.length;
}

/** SMS START: lifts the STOP and restores SMS consent of the customers with that number. */
export async function smsStart(deps: ResolvedDeps, phone: string, now: Date): Promise<number> {
  const suppression = await getSuppression(deps.db, 'sms', phone);
  if (suppression?.reason === 'stop') await unsuppress(deps.db, 'sms', phone);
  const ids = await customerIdsByPhone(deps.db, phone);
  for (const id of ids) await optIn(deps, id, 'sms', ['stop'], now, 'start');
  return ids.length;
}

/**
 * An SMS reply that is no opt-out keyword: an `sms_received` event for each customer with that
 * number, so a journey can wait for e.g. "reply YES". `messageId` (the provider's id of the reply)
 * makes a repeated delivery of the same reply one event.
 */
export async function smsReply(deps: ResolvedDeps, phone: string, text: string, messageId: string | undefined, now: Date): Promise<void> {
  for (const customerId of await customerIdsByPhone(deps.db, phone)) {
    await ingestEvent(
      deps,
      { ...(messageId === undefined ? {} : { id: `sms:${messageId}:${customerId}`.slice(0, 128) }), type: 'sms_received', customerId, properties: { body: text.slice(0, 1600) } },
      now,
    );
  }
}
