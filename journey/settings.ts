import { z } from 'zod';
import { Channel } from './customer.ts';
import { EventType } from './event.ts';
import { Condition, PropertyFilter } from './condition.ts';
import { DAY, LocalTime } from './time.ts';

/** Reaching the goal event within `windowDays` of entry exits the customer from any step and counts a conversion. */
export const Goal = z.object({
  eventType: EventType,
  filter: z.array(PropertyFilter).default([]),
  windowDays: z.number().positive().max(3650),
});
export type Goal = z.infer<typeof Goal>;

/** Whether a customer may enter the journey again: never, once the last run ended, or after a cooldown. */
export const ReEntry = z.discriminatedUnion('policy', [
  z.object({ policy: z.literal('never') }),
  z.object({ policy: z.literal('afterExit') }),
  z.object({ policy: z.literal('cooldown'), cooldownDays: z.number().positive() }),
]);
export type ReEntry = z.infer<typeof ReEntry>;

/**
 * Whether a customer may enter again, given their previous run of this journey (`null` if none).
 * The workflow layer maps this onto workflow-id reuse; the API uses it to explain refusals.
 *
 * @example reEntryAllowed({ policy: 'cooldown', cooldownDays: 30 }, { running: false, endedAt }, now)
 */
export function reEntryAllowed(reEntry: ReEntry, previous: { running: boolean; endedAt?: number } | null, now: number): boolean {
  if (previous === null) return true;
  switch (reEntry.policy) {
    case 'never':
      return false;
    case 'afterExit':
      return !previous.running;
    case 'cooldown':
      return !previous.running && previous.endedAt !== undefined && now >= previous.endedAt + reEntry.cooldownDays * DAY;
  }
}

/** No email or SMS between `start` and `end`, in the customer's local time; sends wait until `end`. */
export const QuietHours = z.object({ start: LocalTime, end: LocalTime });
export type QuietHours = z.infer<typeof QuietHours>;

/**
 * The days email and SMS may go out, by mainland China's official calendar (法定节假日 and the
 * 调休 make-up working days the State Council publishes each year): `workingDays` — Monday to
 * Friday except public holidays, plus make-up working Saturdays and Sundays; `notOnPublicHolidays`
 * — any day but a public holiday. Left out: every day. A send on another day waits until the
 * next allowed day (after quiet hours, if it begins inside them), never dropped.
 */
export const SendDays = z.enum(['workingDays', 'notOnPublicHolidays']);
export type SendDays = z.infer<typeof SendDays>;

/** At most `max` messages on `channel` per customer in any `periodHours`, across all journeys. */
export const FrequencyCap = z.object({
  channel: Channel,
  max: z.number().int().positive(),
  periodHours: z.number().positive(),
});
export type FrequencyCap = z.infer<typeof FrequencyCap>;

/**
 * How much a journey's messages matter when frequency caps are shared: when a send would break a
 * cap, the higher-priority journey's message goes and the lower one waits or skips (`onCap`).
 */
export const JourneyPriority = z.enum(['low', 'normal', 'high', 'critical']);
export type JourneyPriority = z.infer<typeof JourneyPriority>;

/** A priority's rank: a higher number goes first. */
export function priorityRank(priority: JourneyPriority | undefined): number {
  return JourneyPriority.options.indexOf(priority ?? 'normal');
}

export const JourneySettings = z.object({
  /** Locale every message template must have; customers whose locale is missing get this one. */
  defaultLocale: z.string().min(2).max(35).default('en'),
  /** Used when a customer has no valid timezone of their own. */
  timezone: z.string().min(1).max(64).default('UTC'),
  goal: Goal.optional(),
  reEntry: ReEntry.default({ policy: 'never' }),
  quietHours: QuietHours.optional(),
  sendDays: SendDays.optional(),
  frequencyCaps: z.array(FrequencyCap).default([]),
  /** Which journey's message goes first when a shared frequency cap has room for one only (left out: normal). */
  priority: JourneyPriority.optional(),
  /** Only customers matching this condition when they would enter actually enter. */
  audienceFilter: Condition.optional(),
});
export type JourneySettings = z.infer<typeof JourneySettings>;
