import { z } from 'zod';
import { PropertyFilter } from '../../journey/condition.ts';
import { EventType } from '../../journey/event.ts';

/** Wire schemas of outcome reports (journeys and segments). */

export const OutcomeQuery = z.strictObject({
  goalEvent: EventType.optional().describe("Count this event as the conversion instead of the journey's goal (segments: `order_completed`)."),
  windowDays: z.coerce
    .number()
    .int()
    .min(1)
    .max(3650)
    .optional()
    .describe("Days after entry that count (default: the journey's goal window; segments: 30)."),
});

const Rate = z.object({
  of: z.number().int().nonnegative().describe('The denominator.'),
  count: z.number().int().nonnegative(),
  rate: z.number().nullable().describe('count / of; null when `of` is 0.'),
});

const Interval = z.tuple([z.number(), z.number()]).describe('95 % confidence interval [low, high].');

export const OutcomeMetricsBody = z
  .object({
    entered: z.number().int().nonnegative().describe('Entries counted (a journey: the latest entry of each customer; a segment: every entry).'),
    converted: z.number().int().nonnegative().describe('Entries with a goal event within the goal window.'),
    conversionRate: z.number().nullable(),
    winBack: Rate.describe('Of entrants dormant or churned at entry, those who ordered within the window.'),
    repeatPurchase: Rate.describe('Of entrants who had ordered before entry, those who ordered again within the window.'),
    couponRedemption: Rate.describe('`coupon_redeemed` events within the window / coupons issued to the entrants within it.'),
    revenue: z.number().describe('Sum of `order_completed` amounts within the window (every journey a customer was in gets the order).'),
  })
  .meta({ id: 'OutcomeMetrics' });

const Lift = z
  .object({
    absolute: z.number().describe('Conversion rate of the arm minus that of the holdout.'),
    absoluteCi: Interval.describe("Newcombe's hybrid score interval (95 %)."),
    relative: z.number().nullable().describe('Arm rate / holdout rate − 1; null when the holdout did not convert.'),
    relativeCi: Interval.nullable().describe('Katz log interval (95 %); null when either group did not convert.'),
    significant: z.boolean().describe('The absolute interval excludes 0.'),
  })
  .meta({ id: 'Lift' });

const OutcomeGoalBody = z.object({
  eventType: z.string(),
  filter: z.array(PropertyFilter),
  windowDays: z.number(),
  source: z.enum(['journey', 'request', 'default']),
});

const outcomeFields = {
  goal: OutcomeGoalBody,
  metrics: OutcomeMetricsBody,
  windowOpen: z.number().int().nonnegative().describe('Entrants whose goal window is still open (they may still convert).'),
};

export const SegmentOutcomes = z.object(outcomeFields).meta({ id: 'SegmentOutcomes' });

export const JourneyOutcomes = z
  .object({
    ...outcomeFields,
    splits: z
      .array(
        z.object({
          nodeId: z.string(),
          arms: z.array(
            z.object({
              arm: z.string().describe('The arm id, `holdout` for the holdout group.'),
              metrics: OutcomeMetricsBody,
              lift: Lift.nullable().describe('Against the holdout; null for the holdout itself or without one.'),
            }),
          ),
        }),
      )
      .describe('Per split step the entrants passed: each arm, and its lift over the holdout.'),
    source: z
      .enum(['counters', 'scan'])
      .describe("`counters`: the journey's outcome counters for its own goal and window (no override given); `scan`: every entrant read (an override given)."),
  })
  .meta({ id: 'JourneyOutcomes' });
