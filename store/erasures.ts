import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Db } from 'mongodb';
import { isDuplicateKeyError } from './documents.ts';

/**
 * Erasure of a customer ("right to be forgotten") and its tombstone. The tombstone is keyed by
 * a hash of the customer id (an external id may itself be an address), so it holds nothing
 * personal, and it is written before anything is removed: from then on events for that id
 * are dropped, a profile is not created for them, and an erasure cut off half-way is finished
 * by erasing again. Suppressions are kept: they are what stops a re-imported address from
 * being mailed against its owner's wish.
 */

/** What an erasure removed (counts summed over every attempt). */
export const ErasureCounts = z.object({
  profile: z.number().int().nonnegative(),
  events: z.number().int().nonnegative(),
  journeysCancelled: z.number().int().nonnegative(),
  runRecords: z.number().int().nonnegative(),
  tasks: z.number().int().nonnegative(),
  coupons: z.number().int().nonnegative(),
  messagesRedacted: z.number().int().nonnegative(),
});
export type ErasureCounts = z.infer<typeof ErasureCounts>;

export const ErasureStatus = z.enum(['erasing', 'erased']);
export type ErasureStatus = z.infer<typeof ErasureStatus>;

interface ErasureDocument {
  /** `erasureId(customerId)`. */
  _id: string;
  status: ErasureStatus;
  requestedAt: string;
  finishedAt?: string;
  removed: ErasureCounts;
}

export interface Erasure {
  status: ErasureStatus;
  requestedAt: string;
  finishedAt?: string;
  removed: ErasureCounts;
}

const emptyCounts: ErasureCounts = { profile: 0, events: 0, journeysCancelled: 0, runRecords: 0, tasks: 0, coupons: 0, messagesRedacted: 0 };

function erasures(db: Db) {
  return db.collection<ErasureDocument>('erasures');
}

/** The tombstone's id: a hash of the customer id, so the tombstone holds no personal data. */
export function erasureId(customerId: string): string {
  return createHash('sha256').update(`waymark-erasure.v1:${customerId}`).digest('hex');
}

function toErasure(doc: ErasureDocument): Erasure {
  const { _id: _omit, ...rest } = doc;
  return { ...rest, removed: { ...emptyCounts, ...rest.removed } };
}

/** The erasure of `customerId`, finished or not, or null. */
export async function getErasure(db: Db, customerId: string): Promise<Erasure | null> {
  const doc = await erasures(db).findOne({ _id: erasureId(customerId) });
  return doc === null ? null : toErasure(doc);
}

/** Which of `customerIds` are erased or being erased (one `_id` query). */
export async function erasedAmong(db: Db, customerIds: Iterable<string>): Promise<Set<string>> {
  const byHash = new Map<string, string>();
  for (const id of customerIds) byHash.set(erasureId(id), id);
  if (byHash.size === 0) return new Set();
  const docs = await erasures(db).find({ _id: { $in: [...byHash.keys()] } }, { projection: { _id: 1 } }).toArray();
  return new Set(docs.flatMap((doc) => byHash.get(doc._id) ?? []));
}

/** Writes the tombstone (status `erasing`) unless one exists; returns the erasure as it stands. */
export async function beginErasure(db: Db, customerId: string, now: Date): Promise<Erasure> {
  const _id = erasureId(customerId);
  const fresh: ErasureDocument = { _id, status: 'erasing', requestedAt: now.toISOString(), removed: emptyCounts };
  try {
    await erasures(db).insertOne(fresh);
    return toErasure(fresh);
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    // Erasing again (a retry, or a sweep after a finished one): the same tombstone and report.
    await erasures(db).updateOne({ _id }, { $set: { status: 'erasing' } });
    const doc = await erasures(db).findOne({ _id });
    if (doc === null) throw new Error('the erasure record vanished while erasing');
    return toErasure(doc);
  }
}

/** Adds what one step removed to the erasure's counts (so a retry reports the whole erasure). */
export async function countRemoved(db: Db, customerId: string, removed: Partial<ErasureCounts>): Promise<void> {
  const inc = Object.fromEntries(Object.entries(removed).filter(([, n]) => n !== undefined && n > 0).map(([k, n]) => [`removed.${k}`, n]));
  if (Object.keys(inc).length > 0) await erasures(db).updateOne({ _id: erasureId(customerId) }, { $inc: inc });
}

/** Marks the erasure finished (when it first finished is kept); returns it. */
export async function finishErasure(db: Db, customerId: string, now: Date): Promise<Erasure> {
  const _id = erasureId(customerId);
  await erasures(db).updateOne({ _id }, { $set: { status: 'erased' } });
  await erasures(db).updateOne({ _id, finishedAt: { $exists: false } }, { $set: { finishedAt: now.toISOString() } });
  const doc = await erasures(db).findOne({ _id });
  if (doc === null) throw new Error('the erasure record vanished while finishing');
  return toErasure(doc);
}

/**
 * Removes the tombstones of finished erasures among `customerIds`: the integrator creates those
 * customers again on purpose (`PUT /customers/{id}`, an import). Returns the ids whose erasure
 * is still unfinished (they may not be created until it is). One `_id` query when none is erased.
 */
export async function liftFinishedErasures(db: Db, customerIds: readonly string[]): Promise<Set<string>> {
  const byHash = new Map(customerIds.map((id) => [erasureId(id), id]));
  if (byHash.size === 0) return new Set();
  const found = await erasures(db).find({ _id: { $in: [...byHash.keys()] } }, { projection: { _id: 1, status: 1 } }).toArray();
  const finished = found.filter((doc) => doc.status === 'erased').map((doc) => doc._id);
  if (finished.length > 0) await erasures(db).deleteMany({ _id: { $in: finished }, status: 'erased' });
  return new Set(found.filter((doc) => doc.status !== 'erased').flatMap((doc) => byHash.get(doc._id) ?? []));
}

/** The redacted form of a ledger row's address. */
export const erasedAddress = '[erased]';

/**
 * Keeps each message ledger row of the customer (its key still stops a replayed send, and it
 * still counts in delivery statistics) but redacts what could identify the person: the address,
 * provider details and error texts (which can quote the address).
 */
export async function redactCustomerMessages(db: Db, customerId: string, now: Date): Promise<number> {
  const messages = db.collection<{ _id: string; customerId: string; to: string; history?: Array<{ status: string; at: string; detail?: string }> }>('messages');
  let redacted = 0;
  for await (const doc of messages.find({ customerId, to: { $ne: erasedAddress } }, { projection: { _id: 1, history: 1 } })) {
    const history = (doc.history ?? []).map(({ status, at }) => ({ status, at }));
    const result = await messages.updateOne(
      { _id: doc._id },
      { $set: { to: erasedAddress, history, erasedAt: now.toISOString() }, $unset: { error: '', details: '' } },
    );
    redacted += result.modifiedCount;
  }
  return redacted;
}
