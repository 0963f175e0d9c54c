import { z } from 'zod';
import { ApprovalSettings, PublishApproval } from '../../journey/approvals.ts';
import { Campaign } from './campaigns.ts';

/** Approvals and scheduled launches: what waits for an admin, and what waits for its time. */

export { ApprovalSettings, PublishApproval };

export const ApproveBody = z.strictObject({ reason: z.string().max(1000).optional() }).meta({ id: 'ApproveRequest' });
export const RejectBody = z
  .strictObject({ reason: z.string().min(1).max(1000).regex(/\S/, 'say why the request is rejected') })
  .meta({ id: 'RejectRequest' });

export const PendingApprovals = z
  .object({
    campaigns: z.array(Campaign).describe('campaigns waiting for an admin’s approval, oldest first'),
    publishes: z.array(PublishApproval).describe('journey publishes waiting for an admin’s approval, oldest first'),
    scheduled: z.array(Campaign).describe('approved campaigns waiting for their launch time, soonest first'),
  })
  .meta({ id: 'PendingApprovals' });
export type PendingApprovals = z.infer<typeof PendingApprovals>;
