import { z } from 'zod';
import { defineNode, triggerExits } from './spec.ts';

export const SegmentTriggerConfig = z.object({ segment: z.string().min(1).max(128) });
export type SegmentTriggerConfig = z.infer<typeof SegmentTriggerConfig>;

/** Entry when the customer enters a segment (checked on every event and by the daily sweep). */
export const segmentTrigger = defineNode(SegmentTriggerConfig)({
  kind: 'segment',
  displayName: 'When a customer enters a segment',
  description: 'Starts the journey when a customer joins a segment, e.g. dormant for 90 days.',
  category: 'trigger',
  defaults: () => ({ segment: 'dormant-90d' }),
  exits: () => triggerExits,
  summary: (c) => `On entering segment ${c.segment}`,
  check(c, ctx) {
    ctx.checkSegment(c.segment, 'segment');
  },
  enter: () => ({ type: 'follow', exit: 'next' }),
  trigger: {
    routes: (c) => ({ segment: c.segment }),
    // The lifecycle records `segment_entered` when membership starts.
    enters: (c, event) => event.type === 'segment_entered' && event.properties['segment'] === c.segment,
  },
});
