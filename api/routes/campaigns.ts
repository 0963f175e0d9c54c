import { createCampaign, getCampaign, listCampaigns, transitionCampaign } from '../../store/campaigns.ts';
import type { CampaignRecord, CampaignStatus } from '../../store/campaigns.ts';
import { countAudience } from '../../store/customers.ts';
import { entryOf, getJourney, getVersion } from '../../store/journeys.ts';
import { readers } from '../auth.ts';
import type { ResolvedDeps } from '../deps.ts';
import { conflict, invalidRequest, notFound } from '../problem.ts';
import { getApprovalSettings } from '../../store/approvals.ts';
import type { JourneyDefinition } from '../../journey/index.ts';
import { defineRoute } from '../route.ts';
import { AudienceCount, AudienceCountBody, Campaign, CampaignCreate, CampaignPage, CampaignQuery } from '../wire/campaigns.ts';
import { IdParams } from '../wire/common.ts';

async function withProgress(deps: ResolvedDeps, campaign: CampaignRecord) {
  // Waiting for approval or rejected: no launch exists to ask.
  if (campaign.status === 'pendingApproval' || campaign.status === 'rejected') return { ...campaign, progress: null };
  return { ...campaign, progress: await deps.runtime.campaignProgress(campaign.id) };
}

/**
 * Starts a campaign's launch workflow: at once, or waiting on its timer until `scheduledAt`
 * (a schedule already past, e.g. approved late, launches at once).
 */
export async function startLaunch(deps: ResolvedDeps, campaign: CampaignRecord, definition: JourneyDefinition, now = new Date()): Promise<void> {
  const later = campaign.scheduledAt !== undefined && Date.parse(campaign.scheduledAt) > now.getTime();
  await deps.runtime.launchCampaign({
    campaignId: campaign.id,
    journey: { journeyId: campaign.journeyId, version: campaign.version, definition },
    segment: campaign.audience,
    ratePerSecond: campaign.ratePerSecond,
    ...(later && campaign.scheduledAt !== undefined ? { startAt: campaign.scheduledAt } : {}),
  });
}

/** Declares pause, resume and cancel: same shape, different transition and runtime call. */
function transition(
  action: 'pause' | 'resume' | 'cancel',
  from: readonly CampaignStatus[],
  to: CampaignStatus,
  call: (deps: ResolvedDeps, id: string) => Promise<void>,
) {
  return defineRoute({
    operationId: `${action}Campaign`,
    method: 'post',
    path: `/campaigns/:id/${action}`,
    tag: 'Campaigns',
    summary: `${action[0]?.toUpperCase()}${action.slice(1)} a campaign`,
    access: ['operator'],
    params: IdParams,
    responses: { 200: { description: `The campaign, now ${to}.`, schema: Campaign } },
    async handler({ params, deps, now }) {
      const before = await getCampaign(deps.db, params.id);
      const moved = before === null ? null : await transitionCampaign(deps.db, params.id, from, to, now);
      if (moved === null) {
        const current = await getCampaign(deps.db, params.id);
        if (current === null) throw notFound(`campaign ${params.id}`);
        throw conflict(`campaign ${params.id} is ${current.status}; only a ${from.join(' or ')} campaign can ${action}`);
      }
      // A campaign still waiting for approval has no launch to tell.
      if (before?.status !== 'pendingApproval') await call(deps, params.id);
      return { status: 200, body: await withProgress(deps, moved) };
    },
  });
}

export const campaignRoutes = [
  defineRoute({
    operationId: 'countAudience',
    method: 'post',
    path: '/audiences/count',
    tag: 'Campaigns',
    summary: 'Count an audience before launching',
    access: readers,
    body: AudienceCountBody,
    responses: { 200: { description: 'How many customers match now.', schema: AudienceCount } },
    async handler({ body, deps, now }) {
      return { status: 200, body: { count: await countAudience(deps.db, body.audience, now) } };
    },
  }),
  defineRoute({
    operationId: 'launchCampaign',
    method: 'post',
    path: '/campaigns',
    tag: 'Campaigns',
    summary: 'Launch a journey for an audience',
    description:
      'The journey must start with a campaign-audience trigger and be published (not paused). With `scheduledAt` the ' +
      'campaign is `scheduled` and launches then (a durable timer; cancel it before). When the campaign or the workspace ' +
      'asks for approval it is `pendingApproval` and nothing launches until an admin approves it.',
    access: ['operator'],
    body: CampaignCreate,
    responses: { 201: { description: 'Launched.', schema: Campaign } },
    async handler({ body, deps, now, principal }) {
      const journey = await getJourney(deps.db, body.journeyId);
      if (journey === null) throw notFound(`journey ${body.journeyId}`);
      if (journey.status !== 'published') throw conflict(`journey ${journey.id} is ${journey.status}; publish or resume it first`, 'body.journeyId');
      const version = await getVersion(deps.db, journey.id, body.version ?? journey.latestVersion);
      if (version === null) throw notFound(`version ${body.version ?? journey.latestVersion} of journey ${journey.id}`);
      const entry = entryOf(version.definition);
      const trigger = version.definition.nodes[version.definition.entryNodeId];
      if (trigger?.kind !== 'audience') {
        // 409 like a paused journey: the request is fine, the journey it names cannot be launched.
        throw conflict(`journey ${journey.id} starts with a ${entry.kind} trigger, not a campaign audience: only a journey with one can be launched`, 'body.journeyId');
      }
      const audience = body.audience ?? { segments: [trigger.config.segment] };
      const ratePerSecond = body.ratePerSecond ?? trigger.config.sendRatePerMinute / 60;
      const scheduledAt = body.scheduledAt === undefined ? undefined : new Date(body.scheduledAt);
      if (scheduledAt !== undefined && scheduledAt <= now) {
        throw invalidRequest([{ path: 'body.scheduledAt', message: `must be in the future (it is now ${now.toISOString()})` }]);
      }
      const needsApproval = body.requireApproval === true || (await getApprovalSettings(deps.db)).campaigns;
      const status = needsApproval ? 'pendingApproval' : scheduledAt === undefined ? 'running' : 'scheduled';
      const campaign = await createCampaign(
        deps.db,
        {
          name: body.name,
          journeyId: journey.id,
          version: version.version,
          audience,
          audienceCount: await countAudience(deps.db, audience, now),
          ratePerSecond,
          status,
          ...(scheduledAt === undefined ? {} : { scheduledAt: scheduledAt.toISOString() }),
          ...(needsApproval ? { approval: { requestedBy: principal?.name ?? 'unknown', requestedByKey: principal?.keyId ?? 'unknown', requestedAt: now.toISOString() } } : {}),
          createdBy: principal?.name ?? 'unknown',
        },
        now,
      );
      if (!needsApproval) await startLaunch(deps, campaign, version.definition, now);
      return { status: 201, body: await withProgress(deps, campaign) };
    },
  }),
  defineRoute({
    operationId: 'listCampaigns',
    method: 'get',
    path: '/campaigns',
    tag: 'Campaigns',
    summary: 'List campaigns',
    access: readers,
    query: CampaignQuery,
    responses: { 200: { description: 'A page of campaigns, oldest first (without progress).', schema: CampaignPage } },
    async handler({ query, deps }) {
      const { limit, cursor, ...filter } = query;
      return { status: 200, body: await listCampaigns(deps.db, filter, { limit, cursor }) };
    },
  }),
  defineRoute({
    operationId: 'getCampaign',
    method: 'get',
    path: '/campaigns/:id',
    tag: 'Campaigns',
    summary: 'A campaign and its progress',
    access: readers,
    params: IdParams,
    responses: { 200: { description: 'The campaign with live progress.', schema: Campaign } },
    async handler({ params, deps }) {
      const campaign = await getCampaign(deps.db, params.id);
      if (campaign === null) throw notFound(`campaign ${params.id}`);
      return { status: 200, body: await withProgress(deps, campaign) };
    },
  }),
  transition('pause', ['running'], 'paused', (deps, id) => deps.runtime.pauseCampaign(id)),
  transition('resume', ['paused'], 'running', (deps, id) => deps.runtime.resumeCampaign(id)),
  transition('cancel', ['pendingApproval', 'scheduled', 'running', 'paused'], 'cancelled', (deps, id) => deps.runtime.cancelCampaign(id)),
];
