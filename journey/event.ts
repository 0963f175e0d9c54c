import { z } from 'zod';
import { AttributeValue, CustomerId } from './customer.ts';

/**
 * A customer event (a purchase, a login, a click, a stage change). Events drive entry
 * triggers, `waitForEvent` nodes and goals.
 */
export const EventType = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9_.]*$/, 'use lower_snake_case, e.g. order_completed');

export const CustomerEvent = z.object({
  /** Optional idempotency id chosen by the sender: the same id is accepted once. */
  id: z.string().min(1).max(128).optional(),
  type: EventType,
  customerId: CustomerId,
  /** ISO 8601 time the event happened; defaults to the time it was received. */
  at: z.iso.datetime({ offset: true }),
  properties: z.record(z.string(), AttributeValue).default({}),
});
export type CustomerEvent = z.infer<typeof CustomerEvent>;

/**
 * An event as Waymark keeps it: the sender's id (or one Waymark made up) and when it was
 * received. The pipeline, the store, the API's responses and the workflow signals all derive
 * their shape from this one schema.
 */
export const StoredEvent = CustomerEvent.extend({ id: z.string().min(1).max(128), receivedAt: z.iso.datetime() });
export type StoredEvent = z.infer<typeof StoredEvent>;

/**
 * The key an event is stored and de-duplicated under: an event id is unique per customer, so
 * the same id from two customers is two events. Length-prefixed, so no two pairs collide.
 *
 * @example eventKey('c-42', 'order-1') // '4:c-42:order-1'
 */
export function eventKey(customerId: string, id: string): string {
  return `${customerId.length}:${customerId}:${id}`;
}

/**
 * Properties the lifecycle reads, checked where an event comes in: a purchase's `amount` and
 * a survey's `score` must be numbers, or the event would count as nothing. Returns problems
 * with the property's path (`properties.amount`), empty when the event is fine.
 */
export function lifecyclePropertyIssues(event: { type: string; properties?: Record<string, unknown> | undefined }): Array<{ path: string[]; message: string }> {
  const issues: Array<{ path: string[]; message: string }> = [];
  const properties = event.properties ?? {};
  const numberAt = (name: string, min: number, max: number, integer: boolean) => {
    const value = properties[name];
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isFinite(value)) issues.push({ path: ['properties', name], message: `${event.type}.${name} must be a number, not ${JSON.stringify(value)}` });
    else if (value < min || value > max || (integer && !Number.isInteger(value))) issues.push({ path: ['properties', name], message: `${event.type}.${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}` });
  };
  if (event.type === 'order_completed') numberAt('amount', 0, 1e12, false);
  if (event.type === 'survey_answered') {
    const survey = properties['survey'];
    if (survey !== undefined && typeof survey !== 'string') issues.push({ path: ['properties', 'survey'], message: 'survey_answered.survey must be "nps" or "csat"' });
    numberAt('score', 0, survey === 'csat' ? 5 : 10, true);
  }
  return issues;
}

/** Events Waymark itself knows the meaning of. Journeys may use any other type too. */
export const wellKnownEvents = [
  'signed_up',
  'order_completed',
  'login',
  'email_opened',
  'email_clicked',
  'coupon_redeemed',
  'survey_answered',
  'task_completed',
  'stage_changed',
  'rfm_changed',
  'segment_entered',
  'segment_left',
  'unsubscribed',
] as const;
