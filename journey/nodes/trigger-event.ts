import { z } from 'zod';
import { PropertyFilter } from '../condition.ts';
import { EventType } from '../event.ts';
import { defineNode, triggerExits } from './spec.ts';

export const EventTriggerConfig = z.object({
  eventType: EventType,
  filter: z.array(PropertyFilter).default([]),
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
});
