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

/** Content types `POST /events/import` takes: JSON lines, one `EventInput` per line. */
export const eventImportTypes = ['application/x-ndjson', 'application/jsonl'] as const;

/** One problem with one line of an event import: the line, the field at fault (if one is) and why. */
export const EventImportError = z
  .object({
    line: z.number().int().positive(),
    /** Where in the line's event, e.g. `properties.amount`; absent when the whole line is at fault (not JSON, too long). */
    path: z.string().optional(),
    message: z.string(),
  })
  .meta({ id: 'EventImportError' });
export type EventImportError = z.infer<typeof EventImportError>;

/** What the lifecycle recompute at the end of an import did. */
export const EventImportRecompute = z
  .object({
    /** Customers scored. */
    customers: z.number().int().nonnegative(),
    /** Customers whose stored fields changed. */
    updated: z.number().int().nonnegative(),
    /** Lifecycle change events recorded (stage, RFM cell, segment entered or left). */
    events: z.number().int().nonnegative(),
    /** Journey runs those change events started (e.g. win-back for customers dormant now). */
    started: z.number().int().nonnegative(),
    /** Running journey runs those change events were signalled to. */
    signalled: z.number().int().nonnegative(),
  })
  .meta({ id: 'EventImportRecompute' });

/** What an event import did: counts per line, the first rejected lines, the recompute. */
export const EventImportReport = z
  .object({
    /** Lines read, blank ones included (line numbers count them too). */
    lines: z.number().int().nonnegative(),
    /** New events stored and applied. */
    accepted: z.number().int().nonnegative(),
    /** Events whose `id` the same customer had sent before: ignored. */
    duplicates: z.number().int().nonnegative(),
    /** Lines rejected (not JSON, not a valid event). */
    rejected: z.number().int().nonnegative(),
    /** Accepted events with a stage left undone (a storage hiccup): the background sweeper finishes them. */
    unfinished: z.number().int().nonnegative(),
    /** The first 1,000 problems, in line order. */
    errors: z.array(EventImportError),
    /** True when there were more problems than `errors` lists. */
    errorsTruncated: z.boolean(),
    /** The lifecycle recompute run once at the end; null when no new event was accepted (nothing to recompute). */
    recompute: EventImportRecompute.nullable(),
  })
  .meta({ id: 'EventImportReport' });
export type EventImportReport = z.infer<typeof EventImportReport>;
