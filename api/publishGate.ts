import type { JourneyGraph } from '../journey/graph.ts';
import type { JourneyRecord } from '../store/journeys.ts';
import { consumePublishApproval, createPublishRequest, draftHash, findPublishRequest, getApprovalSettings } from '../store/approvals.ts';
import type { ResolvedDeps } from './deps.ts';
import type { Principal, Reply, ResponseSpec } from './route.ts';
import { PublishApproval } from './wire/approvals.ts';

/**
 * The approval gate in front of a publish. When the workspace asks for approval of publishes
 * (`/settings/approvals`), a publish by anyone but an admin needs an admin's approval of that
 * very graph (the draft, or the earlier version a rollback republishes): the first publish answers `202` with a pending request (asking again returns the
 * same one); once an admin approves it, publishing the unchanged draft goes through, once.
 * An admin's own publish goes through: admins are the approvers.
 */
export async function publishApprovalGate(deps: ResolvedDeps, journey: JourneyRecord, graph: JourneyGraph, note: string, principal: Principal | null, now: Date): Promise<Reply | null> {
  if (principal === null || principal.role === 'admin' || !(await getApprovalSettings(deps.db)).publishes) return null;
  const hash = draftHash(graph);
  const approved = await findPublishRequest(deps.db, journey.id, hash, 'approved');
  if (approved !== null && (await consumePublishApproval(deps.db, approved.id))) return null;
  const pending =
    (await findPublishRequest(deps.db, journey.id, hash, 'pending')) ??
    (await createPublishRequest(deps.db, { journeyId: journey.id, draftHash: hash, note, requestedBy: principal.name, requestedByKey: principal.keyId }, now));
  return { status: 202, body: pending };
}

/** The gate's answer, for the publish route's responses. */
export const pendingPublishResponse: ResponseSpec = {
  description: 'The workspace asks for approval of publishes: a request waits for an admin; publish again once approved.',
  schema: PublishApproval,
};
