import { z } from 'zod';
import { PropertyFilter, eventMatches } from '../condition.ts';
import { EventType } from '../event.ts';
import { Duration, describeDuration, durationMs } from '../time.ts';
import { defineNode } from './spec.ts';

export const WaitForEventConfig = z.object({
  eventType: EventType,
  filter: z.array(PropertyFilter).default([]),
  /** How long to wait before taking the `timeout` exit. */
  timeout: Duration,
});
export type WaitForEventConfig = z.infer<typeof WaitForEventConfig>;

/** Waits for the customer to do something (exit `event`) or for the timeout (exit `timeout`). */
export const waitForEventNode = defineNode(WaitForEventConfig)({
  kind: 'waitForEvent',
  displayName: 'Wait for an event',
  description: 'Waits until the customer does something, or gives up after a timeout.',
  category: 'flow',
  defaults: () => ({ eventType: 'order_completed', filter: [], timeout: { amount: 7, unit: 'days' } }),
  exits: () => [
    { id: 'event', label: 'event happened' },
    { id: 'timeout', label: 'timed out' },
  ],
  summary: (c) => `Wait up to ${describeDuration(c.timeout)} for ${c.eventType}`,
  pauses: (c) => durationMs(c.timeout) > 0,
  check(c, ctx) {
    ctx.checkEvent(c.eventType, 'eventType');
    if (!(durationMs(c.timeout) > 0)) {
      ctx.error('WAIT_NOT_POSITIVE', `${ctx.name} gives up after ${describeDuration(c.timeout)}: enter a timeout longer than zero.`, {
        path: 'timeout.amount',
      });
    }
  },
  enter: (c, ctx) => ({
    type: 'block',
    command: { type: 'waitForEvent', nodeId: ctx.nodeId, eventType: c.eventType, filter: c.filter, until: ctx.now + durationMs(c.timeout) },
  }),
  resume(c, _ctx, input) {
    switch (input.type) {
      case 'timerFired':
        return { type: 'follow', exit: 'timeout' };
      case 'eventReceived':
        return eventMatches(c.eventType, c.filter, input.event) ? { type: 'follow', exit: 'event' } : { type: 'ignore' };
      case 'actionResult':
        return { type: 'ignore' };
    }
  },
});
