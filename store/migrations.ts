import { z } from 'zod';
import type { Db } from 'mongodb';
import type { JourneyDefinition } from '../journey/definition.ts';
import { MigrationRecord, MigrationSkip, planMigration } from '../journey/migrate.ts';
import type { MigrationIssue, MigrationMapping, MigrationRow, WaitingAt } from '../journey/migrate.ts';
import { getVersion } from './journeys.ts';
import { paginate, validateDocument, withId } from './documents.ts';
import type { Page } from './documents.ts';
import { runsCollection } from './runs.ts';

/**
 * Migrations: moving the customers waiting on a journey's older versions to a newer one. One
 * record per migration (who asked, the target version, the mapping, how far the signalling got)
 * and one outcome per run, written by the run itself when it applies the move (keyed by
 * migration and workflow id, so a retried write counts once).
 */

/** What one run did with the migration. */
export const MigrationOutcome = z.object({
  migrationId: z.string(),
  workflowId: z.string(),
  customerId: z.string(),
  fromVersion: z.number().int().positive(),
  outcome: z.enum(['moved', 'skipped']),
  reason: MigrationSkip.optional(),
  from: z.string().optional(),
  to: z.string().optional(),
});
export type MigrationOutcome = z.infer<typeof MigrationOutcome>;

interface MigrationDocument extends Omit<MigrationRecord, 'id'> {
  _id: string;
}
interface OutcomeDocument extends MigrationOutcome {
  _id: string;
  at: string;
}

function migrations(db: Db) {
  return db.collection<MigrationDocument>('journeyMigrations');
}
function outcomes(db: Db) {
  return db.collection<OutcomeDocument>('migrationOutcomes');
}

export const migrationOutcomeIndexes = [{ key: { migrationId: 1 } }] as const;

/** Stores a new migration (status running, nothing signalled yet). */
export async function createMigration(db: Db, input: Pick<MigrationRecord, 'id' | 'journeyId' | 'version' | 'mapping' | 'requestedBy'>, now: Date): Promise<MigrationRecord> {
  const record = validateDocument(MigrationRecord, { ...input, createdAt: now.toISOString(), status: 'running', signalled: 0, ended: 0, failed: 0 }, 'journeyMigrations', input.id);
  const { id, ...rest } = record;
  await migrations(db).insertOne({ _id: id, ...rest });
  return record;
}

/** The migration `id`, or null. */
export async function getMigration(db: Db, id: string): Promise<MigrationRecord | null> {
  const doc = await migrations(db).findOne({ _id: id });
  return doc === null ? null : validateDocument(MigrationRecord, withId(doc), 'journeyMigrations', id);
}

/** The signalling counts so far (the workflow's totals, set rather than added: a retry writes the same). */
export async function recordMigrationSignalling(db: Db, id: string, counts: { signalled: number; ended: number; failed: number; done: boolean }, now: Date): Promise<void> {
  const { done, ...rest } = counts;
  await migrations(db).updateOne({ _id: id }, { $set: { ...rest, ...(done ? { status: 'completed' as const, finishedAt: now.toISOString() } : {}) } });
}

/** Records what one run did (idempotent: one document per migration and run). */
export async function recordMigrationOutcome(db: Db, outcome: MigrationOutcome, now: Date): Promise<void> {
  const doc = validateDocument(MigrationOutcome, outcome, 'migrationOutcomes', `${outcome.migrationId}|${outcome.workflowId}`);
  await outcomes(db).updateOne({ _id: `${doc.migrationId}|${doc.workflowId}` }, { $set: { ...doc, at: now.toISOString() } }, { upsert: true });
}

/** Runs moved and skipped (by reason) so far: one read of the migration's outcomes. */
export async function migrationOutcomeCounts(db: Db, id: string): Promise<{ moved: number; skipped: Partial<Record<MigrationSkip, number>> }> {
  const docs = await outcomes(db).find({ migrationId: id }, { projection: { outcome: 1, reason: 1 } }).toArray();
  const skipped: Partial<Record<MigrationSkip, number>> = {};
  let moved = 0;
  for (const doc of docs) {
    if (doc.outcome === 'moved') moved++;
    else if (doc.reason !== undefined) skipped[doc.reason] = (skipped[doc.reason] ?? 0) + 1;
  }
  return { moved, skipped };
}

/**
 * How many running runs of a journey wait at each step, per version (older than `below` only):
 * one read of the journey's running runs (the `journeyId_1_status_1_nodeId_1_since_1__id_1` index), counted here.
 */
export async function waitingByVersion(db: Db, journeyId: string, below: number): Promise<WaitingAt[]> {
  const docs = await runsCollection(db)
    .find({ journeyId, status: 'running' }, { projection: { version: 1, nodeId: 1 } })
    .toArray();
  const counts = new Map<string, WaitingAt>();
  for (const doc of docs) {
    if (doc.version >= below || doc.nodeId === null) continue;
    const key = `${doc.version}:${doc.nodeId}`;
    const at = counts.get(key) ?? { version: doc.version, nodeId: doc.nodeId, waiting: 0 };
    at.waiting++;
    counts.set(key, at);
  }
  return [...counts.values()].sort((a, b) => a.version - b.version || b.waiting - a.waiting);
}

/** A page of the workflow ids of a journey's running runs on versions below `below`, by id. */
export async function runsToMigrate(db: Db, journeyId: string, below: number, page: { limit: number; cursor?: string | undefined }): Promise<Page<string>> {
  const result = await paginate(runsCollection(db), { journeyId, status: 'running', version: { $lt: below } }, page);
  return { items: result.items.map((doc) => doc._id), nextCursor: result.nextCursor };
}

/**
 * The plan of moving every running run of a journey (versions up to `latest`) to `to`: the
 * waiting counts from the run records, each old version's definition, and the core's rule.
 */
export async function migrationPlan(db: Db, journeyId: string, latest: number, to: JourneyDefinition, mapping: MigrationMapping): Promise<{ rows: MigrationRow[]; issues: MigrationIssue[] }> {
  const waiting = await waitingByVersion(db, journeyId, latest + 1);
  const from = new Map<number, JourneyDefinition>();
  for (const version of new Set(waiting.map((w) => w.version))) {
    const record = await getVersion(db, journeyId, version);
    if (record !== null) from.set(version, record.definition);
  }
  return planMigration(from, to, waiting, mapping);
}
