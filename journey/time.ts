import { z } from 'zod';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const DurationUnit = z.enum(['minutes', 'hours', 'days', 'weeks']);
export type DurationUnit = z.infer<typeof DurationUnit>;

/**
 * A length of time as a marketer enters it. `amount` is not constrained here on purpose: the
 * compiler reports a non-positive amount on the node, in words, instead of a schema error.
 */
export const Duration = z.object({ amount: z.number(), unit: DurationUnit });
export type Duration = z.infer<typeof Duration>;

const unitMs: Record<DurationUnit, number> = { minutes: MINUTE, hours: HOUR, days: DAY, weeks: 7 * DAY };

/** Milliseconds in a duration, e.g. `durationMs({ amount: 7, unit: 'days' })` → 604800000. */
export function durationMs(duration: Duration): number {
  return duration.amount * unitMs[duration.unit];
}

/** Reads a duration back as "7 days". */
export function describeDuration(duration: Duration): string {
  const unit = duration.amount === 1 ? duration.unit.slice(0, -1) : duration.unit;
  return `${duration.amount} ${unit}`;
}

/** A wall-clock time in 24-hour `HH:MM`, e.g. `09:30`. */
export const LocalTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use 24-hour HH:MM, e.g. 09:30');
export type LocalTime = z.infer<typeof LocalTime>;

/** Minutes since midnight of a `HH:MM` time: `minutesOfDay('09:30')` → 570. */
export function minutesOfDay(time: string): number {
  const [h = '0', m = '0'] = time.split(':');
  return Number(h) * 60 + Number(m);
}

export const Weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
export type Weekday = z.infer<typeof Weekday>;
export const weekdays: readonly Weekday[] = Weekday.options;
