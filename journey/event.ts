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
