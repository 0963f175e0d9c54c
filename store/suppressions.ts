import { z } from 'zod';
import type { Db } from 'mongodb';
import { Channel } from '../journey/customer.ts';
import { paginate, validateDocument } from './documents.ts';
import type { Page, PageRequest } from './documents.ts';

/**
 * Addresses and numbers that must never be messaged on a channel, whatever the profile says:
 * an SMS STOP arrives for a number, not a customer, and a bounce for an address.
 */

export const SuppressionReason = z.enum(['unsubscribe', 'stop', 'bounce', 'complaint', 'manual']);
export type SuppressionReason = z.infer<typeof SuppressionReason>;

export const SuppressionRecord = z.object({
  channel: Channel,
  /** Lower-cased email address or E.164 number. */
  address: z.string().min(1).max(320),
  reason: SuppressionReason,
  customerId: z.string().optional(),
  at: z.iso.datetime(),
});
export type SuppressionRecord = z.infer<typeof SuppressionRecord>;

interface SuppressionDocument extends SuppressionRecord {
  _id: string;
}

const name = 'suppressions';

function suppressions(db: Db) {
  return db.collection<SuppressionDocument>(name);
}

export const suppressionIndexes = [{ key: { customerId: 1 } }] as const;

function normalise(channel: Channel, address: string): string {
  return channel === 'email' ? address.trim().toLowerCase() : address.trim();
}

function idOf(channel: Channel, address: string): string {
  return `${channel}:${normalise(channel, address)}`;
}

/** Suppresses an address on a channel (idempotent: the first reason is kept). */
export async function suppress(
  db: Db,
  input: Omit<SuppressionRecord, 'at'>,
  now: Date,
): Promise<SuppressionRecord> {
  const record = validateDocument(
    SuppressionRecord,
    { ...input, address: normalise(input.channel, input.address), at: now.toISOString() },
    name,
    idOf(input.channel, input.address),
  );
  await suppressions(db).updateOne({ _id: idOf(record.channel, record.address) }, { $setOnInsert: record }, { upsert: true });
  return (await getSuppression(db, record.channel, record.address)) ?? record;
}

/** Lifts a suppression (e.g. the customer texted START); true when there was one. */
export async function unsuppress(db: Db, channel: Channel, address: string): Promise<boolean> {
  return (await suppressions(db).deleteOne({ _id: idOf(channel, address) })).deletedCount === 1;
}

/** The suppression of an address, or null when it may be messaged. */
export async function getSuppression(db: Db, channel: Channel, address: string): Promise<SuppressionRecord | null> {
  const doc = await suppressions(db).findOne({ _id: idOf(channel, address) });
  if (doc === null) return null;
  const { _id, ...rest } = doc;
  return validateDocument(SuppressionRecord, rest, name, _id);
}

/** One page of suppressions, ordered by channel and address. */
export async function listSuppressions(db: Db, page: PageRequest): Promise<Page<SuppressionRecord>> {
  const result = await paginate(suppressions(db), {}, page);
  return {
    items: result.items.map(({ _id, ...rest }) => validateDocument(SuppressionRecord, rest, name, _id)),
    nextCursor: result.nextCursor,
  };
}
