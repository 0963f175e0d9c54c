import type { z } from 'zod';
import { AudienceCount, Campaign, CampaignPage } from '../../../api/wire/campaigns.ts';
import type { Audience } from '../../../api/wire/campaigns.ts';
import { request } from './http.ts';

/** Campaign launches (`/v1/campaigns`): a published journey for an audience, at a send rate. */
export type Campaign = z.infer<typeof Campaign>;

const c = (campaignId: string) => encodeURIComponent(campaignId);

export const campaignsApi = {
  list: async () => (await request('GET', '/v1/campaigns?limit=500', CampaignPage)).items,
  count: async (audience: Audience) => (await request('POST', '/v1/audiences/count', AudienceCount, { audience })).count,
  launch: (input: { name: string; journeyId: string; audience: Audience; ratePerSecond: number }) => request('POST', '/v1/campaigns', Campaign, input),
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
