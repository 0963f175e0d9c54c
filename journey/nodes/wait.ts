import { z } from 'zod';
import { DAY, Duration, LocalTime, Weekday, describeDuration, durationMs, minutesOfDay, weekdays } from '../time.ts';
import { effectiveTimezone, localParts, nextWindowTime } from '../timezone.ts';
import { anniversary, heldLunarAnniversaries, instantAround, readDate } from './dates.ts';
import type { NodeOutcome, RunContext } from './spec.ts';
import { defineNode } from './spec.ts';

export const WaitConfig = z.discriminatedUnion('mode', [
  /** Wait a fixed time, e.g. 7 days. */
  z.object({ mode: z.literal('duration'), duration: Duration }),
  /** Wait until the customer's local time is inside a daily window on one of the given weekdays. */
  z.object({
    mode: z.literal('timeWindow'),
    from: LocalTime,
    to: LocalTime,
    days: z.array(Weekday).default([...weekdays]),
    /** Use this timezone instead of the customer's (e.g. the shop's opening hours). */
    timezone: z.string().min(1).max(64).optional(),
  }),
  /** Wait until a date attribute (e.g. the birthday, or a lunar `lunar-MM-DD` one) plus `offsetDays`, at a local time. */
  z.object({
    mode: z.literal('dateAttribute'),
    attribute: z.string().min(1).max(64).default('birthday'),
    offsetDays: z.number().int().min(-366).max(366).default(0),
    localTime: LocalTime.default('09:00'),
    /** Use the nearest anniversary (birthdays) rather than the literal date. */
    yearly: z.boolean().default(true),
  }),
]);
export type WaitConfig = z.infer<typeof WaitConfig>;

function nearest(candidates: number[], now: number): number | null {
  return candidates.reduce<number | null>((best, t) => (best === null || Math.abs(t - now) < Math.abs(best - now) ? t : best), null);
}

function dateTarget(config: Extract<WaitConfig, { mode: 'dateAttribute' }>, ctx: RunContext, timezone: string): number | null {
  const minutes = minutesOfDay(config.localTime);
  // A lunar date (农历) is yearly by nature: the nearest of the solar dates the run holds for it.
  const lunar = heldLunarAnniversaries(ctx.state.customer, config.attribute);
  if (lunar !== null) return nearest(lunar.map((d) => instantAround(d, config.offsetDays, minutes, timezone)), ctx.now);
  const date = readDate(ctx.state.customer, config.attribute);
  if (!date) return null;
  if (!config.yearly) return instantAround(date, config.offsetDays, minutes, timezone);
  const year = localParts(ctx.now, timezone).year;
  // The anniversary nearest to now: just after a birthday we continue rather than wait a year.
  return nearest([year - 1, year, year + 1].map((y) => instantAround(anniversary(date, y), config.offsetDays, minutes, timezone)), ctx.now);
}

function target(config: WaitConfig, ctx: RunContext): number | null {
  const settings = ctx.definition.settings;
  switch (config.mode) {
    case 'duration':
      return ctx.now + durationMs(config.duration);
    case 'timeWindow': {
      const timezone = effectiveTimezone(config.timezone ?? ctx.state.customer.timezone, settings.timezone);
      return nextWindowTime(ctx.now, timezone, config);
    }
    case 'dateAttribute':
      return dateTarget(config, ctx, effectiveTimezone(ctx.state.customer.timezone, settings.timezone));
  }
}

function enter(config: WaitConfig, ctx: RunContext): NodeOutcome {
  const until = target(config, ctx);
  // Already inside the window, a date in the past, or no date at all: nothing to wait for.
  if (until === null || until <= ctx.now) return { type: 'follow', exit: 'next' };
  return { type: 'block', command: { type: 'wait', nodeId: ctx.nodeId, until, reason: config.mode } };
}

/** Pauses the customer: for a duration, until a local time window, or until a date such as the birthday. */
export const waitNode = defineNode(WaitConfig)({
  kind: 'wait',
  displayName: 'Wait',
  description: 'Pauses for a time, until a local time window, or until a date such as the birthday.',
  category: 'flow',
  defaults: () => ({ mode: 'duration', duration: { amount: 1, unit: 'days' } }),
  exits: () => [{ id: 'next', label: 'then' }],
  summary: (c) => {
    switch (c.mode) {
      case 'duration':
        return `Wait ${describeDuration(c.duration)}`;
      case 'timeWindow':
        return `Wait until ${c.from}–${c.to}${c.days.length < 7 ? ` on ${c.days.join(', ')}` : ''}`;
      case 'dateAttribute':
        return `Wait until ${c.offsetDays === 0 ? '' : `${c.offsetDays} days from `}${c.attribute} at ${c.localTime}`;
    }
  },
  pauses: (c) => c.mode === 'duration' && durationMs(c.duration) > 0,
  check(c, ctx) {
    switch (c.mode) {
      case 'duration':
        if (!(durationMs(c.duration) > 0)) {
          ctx.error('WAIT_NOT_POSITIVE', `${ctx.name} waits ${describeDuration(c.duration)}: enter a wait longer than zero.`, { path: 'duration.amount' });
        } else if (durationMs(c.duration) > 3650 * DAY) {
          ctx.error('WAIT_NOT_POSITIVE', `${ctx.name} waits more than ten years: enter a shorter wait.`, { path: 'duration.amount' });
        }
        return;
      case 'timeWindow':
        if (c.days.length === 0) ctx.error('WAIT_NO_DAYS', `${ctx.name} has no weekday selected: pick at least one day.`, { path: 'days' });
        if (c.timezone !== undefined) ctx.checkTimezone(c.timezone, 'timezone');
        return;
      case 'dateAttribute':
        ctx.checkAttribute(c.attribute, 'attribute', 'date');
        return;
    }
  },
  enter,
  resume: (_c, _ctx, input) => (input.type === 'timerFired' ? { type: 'follow', exit: 'next' } : { type: 'ignore' }),
});
