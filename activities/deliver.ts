import type { Db } from 'mongodb';
import { effectiveTimezone, hasConsent, nextAllowedTime } from '../journey/index.ts';
import type { Channel, CustomerProfile, FrequencyCap } from '../journey/index.ts';
import { getCustomer } from '../store/customers.ts';
import { markMessageById, messageTimesBefore, recordPendingMessage } from '../store/messages.ts';
import type { MessageDetails, MessageRecord } from '../store/messages.ts';
import { getSuppression } from '../store/suppressions.ts';
import { activityNow } from './clock.ts';
import { isPermanent, permanent } from './errors.ts';
import type { SendJournal } from './send-journal.ts';
import type { PermanentReason } from './errors.ts';
import type { ActionOutcome, ActionRequest } from './types.ts';

/** One channel's part of a send: who to, what to say, and how to hand it to the provider. */
export interface ChannelSender<M> {
  channel: Channel;
  /** The customer's address on this channel, or undefined when they have none. */
  address(customer: CustomerProfile): string | undefined;
  /** Loads and renders the template for this customer; throws permanent errors. */
  prepare(customer: CustomerProfile, now: number): Promise<M>;
  /** Hands the message to the provider; throws classified errors. Returns the provider's id. */
  send(message: M, to: string): Promise<{ providerId: string; details?: MessageDetails }>;
  /**
   * Asks the provider whether it holds the message of `key` sent to `to` (its id, or null), when
   * the provider can tell: after a worker died mid-send, before sending again.
   */
  lookup?(key: string, to: string): Promise<string | null>;
}

const settled: ReadonlySet<MessageRecord['status']> = new Set(['sent', 'delivered', 'opened', 'clicked']);

/**
 * Sends one email or SMS through the message ledger, exactly once per idempotency key:
 *
 * 1. the record is claimed (`pending`, an insert); a settled record means a retry or replay:
 *    nothing is sent again;
 * 2. the profile is read fresh: no consent, no address or a suppressed address fail for good,
 *    and so does a template that does not render (the record says why);
 * 3. quiet hours (checked again at send time, after any retries) defer the send;
 * 4. frequency caps across all journeys are counted among messages claimed before this one;
 *    over the cap, the send is deferred until a slot frees up, keeping its claim (first come,
 *    first served);
 * 5. the provider accepts the message, the local send journal notes it at once, and the record
 *    becomes `sent`.
 *
 * The local send journal notes each hand-over before it and each acceptance right after it. A
 * worker killed between the provider's answer and the ledger write finds the acceptance on
 * retry and records instead of resending; one killed while the provider was answering finds
 * only the attempt, and asks the provider (`lookup`) when it can tell. What remains
 * at-least-once: that second case with a provider that cannot be asked, and a retry on another
 * machine within the ledger write's few milliseconds.
 */
export async function deliver<M>(
  db: Db,
  journal: SendJournal,
  request: ActionRequest<'email'> | ActionRequest<'sms'>,
  sender: ChannelSender<M>,
): Promise<ActionOutcome> {
  const { action, customerId, journeyId, settings } = request;
  const key = action.idempotencyKey;
  const templateId = action.config.templateId;
  const now = activityNow();
  const customer = await getCustomer(db, customerId);
  if (customer === null) throw permanent('CustomerNotFound', `customer ${customerId} no longer exists`);
  const to = sender.address(customer) ?? '-';
  // The claim comes first: an insert (fast everywhere); a retry or replay finds the record.
  const { message: claim, created } = await recordPendingMessage(db, { key, channel: sender.channel, customerId, journeyId, templateId, to }, new Date(now));
  if (!created && settled.has(claim.status)) return { outcome: 'ok', duplicate: true };
  // Accepted by the provider before the worker died, not yet in the ledger: record, do not resend.
  const accepted = created ? undefined : journal.accepted(key);
  if (accepted !== undefined) {
    await markMessageById(db, claim.id, 'sent', { providerId: accepted }, new Date(now));
    journal.settle(key);
    return { outcome: 'ok', duplicate: true };
  }
  if (!created && claim.status !== 'pending') {
    throw permanent(claim.status === 'suppressed' ? 'Unsubscribed' : 'InvalidAddress', claim.error ?? `message ${key} ${claim.status}`);
  }
  const refuse = async (reason: PermanentReason, message: string): Promise<never> => {
    const status = reason === 'Unsubscribed' || reason === 'NoConsent' ? 'suppressed' : 'failed';
    await markMessageById(db, claim.id, status, { error: `${reason}: ${message}` }, new Date(now));
    throw permanent(reason, message);
  };
  if (to === '-') return refuse('MissingContact', `customer ${customerId} has no ${sender.channel === 'email' ? 'email address' : 'phone number'}`);
  if (!hasConsent(customer, sender.channel)) return refuse('NoConsent', `customer ${customerId} has not consented to ${sender.channel}`);
  if ((await getSuppression(db, sender.channel, to)) !== null) return refuse('Unsubscribed', `${to} is suppressed on ${sender.channel}`);
  let message: M;
  try {
    message = await sender.prepare(customer, now);
  } catch (error) {
    if (isPermanent(error)) return refuse('TemplateError', error.message);
    throw error;
  }

  const timezone = effectiveTimezone(customer.timezone, settings.timezone);
  const allowed = nextAllowedTime(now, timezone, settings.quietHours);
  if (allowed > now) return { outcome: 'deferred', until: allowed };
  const capped = await capDeferral(db, { customerId, channel: sender.channel, caps: settings.frequencyCaps, now, claim });
  if (capped !== null) return { outcome: 'deferred', until: capped };

  // An earlier attempt died without an answer: the provider may hold the message already.
  if (!created && journal.attempted(key) && sender.lookup !== undefined) {
    const held = await sender.lookup(key, to);
    if (held !== null) {
      await markMessageById(db, claim.id, 'sent', { providerId: held }, new Date(activityNow()));
      journal.settle(key);
      return { outcome: 'ok', duplicate: true };
    }
  }
  journal.attempt(key);
  const sent = await sender.send(message, to);
  journal.record(key, sent.providerId);
  await markMessageById(db, claim.id, 'sent', { providerId: sent.providerId, details: sent.details }, new Date(activityNow()));
  journal.settle(key);
  return { outcome: 'ok' };
}

/** When the earliest cap on this channel frees a slot, or null when every cap has room. */
async function capDeferral(
  db: Db,
  input: { customerId: string; channel: Channel; caps: readonly FrequencyCap[]; now: number; claim: MessageRecord },
): Promise<number | null> {
  let until: number | null = null;
  for (const cap of input.caps) {
    if (cap.channel !== input.channel) continue;
    const period = cap.periodHours * 3_600_000;
    const times = await messageTimesBefore(db, {
      customerId: input.customerId,
      channel: input.channel,
      since: new Date(input.now - period),
      before: { createdAt: input.claim.createdAt, key: input.claim.key },
    });
    if (times.length < cap.max) continue;
    // The slot frees when the message `max` places back leaves the window.
    const freeing = times[times.length - cap.max];
    const at = (freeing === undefined ? input.now : Date.parse(freeing)) + period;
    until = Math.max(until ?? 0, at);
  }
  return until;
}
