import { z } from 'zod';
import type { Db } from 'mongodb';
import { Channel } from '../journey/customer.ts';
import { JourneyPriority } from '../journey/settings.ts';
import { isDuplicateKeyError, validateDocument } from './documents.ts';

/**
 * The cap book: per customer and channel, the slots that sends of capped journeys were granted
 * (ARCHITECTURE.md, "Priorities across journeys"). A grant is one compare-and-set on the book's
 * `version` (an insert the first time), so of two sends deciding at once on the last slot one
 * wins and the other decides again, seeing the winner's slot.
 */

export const CapGrant = z.object({
  /** The ledger key of the send. */
  key: z.string(),
  at: z.iso.datetime(),
  journeyId: z.string().optional(),
  journeyName: z.string().optional(),
  priority: JourneyPriority.optional(),
});
export type CapGrant = z.infer<typeof CapGrant>;

const CapBook = z.object({ id: z.string(), customerId: z.string(), channel: Channel, version: z.number().int().nonnegative(), grants: z.array(CapGrant) });
export type CapBook = z.infer<typeof CapBook>;

interface CapBookDocument extends Omit<CapBook, 'id'> {
  _id: string;
}

const name = 'capBooks';
/** Grants older than a year leave the book (no cap window is longer); at most this many stay. */
const keepMs = 366 * 86_400_000;
const keepCount = 200;

function books(db: Db) {
  return db.collection<CapBookDocument>(name);
}

function bookId(customerId: string, channel: Channel): string {
  return `${channel}:${customerId}`;
}

/** The book of a customer's channel; version 0 and no grants when none was written yet. */
export async function readCapBook(db: Db, customerId: string, channel: Channel): Promise<CapBook> {
  const id = bookId(customerId, channel);
  const doc = await books(db).findOne({ _id: id });
  if (doc === null) return { id, customerId, channel, version: 0, grants: [] };
  const { _id, ...rest } = doc;
  return validateDocument(CapBook, { id: _id, ...rest }, name, _id);
}

/**
 * Adds `grant` to `book` if nobody changed the book since it was read; false when someone did
 * (read it again and decide again).
 */
export async function addCapGrant(db: Db, book: CapBook, grant: CapGrant, now: Date): Promise<boolean> {
  const oldest = now.getTime() - keepMs;
  const grants = [...book.grants.filter((g) => Date.parse(g.at) >= oldest), grant].slice(-keepCount);
  if (book.version === 0) {
    try {
      await books(db).insertOne({ _id: book.id, customerId: book.customerId, channel: book.channel, version: 1, grants });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }
  const result = await books(db).updateOne({ _id: book.id, version: book.version }, { $set: { version: book.version + 1, grants } });
  return result.modifiedCount === 1;
}

/** Removes a customer's books (erasure). */
export async function deleteCapBooks(db: Db, customerId: string): Promise<number> {
  const result = await books(db).deleteMany({ _id: { $in: Channel.options.map((c) => bookId(customerId, c)) } });
  return result.deletedCount;
}
