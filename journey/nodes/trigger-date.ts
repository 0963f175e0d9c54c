import { z } from 'zod';
import type { CustomerProfile } from '../customer.ts';
import { LocalTime, minutesOfDay } from '../time.ts';
import { effectiveTimezone } from '../timezone.ts';
import type { LunarCalendar } from '../lunar.ts';
import { anniversaryOf, instantAround } from './dates.ts';
import { defineNode, triggerExits } from './spec.ts';

export const DateTriggerConfig = z.object({
  /**
   * A yearly date: `birthday`, `createdAt` (sign-up anniversary) or a custom date attribute,
   * solar (`YYYY-MM-DD`) or lunar (`lunar-MM-DD`, e.g. a 农历生日: entered in every lunar year).
   */
  attribute: z.string().min(1).max(64).default('birthday'),
  /** Days relative to the date: -3 enters three days before the birthday. */
  offsetDays: z.number().int().min(-60).max(60).default(0),
  localTime: LocalTime.default('09:00'),
});
export type DateTriggerConfig = z.infer<typeof DateTriggerConfig>;

/**
 * When a customer enters a date-triggered journey in a given year, in their timezone; `null`
 * when they have no such date. The daily sweep starts a run for every customer whose entry
 * time fell since the previous sweep (one run per customer per year). For a lunar date, `year`
 * is the lunar year (a 12th-month birthday of lunar 2025 falls in January 2026) and `calendar`
 * converts it; without a calendar a lunar date has no entry time.
 *
 * @example dateTriggerTime({ attribute: 'birthday', offsetDays: -3, localTime: '10:00' }, customer, 2025, 'UTC')
 */
export function dateTriggerTime(config: DateTriggerConfig, customer: CustomerProfile, year: number, fallbackTimezone: string, calendar?: LunarCalendar): number | null {
  const date = anniversaryOf(customer, config.attribute, year, calendar);
  if (!date) return null;
  const timezone = effectiveTimezone(customer.timezone, fallbackTimezone);
  return instantAround(date, config.offsetDays, minutesOfDay(config.localTime), timezone);
}

/** Entry every year around a date attribute such as the birthday, at a local time. */
export const dateTrigger = defineNode(DateTriggerConfig)({
  kind: 'date',
  displayName: 'On a yearly date',
  description: 'Starts the journey every year around a date such as the birthday, at a local time.',
  category: 'trigger',
  defaults: () => ({ attribute: 'birthday', offsetDays: -3, localTime: '10:00' }),
  exits: () => triggerExits,
  summary: (c) => {
    const when = c.offsetDays === 0 ? 'On' : `${Math.abs(c.offsetDays)} days ${c.offsetDays < 0 ? 'before' : 'after'}`;
    return `${when} ${c.attribute} at ${c.localTime}`;
  },
  check(c, ctx) {
    ctx.checkAttribute(c.attribute, 'attribute', 'date');
  },
  enter: () => ({ type: 'follow', exit: 'next' }),
});
