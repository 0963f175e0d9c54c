import { z } from 'zod';
import { ProfileCondition } from '../../journey/condition.ts';
import { LifecycleStage, RfmCell, ValueTier } from '../../journey/customer.ts';
import { PageCursor } from '../../journey/ids.ts';
import { LifecycleBase } from '../../journey/lifecycle/profile.ts';
import { SegmentDefinition, SegmentId, SegmentRule } from '../../journey/lifecycle/segment.ts';
import { LifecycleSettings } from '../../journey/lifecycle/settings.ts';
import { Customer } from './customers.ts';

/** Wire schemas of lifecycle intelligence: settings, the overview, segments. */

export const LifecycleSettingsBody = LifecycleSettings.meta({
  id: 'LifecycleSettings',
  description: 'Stage thresholds (days), value-tier shares, churn-risk fallback gaps and the CLV horizon. Missing fields take their defaults.',
});

const Counts = <K extends z.ZodEnum>(keys: K) => z.partialRecord(keys, z.number().int().nonnegative());

export const LifecycleOverviewBody = z
  .object({
    customers: z.number().int().nonnegative(),
    stages: Counts(LifecycleStage),
    rfmCells: Counts(RfmCell),
    valueTiers: Counts(ValueTier),
    rfmRevenue: z.partialRecord(RfmCell, z.number().nonnegative()).describe('Total spend of the customers in each RFM cell (from a counter, not a scan).'),
    churnRisk: z
      .array(z.object({ from: z.number(), to: z.number(), high: z.number().int(), mid: z.number().int(), low: z.number().int(), unknown: z.number().int() }))
      .describe('Customers per churn-risk band (ten equal bands from 0 to 1), by value tier (`unknown`: no tier yet).'),
    nps: z.object({
      respondents: z.number().int(),
      promoters: z.number().int(),
      passives: z.number().int(),
      detractors: z.number().int(),
      nps: z.number().nullable().describe('% promoters (9–10) − % detractors (0–6) of the latest answers.'),
    }),
    csat: z.object({
      respondents: z.number().int(),
      satisfied: z.number().int(),
      csat: z.number().nullable().describe('% of latest CSAT answers scoring 4 or 5.'),
    }),
    base: LifecycleBase.extend({ computedAt: z.iso.datetime() })
      .nullable()
      .describe('Cut points of the last full recompute (quintiles of recency days, orders and spend); null before the first.'),
  })
  .meta({ id: 'LifecycleOverview' });

export const StageTrendQuery = z.strictObject({ days: z.coerce.number().int().min(1).max(90).default(30) });

export const StageTrendBody = z
  .object({
    days: z
      .array(
        z.object({
          day: z.iso.date(),
          at: z.iso.datetime().describe('When the counts were taken: the daily lifecycle run for past days, the request for today.'),
          customers: z.number().int().nonnegative(),
          stages: Counts(LifecycleStage),
        }),
      )
      .describe('Oldest first, today last; days on which the daily lifecycle run did not run are missing.'),
  })
  .meta({ id: 'StageTrend' });

export const RecomputeReport = z
  .object({
    customers: z.number().int(),
    updated: z.number().int(),
    events: z.number().int().describe('Change events recorded (stage_changed, rfm_changed, segment_entered, segment_left).'),
    conflicts: z.number().int(),
    invalid: z.number().int(),
  })
  .meta({ id: 'LifecycleRecomputeReport' });

export const SegmentParams = z.strictObject({ id: SegmentId });

export const Segment = SegmentDefinition.extend({
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  count: z.number().int().nonnegative().describe('Members now.'),
}).meta({ id: 'Segment' });

export const SegmentList = z.object({ items: z.array(Segment) }).meta({ id: 'SegmentList' });
export const SegmentCreate = SegmentDefinition.meta({ id: 'SegmentCreate' });
export const SegmentUpdate = SegmentRule.meta({ id: 'SegmentUpdate' });

export const SampleQuery = z.strictObject({ sample: z.coerce.number().int().min(0).max(100).default(10) });

export const SegmentMembers = z
  .object({ count: z.number().int().nonnegative(), sample: z.array(Customer) })
  .meta({ id: 'SegmentMembers' });

export const SegmentMembersQuery = SampleQuery.extend({
  cursor: PageCursor.optional().describe('`nextCursor` of the previous page, unchanged: the members after it.'),
});

export const SegmentMemberPage = SegmentMembers.extend({
  nextCursor: z.string().nullable().describe('Where the next `sample` members start; null after the last member.'),
}).meta({ id: 'SegmentMemberPage' });

export const SegmentPreviewRequest = z
  .strictObject({ condition: ProfileCondition, sample: z.number().int().min(0).max(100).default(10) })
  .meta({ id: 'SegmentPreviewRequest' });
