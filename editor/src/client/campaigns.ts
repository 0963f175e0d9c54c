import type { z } from 'zod';
import { AudienceCount, Campaign, CampaignPage } from '../../../api/wire/campaigns.ts';
import type { Audience } from '../../../api/wire/campaigns.ts';
import { ApprovalSettings, PendingApprovals, PublishApproval } from '../../../api/wire/approvals.ts';
import { request } from './http.ts';

/** Campaign launches (`/v1/campaigns`): a published journey for an audience, at a send rate. */
export type Campaign = z.infer<typeof Campaign>;

const c = (campaignId: string) => encodeURIComponent(campaignId);

export const campaignsApi = {
  list: async () => (await request('GET', '/v1/campaigns?limit=500', CampaignPage)).items,
  count: async (audience: Audience) => (await request('POST', '/v1/audiences/count', AudienceCount, { audience })).count,
  launch: (input: { name: string; journeyId: string; audience: Audience; ratePerSecond: number; scheduledAt?: string; requireApproval?: boolean }) => request('POST', '/v1/campaigns', Campaign, input),
  get: (campaignId: string) => request('GET', `/v1/campaigns/${c(campaignId)}`, Campaign),
  control: (campaignId: string, action: 'pause' | 'resume' | 'cancel') => request('POST', `/v1/campaigns/${c(campaignId)}/${action}`, Campaign),
};

/**
 * Share of the audience handled so far (started, skipped or failed), 0…1.
 *
 * @example progressFraction({ ..., progress: { audience: 10, started: 4, skipped: 1, failed: 0, done: false } }) // 0.5
 */
export function progressFraction(campaign: Campaign): number {
  const p = campaign.progress;
  if (!p) return campaign.status === 'completed' ? 1 : 0;
  if (p.done) return 1;
  if (p.audience === 0) return 0;
  return Math.min(1, (p.started + p.skipped + p.failed) / p.audience);
}

/**
 * The status to show: a launch whose progress says done has finished, even in the second before
 * its record says so.
 *
 * @example shownStatus({ ..., status: 'running', progress: { ..., done: true } }) // 'completed'
 */
export function shownStatus(campaign: Campaign): Campaign['status'] {
  return campaign.status === 'running' && campaign.progress?.done === true ? 'completed' : campaign.status;
}

/** What waits for an admin or for its time (`/v1/approvals`), and the admin's decisions. */
export const approvalsApi = {
  pending: () => request('GET', '/v1/approvals', PendingApprovals),
  settings: () => request('GET', '/v1/settings/approvals', ApprovalSettings),
  saveSettings: (settings: z.infer<typeof ApprovalSettings>) => request('PUT', '/v1/settings/approvals', ApprovalSettings, settings),
  decideCampaign: (campaignId: string, action: 'approve' | 'reject', reason?: string) =>
    request('POST', `/v1/campaigns/${c(campaignId)}/${action}`, Campaign, reason === undefined ? {} : { reason }),
  decidePublish: (requestId: string, action: 'approve' | 'reject', reason?: string) =>
    request('POST', `/v1/approvals/publishes/${c(requestId)}/${action}`, PublishApproval, reason === undefined ? {} : { reason }),
};
