import { z } from 'zod';
import { CustomerEvent } from '../../journey/event.ts';
import { PageQuery, pageOf } from './common.ts';

/** An event as sent: `at` may be left out (the time it is received). */
export const EventInput = CustomerEvent.extend({ at: CustomerEvent.shape.at.optional() })
  .strict()
  .meta({ id: 'EventInput' });
export type EventInput = z.infer<typeof EventInput>;

export const maxBatch = 1000;

/** `POST /events`: one event, or `{ events: [...] }` with up to 1,000. */
export const EventBody = z.union([
  EventInput,
  z.strictObject({ events: z.array(EventInput).min(1).max(maxBatch) }).meta({ id: 'EventBatch' }),
]);
export type EventBody = z.infer<typeof EventBody>;

/** A stored event. */
export const StoredEvent = CustomerEvent.extend({ id: z.string(), receivedAt: z.iso.datetime() }).meta({ id: 'Event' });

/** What happened to each event, in the order sent. */
export const EventAck = z
  .object({
    accepted: z.number().int().nonnegative(),
    duplicates: z.number().int().nonnegative(),
    results: z.array(z.object({ id: z.string(), duplicate: z.boolean() })),
  })
  .meta({ id: 'EventAck' });

export const EventQuery = PageQuery.extend({
  customerId: CustomerEvent.shape.customerId.optional(),
  type: CustomerEvent.shape.type.optional(),
});

export const EventPage = pageOf(StoredEvent).meta({ id: 'EventPage' });
