import { z } from 'zod';
import { PropertyFilter, eventMatches } from '../condition.ts';
import { EventType } from '../event.ts';
import { defineNode, triggerExits } from './spec.ts';

export const EventTriggerConfig = z.object({
  eventType: EventType,
  filter: z.array(PropertyFilter).default([]),
  /**
   * How old an event may be and still start the journey (hours between when it happened and
   * when Waymark routes it; 24 when left out). Older events, such as a history import, are
   * stored and folded into the profile but start nothing.
   */
  maxAgeHours: z.number().positive().max(24 * 366).optional(),
});
export type EventTriggerConfig = z.infer<typeof EventTriggerConfig>;

/** Entry when the customer performs an event (e.g. `signed_up`), optionally filtered by its properties. */
export const eventTrigger = defineNode(EventTriggerConfig)({
  kind: 'event',
  displayName: 'When an event happens',
  description: 'Starts the journey when a customer does something, such as signing up or ordering.',
  category: 'trigger',
  defaults: () => ({ eventType: 'signed_up', filter: [] }),
  exits: () => triggerExits,
  summary: (c) => `When ${c.eventType}${c.filter.length > 0 ? ` (${c.filter.length} filter${c.filter.length > 1 ? 's' : ''})` : ''}`,
  check(c, ctx) {
    ctx.checkEvent(c.eventType, 'eventType');
  },
  enter: () => ({ type: 'follow', exit: 'next' }),
  trigger: {
    routes: (c) => ({ eventType: c.eventType }),
    // The type, property filters and entry window (a history import starts nothing).
    enters: (c, event, now) => eventMatches(c.eventType, c.filter, event) && eventIsFresh(c, Date.parse(event.at), now),
  },
});

/** An event trigger's entry window when the journey does not set one. */
export const defaultMaxAgeHours = 24;

/**
 * Is `eventAt` recent enough at `now` to start a journey with this trigger?
 *
 * @example eventIsFresh({ maxAgeHours: 24 }, Date.parse('2024-01-01T00:00:00Z'), Date.parse('2026-01-01T00:00:00Z')) // false
 */
export function eventIsFresh(config: { maxAgeHours?: number | undefined }, eventAt: number, now: number): boolean {
  return now - eventAt <= (config.maxAgeHours ?? defaultMaxAgeHours) * 3_600_000;
}
