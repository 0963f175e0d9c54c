import { createHash, randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import { ApprovalSettings, PublishApproval } from '../journey/approvals.ts';
import type { JourneyGraph } from '../journey/index.ts';
import { validateDocument, withId } from './documents.ts';

/**
 * Approvals: the workspace's rules (`ApprovalSettings`) and the publish requests that wait for
 * an admin. Campaign approvals live on the campaign itself (`store/campaigns.ts`).
 */

const settingsName = 'workspaceSettings';

interface SettingsDocument {
  _id: 'approvals';
  value: unknown;
  updatedAt: string;
}

/** The workspace's approval rules (both off until an admin saves them). */
export async function getApprovalSettings(db: Db): Promise<ApprovalSettings> {
  const doc = await db.collection<SettingsDocument>(settingsName).findOne({ _id: 'approvals' });
  return validateDocument(ApprovalSettings, doc?.value ?? {}, settingsName, 'approvals');
}

/** Stores the approval rules; they apply to the next campaign and publish. */
export async function saveApprovalSettings(db: Db, settings: ApprovalSettings, now: Date): Promise<ApprovalSettings> {
  const value = validateDocument(ApprovalSettings, settings, settingsName, 'approvals');
  await db.collection<SettingsDocument>(settingsName).updateOne({ _id: 'approvals' }, { $set: { value, updatedAt: now.toISOString() } }, { upsert: true });
  return value;
}

export type PublishApprovalRecord = PublishApproval;

interface PublishApprovalDocument extends Omit<PublishApprovalRecord, 'id'> {
  _id: string;
}

const requestsName = 'publishApprovals';
export const publishApprovalIndexes = [{ key: { journeyId: 1, status: 1 } }, { key: { status: 1 } }] as const;

function requests(db: Db) {
  return db.collection<PublishApprovalDocument>(requestsName);
}

function toRecord(doc: PublishApprovalDocument): PublishApprovalRecord {
  return validateDocument(PublishApproval, withId(doc), requestsName, doc._id);
}

/** The hash an approval of `draft` is tied to. */
export function draftHash(draft: JourneyGraph): string {
  return createHash('sha256').update(JSON.stringify(draft)).digest('hex');
}

/** The request for this draft of the journey in `status`, or null. */
export async function findPublishRequest(db: Db, journeyId: string, hash: string, status: 'pending' | 'approved'): Promise<PublishApprovalRecord | null> {
  const doc = await requests(db).findOne({ journeyId, draftHash: hash, status });
  return doc === null ? null : toRecord(doc);
}

/** Stores a pending publish request. */
export async function createPublishRequest(
  db: Db,
  input: { journeyId: string; draftHash: string; note: string; requestedBy: string; requestedByKey: string },
  now: Date,
): Promise<PublishApprovalRecord> {
  const id = `pub_${randomUUID()}`;
  const { requestedBy, requestedByKey, ...rest } = input;
  const record = validateDocument(PublishApproval, { ...rest, id, status: 'pending', approval: { requestedBy, requestedByKey, requestedAt: now.toISOString() } }, requestsName, id);
  const { id: _omit, ...doc } = record;
  await requests(db).insertOne({ _id: id, ...doc });
  return record;
}

/** The request `id`, or null. */
export async function getPublishRequest(db: Db, id: string): Promise<PublishApprovalRecord | null> {
  const doc = await requests(db).findOne({ _id: id });
  return doc === null ? null : toRecord(doc);
}

/** Every publish request still waiting, oldest first (a short list: one per journey at most). */
export async function pendingPublishRequests(db: Db): Promise<PublishApprovalRecord[]> {
  const docs = await requests(db).find({ status: 'pending' }).toArray();
  return docs.map(toRecord).sort((a, b) => a.approval.requestedAt.localeCompare(b.approval.requestedAt));
}

/** Records an admin's decision on a pending request; null when it is no longer pending. */
export async function decidePublishRequest(
  db: Db,
  id: string,
  decision: { decision: 'approved' | 'rejected'; decidedBy: string; reason?: string | undefined },
  now: Date,
): Promise<PublishApprovalRecord | null> {
  const at = now.toISOString();
  const set: Record<string, string> = { status: decision.decision, 'approval.decision': decision.decision, 'approval.decidedBy': decision.decidedBy, 'approval.decidedAt': at };
  if (decision.reason !== undefined) set['approval.reason'] = decision.reason;
  const doc = await requests(db).findOneAndUpdate({ _id: id, status: 'pending' }, { $set: set }, { returnDocument: 'after' });
  return doc === null ? null : toRecord(doc);
}

/** Uses an approved request up (the publish it allowed went through); false if already used. */
export async function consumePublishApproval(db: Db, id: string): Promise<boolean> {
  const result = await requests(db).updateOne({ _id: id, status: 'approved' }, { $set: { status: 'published' } });
  return result.modifiedCount === 1;
}
