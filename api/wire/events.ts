import { z } from 'zod';
import { CustomerEvent, lifecyclePropertyIssues, StoredEvent as StoredEventSchema } from '../../journey/event.ts';
import { PageQuery, pageOf, QueryBoolean } from './common.ts';

/**
 * An event as sent: `at` may be left out (the time it is received). Properties the lifecycle
 * reads are checked (`order_completed.amount` a number, `survey_answered.score` in range).
 */
export const EventInput = CustomerEvent.extend({ at: CustomerEvent.shape.at.optional() })
  .strict()
  .superRefine((event, ctx) => {
    for (const issue of lifecyclePropertyIssues(event)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  })
  .meta({ id: 'EventInput' });
export type EventInput = z.infer<typeof EventInput>;

export const maxBatch = 1000;

/** `POST /events`: one event, or `{ events: [...] }` with up to 1,000. */
export const EventBody = z.union([
  EventInput,
  z.strictObject({ events: z.array(EventInput).min(1).max(maxBatch) }).meta({ id: 'EventBatch' }),
]);
export type EventBody = z.infer<typeof EventBody>;

/** A stored event (the pipeline's one schema). */
export const StoredEvent = StoredEventSchema.meta({ id: 'Event' });

/** `POST /events?wait=true` answers once every stage ran, not once the events are stored. */
export const EventPostQuery = z.strictObject({
  wait: QueryBoolean.optional().describe(
    'true: answer once every event was folded into its profile, rescored and routed to journeys (for scripts and tests); default: once stored.',
  ),
});

/** What happened to each event, in the order sent. */
export const EventAck = z
  .object({
    accepted: z.number().int().nonnegative(),
    duplicates: z.number().int().nonnegative(),
    results: z.array(
      z.object({
        id: z.string(),
        duplicate: z.boolean(),
        /** Every stage (profile, lifecycle, journeys) was done when the answer left. */
        finished: z.boolean(),
      }),
    ),
  })
  .meta({ id: 'EventAck' });

export const EventQuery = PageQuery.extend({
  customerId: CustomerEvent.shape.customerId.optional(),
  type: CustomerEvent.shape.type.optional(),
});

export const EventPage = pageOf(StoredEvent).meta({ id: 'EventPage' });
