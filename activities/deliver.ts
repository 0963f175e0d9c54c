import { hostname } from 'node:os';
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import type { Db } from 'mongodb';
import { capNote, capReason, effectiveTimezone, hasConsent } from '../journey/index.ts';
import { nextSendTime } from './send-days.ts';
import type { Channel, CustomerProfile } from '../journey/index.ts';
import { getCustomer } from '../store/customers.ts';
import { markMessageById, noteCapped, recordPendingMessage, releaseLease, renewLease, takeOverLease } from '../store/messages.ts';
import type { MessageDetails, MessageRecord, SendLease } from '../store/messages.ts';
import { getSuppression, suppress } from '../store/suppressions.ts';
import { capsOn, claimCapSlot } from './caps.ts';
import { faultPoint } from './fault.ts';
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
   * Asks the provider whether it holds the message of `key` (rendered as `message`) sent to `to`
   * since `since` (its id, or null), when the provider can tell: after an attempt died holding
   * the lease, before sending again.
   */
  lookup?(query: { key: string; to: string; message: M; since: number }): Promise<string | null>;
  /**
   * The provider's own send window for this message (e.g. Aliyun's 08:00–21:00 for promotional
   * SMS), in the customer's time zone: the earliest time it may go out. A later time defers the
   * send like quiet hours do.
   */
  notBefore?(message: M, timezone: string, now: number): number;
}

const settled: ReadonlySet<MessageRecord['status']> = new Set(['sent', 'delivered', 'opened', 'clicked']);

/** How long a send lease lasts without renewal; the holder renews it (and heartbeats) every third of it. */
export function sendLeaseMs(): number {
  const seconds = Number(process.env['WAYMARK_SEND_LEASE_SECONDS']);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 9_000;
}

/** Who holds a lease: this process and the Temporal attempt. */
function holderName(): string {
  const attempt = currentActivity()?.info.attempt;
  return `${hostname()}:${process.pid}${attempt === undefined ? '' : `:a${attempt}`}`.slice(0, 200);
}

function currentActivity(): Context | null {
  try {
    return Context.current();
  } catch {
    return null; // called outside an activity (unit tests, scripts)
  }
}

/** Another attempt holds the lease: retried with backoff (Temporal's retry policy). */
function leaseHeld(key: string, lease: SendLease | undefined): Error {
  return ApplicationFailure.retryable(`message ${key} is being sent by another attempt${lease ? ` (${lease.holder}, until ${lease.expiresAt})` : ''}`, 'LeaseHeld');
}

/**
 * Whether this is the last attempt Temporal will make: the next backoff would pass the
 * activity's schedule-to-close deadline. The row then ends `failed` with the error.
 */
function lastAttempt(maxBackoffMs: number): boolean {
  const info = currentActivity()?.info;
  if (info === undefined || !info.scheduleToCloseTimeoutMs) return false;
  return Date.now() + maxBackoffMs >= info.scheduledTimestampMs + info.scheduleToCloseTimeoutMs;
}

/**
 * Sends one email or SMS through the message ledger, exactly once per idempotency key:
 *
 * 1. the record is claimed (`pending`, an insert, holding the first lease); a settled record
 *    means a retry or replay: nothing is sent again; an ended one (`failed`, `suppressed`)
 *    fails again with its reason;
 * 2. a pending record from an earlier attempt: its lease must have expired (its holder died or
 *    gave up) — then this attempt takes it over, once, by an insert; while it is held, this
 *    attempt fails retryably and Temporal tries later;
 * 3. the profile is read fresh: no consent, no address or a suppressed address end the record
 *    (`suppressed`/`failed`, with the reason), and so does a template that does not render;
 * 4. quiet hours, send days (public holidays) and the provider's send window (Aliyun promotional
 *    SMS: 08:00–21:00) defer the send, releasing the lease; so do frequency caps shared across
 *    journeys, arbitrated by priority (`claimCapSlot`): the send waits, or with `onCap: skip`
 *    ends `failed` (`Capped`) and takes its failed exit;
 * 5. after a takeover whose previous holder may have handed the message over, the provider is
 *    asked first (`lookup`: the embedded inbox by `X-Waymark-Key`, Twilio by listing messages to
 *    the number since that lease, Aliyun by `QuerySendDetails` matched on `OutId`); a message it
 *    holds is recorded, not resent;
 * 6. the provider accepts the message, the local journal notes it at once, the record becomes
 *    `sent`. Permanent provider errors end the record with their reason (Twilio 21610 also
 *    suppresses the number); the last retry that fails ends it `failed`.
 *
 * While it runs the attempt renews its lease and heartbeats; cancelled (by Temporal, or a lease
 * lost) before the hand-over, it stops. What remains at-least-once is stated per channel in
 * ARCHITECTURE.md.
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
  const ttl = sendLeaseMs();
  const holder = holderName();
  const customer = await getCustomer(db, customerId);
  if (customer === null) throw permanent('CustomerNotFound', `customer ${customerId} no longer exists`);
  const to = sender.address(customer) ?? '-';
  // The claim comes first: an insert (fast everywhere) that holds the first lease.
  // Leases are about live processes: wall-clock times (activityNow() may run ahead in tests).
  const wall = Date.now();
  const first: SendLease = { attempt: 1, holder, since: new Date(wall).toISOString(), expiresAt: new Date(wall + ttl).toISOString() };
  // A capped journey's row is a claim on the customer's cap book, under the journey's priority.
  const cap = capsOn(request, sender.channel).length > 0 ? { cap: { journeyName: request.journeyName, ...(settings.priority ? { priority: settings.priority } : {}) } } : {};
  const { message: claim, created } = await recordPendingMessage(db, { key, channel: sender.channel, customerId, journeyId, templateId, to, lease: first, claimedAt: first.since, ...cap }, new Date(now));
  if (!created && settled.has(claim.status)) return { outcome: 'ok', duplicate: true };
  if (!created && claim.status !== 'pending') {
    throw permanent(claim.status === 'suppressed' ? 'Unsubscribed' : 'InvalidAddress', claim.error ?? `message ${key} ${claim.status}`);
  }
  // Accepted by the provider before this machine's worker died, not yet in the ledger: record.
  const accepted = created ? undefined : journal.accepted(key);
  if (accepted !== undefined) {
    await markMessageById(db, claim.id, 'sent', { providerId: accepted }, new Date(now));
    journal.settle(key);
    return { outcome: 'ok', duplicate: true };
  }
  let lease = first;
  // Whether the provider may hold the message already (an earlier holder's lease ran out).
  let unsure = false;
  if (!created) {
    const previous = claim.lease;
    if (previous !== undefined && Date.parse(previous.expiresAt) > Date.now()) throw leaseHeld(key, previous);
    const taken = await takeOverLease(db, claim, previous, holder, ttl, new Date());
    if (taken === null) throw leaseHeld(key, previous);
    lease = taken;
    unsure = previous?.released !== true;
  }
  const keeper = keepLease(db, claim.id, () => lease, ttl);
  try {
    return await deliverHeld(customer);
  } finally {
    keeper.stop();
  }

  async function deliverHeld(customer: CustomerProfile): Promise<ActionOutcome> {
    const release = (handedOver: boolean, until?: number) =>
      releaseLease(db, claim.id, lease, handedOver || unsure, new Date(), until === undefined ? undefined : new Date(until));
    const refuse = async (reason: PermanentReason, message: string): Promise<never> => {
      const status = reason === 'Unsubscribed' || reason === 'NoConsent' ? 'suppressed' : 'failed';
      await markMessageById(db, claim.id, status, { error: `${reason}: ${message}` }, new Date(activityNow()));
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
    const allowed = Math.max(nextSendTime(now, timezone, settings), sender.notBefore?.(message, timezone, now) ?? now);
    if (allowed > now) {
      await release(false, allowed);
      return { outcome: 'deferred', until: allowed };
    }
    const verdict = await claimCapSlot(db, { request, channel: sender.channel, claim, now });
    if (verdict.type === 'wait') {
      const skip = action.config.onCap === 'skip';
      // The row says why (the timeline shows it, the journey's stats count it).
      await noteCapped(db, claim.id, capNote(verdict, skip ? 'skipped' : 'waited', now), new Date(activityNow()));
      if (skip) throw permanent('Capped', capReason(verdict));
      await release(false, verdict.until);
      return { outcome: 'deferred', until: verdict.until };
    }

    // An earlier attempt died holding the lease: the provider may hold the message already.
    if (unsure && sender.lookup !== undefined) {
      const held = await sender.lookup({ key, to, message, since: lookupSince(claim) });
      if (held !== null) {
        await markMessageById(db, claim.id, 'sent', { providerId: held }, new Date(activityNow()));
        journal.settle(key);
        return { outcome: 'ok', duplicate: true };
      }
      unsure = false;
    }
    // The point of no return: only a live holder that was not cancelled hands the message over.
    keeper.check(key);
    journal.attempt(key);
    let sent: Awaited<ReturnType<ChannelSender<M>['send']>>;
    try {
      sent = await sender.send(message, to);
    } catch (error) {
      if (isPermanent(error)) {
        // Twilio 21610: the recipient replied STOP at the carrier; never try this number again.
        if (error.type === 'Unsubscribed') await suppress(db, { channel: sender.channel, address: to, reason: 'stop', customerId }, new Date(activityNow()));
        return refuse(error.type as PermanentReason, error.message);
      }
      if (lastAttempt(maxBackoffMs)) return refuse('GaveUp', `no retries left: ${error instanceof Error ? error.message : String(error)}`);
      await release(true);
      throw error;
    }
    journal.record(key, sent.providerId);
    faultPoint(sender.channel);
    await markMessageById(db, claim.id, 'sent', { providerId: sent.providerId, details: sent.details }, new Date(activityNow()));
    journal.settle(key);
    return { outcome: 'ok' };
  }
}

/**
 * Since when the provider may hold an earlier attempt's message: the record's first claim, on the
 * wall clock (its `createdAt` follows the Temporal server's clock, which may run ahead: hours
 * ahead on a time-skipping test server), a minute early for the provider's clock.
 */
export function lookupSince(claim: Pick<MessageRecord, 'createdAt' | 'claimedAt'>): number {
  return Math.min(Date.parse(claim.createdAt), Date.parse(claim.claimedAt ?? claim.createdAt)) - 60_000;
}

/** The sends' longest retry interval (workflows/journey.ts), to tell the last attempt. */
const maxBackoffMs = 10 * 60_000;

/**
 * Renews the lease and heartbeats every third of its lifetime while the attempt runs. `check`
 * throws when the lease is lost or about to run out, or Temporal cancelled the attempt (its
 * heartbeat timed out, the run was cancelled): such an attempt must not hand anything over.
 */
function keepLease(db: Db, id: string, lease: () => SendLease, ttl: number) {
  const context = currentActivity();
  let validUntil = Date.parse(lease().expiresAt);
  let lost = false;
  const timer = setInterval(() => {
    try {
      context?.heartbeat();
    } catch {
      // heartbeating is best effort; the lease is what guards the send
    }
    const at = Date.now();
    renewLease(db, id, lease(), ttl, new Date(at)).then(
      (kept) => {
        if (kept) validUntil = at + ttl;
        else lost = true;
      },
      () => undefined, // the database hiccupped: the lease runs out unless a later renewal lands
    );
  }, Math.max(100, Math.floor(ttl / 3)));
  timer.unref();
  return {
    check(key: string): void {
      if (context?.cancellationSignal.aborted) throw new CancelledFailure(`send of ${key} cancelled before the hand-over`);
      // A margin of a third of the lease: the hand-over itself must fit inside it.
      if (lost || Date.now() > validUntil - ttl / 3) throw leaseHeld(key, undefined);
    },
    stop: () => clearInterval(timer),
  };
}
