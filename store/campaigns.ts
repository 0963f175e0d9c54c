import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db, Filter } from 'mongodb';
import { ApprovalRecord } from '../journey/approvals.ts';
import { Channel, LifecycleStage, RfmCell, ValueTier } from '../journey/customer.ts';
import { paginate, validateDocument, withId } from './documents.ts';
import type { Page, PageRequest } from './documents.ts';
import type { AudienceFilter } from './customers.ts';

/**
 * Campaigns: one launch of a journey version for an audience snapshot, at a send rate. A
 * campaign may first wait for an admin's approval (`pendingApproval` → `rejected`, or on to
 * `scheduled`/`running`) and for its date (`scheduled` → `running` when its timer fires).
 */

export const CampaignStatus = z.enum(['pendingApproval', 'rejected', 'scheduled', 'running', 'paused', 'cancelled', 'completed']);
export type CampaignStatus = z.infer<typeof CampaignStatus>;

/** Schema of `AudienceFilter` (customers.ts), so stored campaigns are validated too. */
export const AudienceFilterSchema = z.strictObject({
  stages: z.array(LifecycleStage).optional(),
  segments: z.array(z.string().min(1).max(100)).optional(),
  tags: z.array(z.string().min(1).max(64)).optional(),
  rfmCells: z.array(RfmCell).optional(),
  valueTiers: z.array(ValueTier).optional(),
  minDaysSinceLastPurchase: z.number().int().min(0).max(36500).optional(),
  minOrders: z.number().int().min(0).optional(),
  consentTo: Channel.optional(),
}) satisfies z.ZodType<AudienceFilter>;

export const CampaignRecord = z.object({
  id: z.string(),
  name: z.string().min(1).max(200),
  journeyId: z.string(),
  version: z.number().int().positive(),
  audience: AudienceFilterSchema,
  /** Audience size when launched. */
  audienceCount: z.number().int().nonnegative(),
  ratePerSecond: z.number().positive().max(10_000),
  status: CampaignStatus,
  /** When the launch begins (a durable timer in its launch workflow); absent: at once. */
  scheduledAt: z.iso.datetime().optional(),
  approval: ApprovalRecord.optional(),
  createdBy: z.string(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type CampaignRecord = z.infer<typeof CampaignRecord>;
export type NewCampaign = Omit<CampaignRecord, 'id' | 'createdAt' | 'updatedAt'>;

interface CampaignDocument extends Omit<CampaignRecord, 'id'> {
  _id: string;
}

const name = 'campaigns';

function campaigns(db: Db) {
  return db.collection<CampaignDocument>(name);
}

export const campaignIndexes = [{ key: { journeyId: 1, createdAt: 1 } }, { key: { status: 1 } }] as const;

function toRecord(doc: CampaignDocument): CampaignRecord {
  return validateDocument(CampaignRecord, withId(doc), name, doc._id);
}

/** Stores a new campaign in its first status (running, scheduled or pending approval). */
export async function createCampaign(db: Db, input: NewCampaign, now: Date): Promise<CampaignRecord> {
  const id = `cmp_${randomUUID()}`;
  const at = now.toISOString();
  const record = validateDocument(CampaignRecord, { ...input, id, createdAt: at, updatedAt: at }, name, id);
  const { id: _omit, ...rest } = record;
  await campaigns(db).insertOne({ _id: id, ...rest });
  return record;
}

/** The campaign `id`, or null. */
export async function getCampaign(db: Db, id: string): Promise<CampaignRecord | null> {
  const doc = await campaigns(db).findOne({ _id: id });
  return doc === null ? null : toRecord(doc);
}

/** One page of campaigns, oldest first. */
export async function listCampaigns(
  db: Db,
  query: { journeyId?: string | undefined; status?: CampaignStatus | undefined },
  page: PageRequest,
): Promise<Page<CampaignRecord>> {
  const filter: Filter<CampaignDocument> = {};
  if (query.journeyId !== undefined) filter.journeyId = query.journeyId;
  if (query.status !== undefined) filter.status = query.status;
  const result = await paginate(campaigns(db), filter, page, { field: 'createdAt' });
  return { items: result.items.map(toRecord), nextCursor: result.nextCursor };
}

/**
 * Moves a campaign from one of `from` to `to`; null when it is unknown or in another state
 * (the caller reads it again to say which).
 */
export async function transitionCampaign(
  db: Db,
  id: string,
  from: readonly CampaignStatus[],
  to: CampaignStatus,
  now: Date,
): Promise<CampaignRecord | null> {
  const doc = await campaigns(db).findOneAndUpdate(
    { _id: id, status: { $in: [...from] } },
    { $set: { status: to, updatedAt: now.toISOString() } },
    { returnDocument: 'after' },
  );
  return doc === null ? null : toRecord(doc);
}

/**
 * Records an admin's decision on a campaign pending approval and moves it to `to` (`rejected`,
 * or `scheduled`/`running` when approved); null when it is unknown or no longer pending.
 */
export async function decideCampaign(
  db: Db,
  id: string,
  decision: { decision: 'approved' | 'rejected'; decidedBy: string; reason?: string | undefined },
  to: CampaignStatus,
  now: Date,
): Promise<CampaignRecord | null> {
  const at = now.toISOString();
  const set: Record<string, string> = { status: to, updatedAt: at, 'approval.decision': decision.decision, 'approval.decidedBy': decision.decidedBy, 'approval.decidedAt': at };
  if (decision.reason !== undefined) set['approval.reason'] = decision.reason;
  const doc = await campaigns(db).findOneAndUpdate({ _id: id, status: 'pendingApproval' }, { $set: set }, { returnDocument: 'after' });
  return doc === null ? null : toRecord(doc);
}

/** Every campaign in `status`, oldest first, up to `limit` (the approval and schedule lists). */
export async function campaignsIn(db: Db, status: CampaignStatus, limit = 500): Promise<CampaignRecord[]> {
  const docs = await campaigns(db).find({ status }).limit(limit).toArray();
  return docs.map(toRecord).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}
