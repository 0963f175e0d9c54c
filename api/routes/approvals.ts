import { ApprovalSettings } from '../../journey/approvals.ts';
import type { ApprovalRecord } from '../../journey/approvals.ts';
import { countActiveAdmins } from '../../store/apiKeys.ts';
import { decidePublishRequest, getApprovalSettings, getPublishRequest, pendingPublishRequests, saveApprovalSettings } from '../../store/approvals.ts';
import { campaignsIn, decideCampaign, getCampaign } from '../../store/campaigns.ts';
import { getJourney, getVersion } from '../../store/journeys.ts';
import { readers } from '../auth.ts';
import type { ResolvedDeps } from '../deps.ts';
import { conflict, notFound, ProblemError } from '../problem.ts';
import { defineRoute } from '../route.ts';
import type { Principal } from '../route.ts';
import { ApproveBody, PendingApprovals, PublishApproval, RejectBody } from '../wire/approvals.ts';
import { Campaign } from '../wire/campaigns.ts';
import { IdParams } from '../wire/common.ts';
import { startLaunch } from './campaigns.ts';

/**
 * Approvals: the workspace's rules, what waits for an admin (campaigns, publishes) and the
 * scheduled launches. Only admins decide (every route below that decides has `access: []`,
 * which admits admins alone), with a reason when rejecting.
 */

/**
 * Throws 403 when the admin deciding is the one who asked: a second pair of eyes means another
 * admin key — unless this key is the workspace's only admin, who could otherwise never launch.
 */
async function mayDecide(deps: ResolvedDeps, approval: ApprovalRecord, principal: Principal | null): Promise<void> {
  if (principal === null || approval.requestedByKey !== principal.keyId) return;
  if ((await countActiveAdmins(deps.db)) <= 1) return;
  throw new ProblemError(403, 'own-request', 'You asked for this approval', 'another admin must approve or reject a request you made');
}

/** An approved campaign: scheduled (its time still ahead) or running. */
async function approveCampaign(deps: ResolvedDeps, id: string, principal: Principal | null, reason: string | undefined, now: Date) {
  const campaign = await getCampaign(deps.db, id);
  if (campaign === null) throw notFound(`campaign ${id}`);
  if (campaign.status !== 'pendingApproval' || campaign.approval === undefined) throw conflict(`campaign ${id} is ${campaign.status}; only a campaign waiting for approval can be approved`);
  await mayDecide(deps, campaign.approval, principal);
  const journey = await getJourney(deps.db, campaign.journeyId);
  if (journey?.status !== 'published') throw conflict(`journey ${campaign.journeyId} is ${journey?.status ?? 'gone'}; publish or resume it before approving its campaign`);
  const version = await getVersion(deps.db, campaign.journeyId, campaign.version);
  if (version === null) throw notFound(`version ${campaign.version} of journey ${campaign.journeyId}`);
  const later = campaign.scheduledAt !== undefined && Date.parse(campaign.scheduledAt) > now.getTime();
  const decided = await decideCampaign(deps.db, id, { decision: 'approved', decidedBy: principal?.name ?? 'unknown', reason }, later ? 'scheduled' : 'running', now);
  if (decided === null) throw conflict(`campaign ${id} was decided by someone else just now`);
  await startLaunch(deps, decided, version.definition, now);
  return decided;
}

export const approvalRoutes = [
  defineRoute({
    operationId: 'getApprovalSettings',
    method: 'get',
    path: '/settings/approvals',
    tag: 'Approvals',
    summary: 'Whether campaigns and publishes need an admin’s approval',
    access: readers,
    responses: { 200: { description: 'The rules in force.', schema: ApprovalSettings } },
    async handler({ deps }) {
      return { status: 200, body: await getApprovalSettings(deps.db) };
    },
  }),
  defineRoute({
    operationId: 'putApprovalSettings',
    method: 'put',
    path: '/settings/approvals',
    tag: 'Approvals',
    summary: 'Require (or stop requiring) approval of campaigns and publishes',
    description: 'Admins only. Applies to the next campaign and publish; what already waits keeps waiting.',
    access: [],
    body: ApprovalSettings,
    responses: { 200: { description: 'The rules saved.', schema: ApprovalSettings } },
    async handler({ body, deps, now }) {
      return { status: 200, body: await saveApprovalSettings(deps.db, body, now) };
    },
  }),
  defineRoute({
    operationId: 'listPendingApprovals',
    method: 'get',
    path: '/approvals',
    tag: 'Approvals',
    summary: 'What waits: approvals and scheduled launches',
    description: 'Campaigns and publishes waiting for an admin (who asked, when), and approved campaigns waiting for their time.',
    access: readers,
    responses: { 200: { description: 'Everything waiting.', schema: PendingApprovals } },
    async handler({ deps }) {
      const [campaigns, publishes, scheduled] = await Promise.all([
        campaignsIn(deps.db, 'pendingApproval'),
        pendingPublishRequests(deps.db),
        campaignsIn(deps.db, 'scheduled'),
      ]);
      scheduled.sort((a, b) => (a.scheduledAt ?? '').localeCompare(b.scheduledAt ?? ''));
      return { status: 200, body: { campaigns: campaigns.map((c) => ({ ...c, progress: null })), publishes, scheduled: scheduled.map((c) => ({ ...c, progress: null })) } };
    },
  }),
  defineRoute({
    operationId: 'approveCampaign',
    method: 'post',
    path: '/campaigns/:id/approve',
    tag: 'Approvals',
    summary: 'Approve a campaign: it launches now, or at its scheduled time',
    description: 'Admins only; not the admin who asked, unless they are the only admin.',
    access: [],
    params: IdParams,
    body: ApproveBody,
    responses: { 200: { description: 'The campaign, now scheduled or running.', schema: Campaign } },
    async handler({ params, body, deps, now, principal }) {
      const campaign = await approveCampaign(deps, params.id, principal, body.reason, now);
      return { status: 200, body: { ...campaign, progress: null } };
    },
  }),
  defineRoute({
    operationId: 'rejectCampaign',
    method: 'post',
    path: '/campaigns/:id/reject',
    tag: 'Approvals',
    summary: 'Reject a campaign, with a reason: it never launches',
    description: 'Admins only; not the admin who asked, unless they are the only admin.',
    access: [],
    params: IdParams,
    body: RejectBody,
    responses: { 200: { description: 'The campaign, now rejected.', schema: Campaign } },
    async handler({ params, body, deps, now, principal }) {
      const campaign = await getCampaign(deps.db, params.id);
      if (campaign === null) throw notFound(`campaign ${params.id}`);
      if (campaign.status !== 'pendingApproval' || campaign.approval === undefined) throw conflict(`campaign ${params.id} is ${campaign.status}; only a campaign waiting for approval can be rejected`);
      await mayDecide(deps, campaign.approval, principal);
      const decided = await decideCampaign(deps.db, params.id, { decision: 'rejected', decidedBy: principal?.name ?? 'unknown', reason: body.reason }, 'rejected', now);
      if (decided === null) throw conflict(`campaign ${params.id} was decided by someone else just now`);
      return { status: 200, body: { ...decided, progress: null } };
    },
  }),
  ...(['approve', 'reject'] as const).map((action) =>
    defineRoute({
      operationId: `${action}Publish`,
      method: 'post',
      path: `/approvals/publishes/:id/${action}`,
      tag: 'Approvals',
      summary: action === 'approve' ? 'Approve a publish: the requester’s next publish of that draft goes through' : 'Reject a publish, with a reason',
      description: 'Admins only; not the admin who asked, unless they are the only admin.',
      access: [],
      params: IdParams,
      body: action === 'approve' ? ApproveBody : RejectBody,
      responses: { 200: { description: 'The request, decided.', schema: PublishApproval } },
      async handler({ params, body, deps, now, principal }) {
        const request = await getPublishRequest(deps.db, params.id);
        if (request === null) throw notFound(`publish request ${params.id}`);
        if (request.status !== 'pending') throw conflict(`publish request ${params.id} is ${request.status}; only a pending one can be decided`);
        await mayDecide(deps, request.approval, principal);
        const decision = action === 'approve' ? 'approved' : 'rejected';
        const decided = await decidePublishRequest(deps.db, params.id, { decision, decidedBy: principal?.name ?? 'unknown', reason: body.reason }, now);
        if (decided === null) throw conflict(`publish request ${params.id} was decided by someone else just now`);
        return { status: 200, body: decided };
      },
    }),
  ),
];
