import { z } from 'zod';
import { Customer } from './customers.ts';
import { Coupon } from './coupons.ts';
import { StoredEvent } from './events.ts';
import { Message } from './messages.ts';
import { JourneyRun } from './runs.ts';
import { Task } from './tasks.ts';

/**
 * Read models of the operations console: one customer's timeline (events, journey steps,
 * messages, coupons and tasks merged, newest first) and the context of a CS task.
 */

/** A step of a journey, named as the marketer named it on the canvas. */
export const JourneyStepRef = z
  .object({
    journeyId: z.string(),
    journeyName: z.string(),
    version: z.number().int().positive(),
    nodeId: z.string(),
    /** The step's label on the canvas; absent when the version is gone or the step unnamed. */
    label: z.string().optional(),
    kind: z.string().optional(),
  })
  .meta({ id: 'JourneyStepRef' });
export type JourneyStepRef = z.infer<typeof JourneyStepRef>;

export const TimelineEntry = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('event'), at: z.iso.datetime(), event: StoredEvent }),
    z.object({ kind: z.literal('step'), at: z.iso.datetime(), step: JourneyStepRef, exit: z.string().optional() }),
    z.object({ kind: z.literal('message'), at: z.iso.datetime(), message: Message }),
    z.object({ kind: z.literal('coupon'), at: z.iso.datetime(), coupon: Coupon }),
    z.object({ kind: z.literal('task'), at: z.iso.datetime(), task: Task }),
  ])
  .meta({ id: 'TimelineEntry' });
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const TimelineQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(200).describe('Most recent entries to return (1–1000).'),
});

export const Timeline = z
  .object({
    customerId: z.string(),
    /** Newest first. */
    entries: z.array(TimelineEntry),
    /** True when older entries were left out (raise `limit` to see them). */
    truncated: z.boolean(),
  })
  .meta({ id: 'Timeline' });
export type Timeline = z.infer<typeof Timeline>;

/** A CS task with what the agent needs before calling: the customer, where the task came from, the coupon sent. */
export const TaskContext = z
  .object({
    task: Task,
    /** Null when the customer was erased since. */
    customer: Customer.nullable(),
    /** The journey step that opened the task; null for tasks opened outside a journey. */
    step: JourneyStepRef.nullable(),
    /** The latest coupon the same journey issued to the customer before the task. */
    coupon: Coupon.nullable(),
    /** The customer's run of that journey, if any. */
    run: JourneyRun.nullable(),
  })
  .meta({ id: 'TaskContext' });
export type TaskContext = z.infer<typeof TaskContext>;
