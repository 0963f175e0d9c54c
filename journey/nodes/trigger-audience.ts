import { z } from 'zod';
import { defineNode, triggerExits } from './spec.ts';

export const AudienceTriggerConfig = z.object({
  /** The segment whose members at launch time form the campaign's audience. */
  segment: z.string().min(1).max(128),
  /** Runs started per minute, so providers and the CS team are not flooded. */
  sendRatePerMinute: z.number().positive().max(100_000).default(100),
});
export type AudienceTriggerConfig = z.infer<typeof AudienceTriggerConfig>;

/** Entry for everyone in a segment snapshot when operations launch the journey as a campaign. */
export const audienceTrigger = defineNode(AudienceTriggerConfig)({
  kind: 'audience',
  displayName: 'Campaign audience',
  description: 'Operations launch the journey once for everyone in a segment, at a limited rate.',
  category: 'trigger',
  defaults: () => ({ segment: 'dormant-90d', sendRatePerMinute: 100 }),
  exits: () => triggerExits,
  summary: (c) => `Campaign to ${c.segment} at ${c.sendRatePerMinute}/min`,
  check(c, ctx) {
    ctx.checkSegment(c.segment, 'segment');
  },
  enter: () => ({ type: 'follow', exit: 'next' }),
  // Launched by operations for the segment; no event starts it.
  trigger: { routes: (c) => ({ segment: c.segment }) },
});
