import { z } from 'zod';
import { ApprovalRecord } from '../../journey/approvals.ts';
import { Channel, LifecycleStage, RfmCell, ValueTier } from '../../journey/customer.ts';
import { PageQuery, pageOf } from './common.ts';
import { CampaignProgress } from './runs.ts';

/** Who a campaign targets; every given criterion must hold, list criteria match any member. */
export const Audience = z
  .strictObject({
    stages: z.array(LifecycleStage).max(20).optional(),
    segments: z.array(z.string().min(1).max(128)).max(50).optional(),
    tags: z.array(z.string().min(1).max(64)).max(50).optional(),
    rfmCells: z.array(RfmCell).max(20).optional(),
    valueTiers: z.array(ValueTier).max(5).optional(),
    minDaysSinceLastPurchase: z.number().int().min(0).max(36500).optional().describe('e.g. 90: dormant for 90+ days'),
    minOrders: z.number().int().min(0).optional(),
    consentTo: Channel.optional().describe('only customers who consented to this channel'),
  })
  .meta({ id: 'Audience' });
export type Audience = z.infer<typeof Audience>;

export const CampaignStatus = z.enum(['pendingApproval', 'rejected', 'scheduled', 'running', 'paused', 'cancelled', 'completed']);

export const CampaignCreate = z
  .strictObject({
    name: z.string().min(1).max(200),
    journeyId: z.string().min(1).max(64),
    version: z.number().int().positive().optional().describe('defaults to the latest published version'),
    audience: Audience.optional().describe('defaults to the segment of the journey’s audience trigger'),
    ratePerSecond: z.number().positive().max(10_000).optional().describe('defaults to the trigger’s send rate'),
    scheduledAt: z.iso.datetime({ offset: true }).optional().describe('launch at this time (in the future) instead of now'),
    requireApproval: z.boolean().optional().describe('wait for an admin’s approval before launching (always, when the workspace asks for it)'),
  })
  .meta({ id: 'CampaignCreate' });

export const Campaign = z
  .object({
    id: z.string(),
    name: z.string(),
    journeyId: z.string(),
    version: z.number().int().positive(),
    audience: Audience,
    audienceCount: z.number().int().nonnegative(),
    ratePerSecond: z.number().positive(),
    status: CampaignStatus,
    scheduledAt: z.iso.datetime().optional(),
    approval: ApprovalRecord.optional(),
    createdBy: z.string(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    progress: CampaignProgress.nullable().optional(),
  })
  .meta({ id: 'Campaign' });

export const CampaignQuery = PageQuery.extend({ journeyId: z.string().max(64).optional(), status: CampaignStatus.optional() });
export const CampaignPage = pageOf(Campaign).meta({ id: 'CampaignPage' });

export const AudienceCountBody = z.strictObject({ audience: Audience }).meta({ id: 'AudienceCountRequest' });
export const AudienceCount = z.object({ count: z.number().int().nonnegative() }).meta({ id: 'AudienceCount' });
