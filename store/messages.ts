import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { MongoBulkWriteError } from 'mongodb';
import type { Db, Filter } from 'mongodb';
import { CapNote } from '../journey/caps.ts';
import type { CappedStep } from '../journey/caps.ts';
import { Channel, CustomerId } from '../journey/customer.ts';
import { JourneyPriority } from '../journey/settings.ts';
import { isDuplicateKeyError, paginate, validateDocument, withId } from './documents.ts';
import type { Page, PageRequest } from './documents.ts';

/**
 * The message ledger: one record per send, unique by its deterministic key (workflow id +
 * node id + visit). A retried or replayed activity finds the record and does not send again.
 */

export const MessageStatus = z.enum([
  'pending',
  'sent',
  'delivered',
  'opened',
  'clicked',
  'failed',
  'undelivered',
  'bounced',
  'suppressed',
]);
export type MessageStatus = z.infer<typeof MessageStatus>;

/**
 * The claim of one attempt on a pending message: only the holder of an unexpired lease hands
 * the message to the provider. `since` is when it was taken (a provider lookup after a crash
 * looks from there); `released` says the holder let go without handing anything over (a
 * deferral, an error before the hand-over), so the next attempt need not ask the provider.
 */
export const SendLease = z.object({
  attempt: z.number().int().nonnegative(),
  holder: z.string().min(1).max(200),
  since: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  released: z.boolean().optional(),
  /** A deferral (quiet hours, a frequency cap): the run comes back for the message then. */
  deferredUntil: z.iso.datetime().optional(),
});
export type SendLease = z.infer<typeof SendLease>;

export const MessageRecord = z.object({
  id: z.string(),
  key: z.string().min(1).max(300),
  channel: Channel,
  customerId: CustomerId,
  journeyId: z.string().optional(),
  templateId: z.string().optional(),
  /** Address or E.164 number the message went to. */
  to: z.string().min(1).max(320),
  status: MessageStatus,
  providerId: z.string().optional(),
  error: z.string().max(2000).optional(),
  createdAt: z.iso.datetime(),
  /**
   * The wall-clock time of the first claim. `createdAt` is the activity's time, which follows the
   * Temporal server's clock and may run ahead of the provider's: a takeover asks the provider for
   * the message from the earlier of the two.
   */
  claimedAt: z.iso.datetime().optional(),
  updatedAt: z.iso.datetime(),
  history: z.array(z.object({ status: MessageStatus, at: z.iso.datetime(), detail: z.string().optional() })),
  /** Which attempt may hand the message to the provider, until when (see `takeOverLease`). */
  lease: SendLease.optional(),
  /**
   * Set when the send's journey caps its channel: the row is a claim that waits for a slot of the
   * cap book (store/capBook.ts) under its journey's priority, not a slot taken by itself.
   */
  cap: z.object({ priority: JourneyPriority.optional(), journeyName: z.string().optional() }).optional(),
  /** The latest time a shared frequency cap made it wait, or skip: who, and until when. */
  capped: CapNote.optional(),
});
export type MessageRecord = z.infer<typeof MessageRecord>;

export type NewMessage = Pick<MessageRecord, 'key' | 'channel' | 'customerId' | 'to'> &
  Partial<Pick<MessageRecord, 'journeyId' | 'templateId' | 'lease' | 'cap' | 'claimedAt'>>;

interface MessageDocument extends Omit<MessageRecord, 'id'> {
  _id: string;
}

const name = 'messages';

function messages(db: Db) {
  return db.collection<MessageDocument>(name);
}

export const messageIndexes = [
  { key: { key: 1 }, unique: true },
  { key: { providerId: 1 } },
  { key: { customerId: 1, createdAt: 1 } },
  { key: { journeyId: 1, status: 1 } },
  { key: { status: 1, 'lease.expiresAt': 1 } },
] as const;

/**
 * Which statuses a message may move to from each status: delivery reports arrive out of
 * order (Twilio may report `sent` after `delivered`), and a late report must not undo a
 * later state.
 */
const rank: Record<MessageStatus, number> = {
  pending: 0,
  sent: 1,
  delivered: 2,
  opened: 3,
  clicked: 4,
  failed: 5,
  undelivered: 5,
  bounced: 5,
  suppressed: 5,
};

function earlierThan(status: MessageStatus): MessageStatus[] {
  return MessageStatus.options.filter((s) => rank[s] < rank[status]);
}

function toRecord(doc: MessageDocument): MessageRecord {
  return validateDocument(MessageRecord, withId(doc), name, doc._id);
}

/** Records a pending send unless the key exists; returns the record and whether it is new. */
export async function recordPendingMessage(
  db: Db,
  input: NewMessage,
  now: Date,
): Promise<{ message: MessageRecord; created: boolean }> {
  const id = `msg_${randomUUID()}`;
  const at = now.toISOString();
  const record = validateDocument(
    MessageRecord,
    { ...input, id, status: 'pending', createdAt: at, updatedAt: at, history: [{ status: 'pending', at }] },
    name,
    input.key,
  );
  const { id: _omit, ...rest } = record;
  try {
    await messages(db).insertOne({ _id: id, ...rest });
    return { message: record, created: true };
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    const existing = await findMessageByKey(db, input.key);
    if (existing === null) throw error;
    return { message: existing, created: false };
  }
}

/** The ledger record of `key`, or null. */
export async function findMessageByKey(db: Db, key: string): Promise<MessageRecord | null> {
  const doc = await messages(db).findOne({ key });
  return doc === null ? null : toRecord(doc);
}

/** Moves a message forward (never backward); returns the record, or null when unchanged or unknown. */
async function advance(
  db: Db,
  filter: Filter<MessageDocument>,
  status: MessageStatus,
  fields: { providerId?: string | undefined; error?: string | undefined },
  now: Date,
): Promise<MessageRecord | null> {
  const at = now.toISOString();
  const set: Partial<MessageDocument> = { status, updatedAt: at };
  if (fields.providerId !== undefined) set.providerId = fields.providerId;
  if (fields.error !== undefined) set.error = fields.error;
  const entry = fields.error === undefined ? { status, at } : { status, at, detail: fields.error };
  const doc = await messages(db).findOneAndUpdate(
    { ...filter, status: { $in: earlierThan(status) } },
    { $set: set, $push: { history: entry } },
    { returnDocument: 'after' },
  );
  return doc === null ? null : toRecord(doc);
}

/** Updates the message with ledger key `key` (the sending activity). */
export function markMessage(
  db: Db,
  key: string,
  status: MessageStatus,
  fields: { providerId?: string | undefined; error?: string | undefined },
  now: Date,
): Promise<MessageRecord | null> {
  return advance(db, { key }, status, fields, now);
}

/** Updates the message the provider knows as `providerId` (delivery callbacks). */
export function markMessageByProviderId(
  db: Db,
  providerId: string,
  status: MessageStatus,
  fields: { error?: string | undefined },
  now: Date,
): Promise<MessageRecord | null> {
  return advance(db, { providerId }, status, fields, now);
}

// --- Leases: one attempt at a time hands a message to the provider -------------------------

function leases(db: Db) {
  return db.collection<{ _id: string; at: string }>('messageLeases');
}

/**
 * Takes the lease of a pending message whose previous lease (`previous`, as read) expired or was
 * released. Attempt numbers are claimed by an insert into `messageLeases` (`key#attempt`,
 * unique): of two attempts racing for the same expired lease exactly one wins, whatever the
 * database's update isolation. A claim whose attempt died before it wrote its lease on the row
 * (older than a lease, the row still on the previous attempt) is passed over: the next number is
 * claimed instead, so one crash between the two writes cannot hold the message forever. Returns
 * the new lease, or null when another attempt won.
 */
export async function takeOverLease(
  db: Db,
  message: Pick<MessageRecord, 'id' | 'key'>,
  previous: SendLease | undefined,
  holder: string,
  ttlMs: number,
  now: Date,
): Promise<SendLease | null> {
  let attempt = (previous?.attempt ?? 0) + 1;
  for (;;) {
    try {
      await leases(db).insertOne({ _id: `${message.key}#${attempt}`, at: now.toISOString() });
      break;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    const claim = await leases(db).findOne({ _id: `${message.key}#${attempt}` });
    // A live claim: another attempt is taking the row over now.
    if (claim === null || Date.parse(claim.at) + ttlMs > now.getTime()) return null;
    attempt += 1;
  }
  const lease: SendLease = { attempt, holder, since: now.toISOString(), expiresAt: new Date(now.getTime() + ttlMs).toISOString() };
  const result = await messages(db).updateOne(
    { _id: message.id, status: 'pending', ...(previous === undefined ? { lease: { $exists: false } } : { 'lease.attempt': previous.attempt }) },
    { $set: { lease } },
  );
  return result.modifiedCount === 1 ? lease : null;
}

/** Extends the holder's lease; false when it is no longer theirs (taken over, or the message ended). */
export async function renewLease(db: Db, id: string, lease: SendLease, ttlMs: number, now: Date): Promise<boolean> {
  const expiresAt = new Date(now.getTime() + ttlMs).toISOString();
  const result = await messages(db).updateOne({ _id: id, status: 'pending', 'lease.attempt': lease.attempt }, { $set: { 'lease.expiresAt': expiresAt } });
  return result.modifiedCount === 1;
}

/**
 * Lets go of a lease at once, so the next attempt need not wait for it to expire. `handedOver:
 * false` (a deferral, an error before the hand-over) also tells it that nothing reached the
 * provider; otherwise the next attempt asks the provider before sending.
 */
export async function releaseLease(db: Db, id: string, lease: SendLease, handedOver: boolean, now: Date, deferredUntil?: Date): Promise<void> {
  await messages(db).updateOne(
    { _id: id, status: 'pending', 'lease.attempt': lease.attempt },
    {
      $set: {
        'lease.expiresAt': now.toISOString(),
        ...(handedOver ? {} : { 'lease.released': true }),
        ...(deferredUntil === undefined ? {} : { 'lease.deferredUntil': deferredUntil.toISOString() }),
      },
    },
  );
}

/**
 * How long after its last attempt (or the end of its deferral) a pending message can still be
 * attempted: the sends' schedule-to-close deadline (three days, workflows/journey.ts) and an hour.
 */
export const abandonAfterMs = 3 * 86_400_000 + 3_600_000;

/**
 * Ends the messages no attempt can come back for: pending, their last lease ran out and their
 * deferral ended more than `abandonAfterMs` ago (the run ended, e.g. at its goal, while the send
 * waited for quiet hours to pass). They end `failed` with the reason and no longer count against
 * frequency caps. Returns how many ended.
 */
export async function endAbandonedMessages(db: Db, now: Date): Promise<number> {
  const before = new Date(now.getTime() - abandonAfterMs).toISOString();
  const at = now.toISOString();
  const detail = 'Abandoned: no attempt came back for this message';
  const result = await messages(db).updateMany(
    {
      status: 'pending',
      'lease.expiresAt': { $lt: before },
      $or: [{ 'lease.deferredUntil': { $exists: false } }, { 'lease.deferredUntil': { $lt: before } }],
    },
    { $set: { status: 'failed', error: detail, updatedAt: at }, $push: { history: { status: 'failed', at, detail } } },
  );
  return result.modifiedCount;
}

/** Filters of the message list. */
export interface MessageQuery {
  customerId?: string | undefined;
  journeyId?: string | undefined;
  status?: MessageStatus | undefined;
  providerId?: string | undefined;
}

/** One page of ledger records, oldest first. */
export async function listMessages(db: Db, query: MessageQuery, page: PageRequest): Promise<Page<MessageRecord>> {
  const filter: Filter<MessageDocument> = {};
  if (query.customerId !== undefined) filter.customerId = query.customerId;
  if (query.journeyId !== undefined) filter.journeyId = query.journeyId;
  if (query.status !== undefined) filter.status = query.status;
  if (query.providerId !== undefined) filter.providerId = query.providerId;
  const result = await paginate(messages(db), filter, page, { field: 'createdAt' });
  return { items: result.items.map(toRecord), nextCursor: result.nextCursor };
}

// --- Additions for the journey runtime (activities/) ---------------------------------------

/** Statuses that count against a frequency cap: claimed or on its way to the customer. */
const cappedStatuses: MessageStatus[] = ['pending', 'sent', 'delivered', 'opened', 'clicked'];

/** The customer's rows on `channel` claimed since `since` that count for frequency caps (pending or on their way). */
export async function capRows(
  db: Db,
  input: { customerId: string; channel: Channel; since: Date },
): Promise<Array<Pick<MessageRecord, 'key' | 'journeyId' | 'status' | 'createdAt' | 'cap' | 'lease'>>> {
  const docs = await messages(db)
    .find(
      { customerId: input.customerId, channel: input.channel, status: { $in: cappedStatuses }, createdAt: { $gte: input.since.toISOString() } },
      { projection: { key: 1, journeyId: 1, status: 1, createdAt: 1, cap: 1, lease: 1 } },
    )
    .toArray();
  return docs.map(({ _id, ...doc }) => doc);
}

/**
 * Notes on a pending row why a frequency cap made it wait (a line in its history too), or with
 * `skipped` ends it `failed`: the step takes its failed exit.
 */
export async function noteCapped(db: Db, id: string, note: CapNote, now: Date): Promise<void> {
  const at = now.toISOString();
  const skipped = note.outcome === 'skipped';
  const detail = skipped ? `Capped: ${note.detail}; skipped` : `${note.detail}; waits until ${note.until ?? at}`;
  const set: Record<string, unknown> = { capped: note, updatedAt: at, ...(skipped ? { status: 'failed', error: `Capped: ${note.detail}` } : {}) };
  await messages(db).updateOne({ _id: id, status: 'pending' }, { $set: set, $push: { history: { status: skipped ? 'failed' : 'pending', at, detail } } });
}

/**
 * The journey's messages a shared frequency cap made wait or skip, counted per step (the step is
 * the key's `…:{nodeId}:{visit}`) and per journey that went first.
 */
export async function cappedByStep(db: Db, journeyId: string): Promise<CappedStep[]> {
  const docs = await messages(db).find({ journeyId, capped: { $exists: true } }, { projection: { key: 1, capped: 1 } }).toArray();
  const steps = new Map<string, CappedStep>();
  for (const doc of docs) {
    const note = doc.capped;
    const nodeId = doc.key.split(':').at(-2);
    if (note === undefined || nodeId === undefined) continue;
    const step = steps.get(nodeId) ?? { nodeId, waited: 0, skipped: 0, by: [] };
    steps.set(nodeId, step);
    const field = note.outcome === 'skipped' ? 'skipped' : 'waited';
    step[field] += 1;
    let by = step.by.find((b) => b.journeyId === note.byJourneyId);
    if (by === undefined) {
      by = { ...(note.byJourneyId ? { journeyId: note.byJourneyId } : {}), ...(note.byJourneyName ? { journeyName: note.byJourneyName } : {}), ...(note.byPriority ? { priority: note.byPriority } : {}), waited: 0, skipped: 0 };
      step.by.push(by);
    }
    by[field] += 1;
  }
  return [...steps.values()];
}

/** Provider details of a send (e.g. SMS encoding and segment count), kept beside the record. */
export type MessageDetails = Record<string, string | number | boolean>;

/**
 * Marks the message with record id `id` (its `_id`), like `markMessage`; true when it moved. Lookups by `_id` are
 * the fast path on FerretDB, whose SQLite backend scans the collection for any other filter.
 */
export async function markMessageById(
  db: Db,
  id: string,
  status: MessageStatus,
  fields: { providerId?: string | undefined; error?: string | undefined; details?: MessageDetails | undefined },
  now: Date,
): Promise<boolean> {
  const at = now.toISOString();
  const set: Record<string, unknown> = { status, updatedAt: at };
  if (fields.providerId !== undefined) set['providerId'] = fields.providerId;
  if (fields.error !== undefined) set['error'] = fields.error;
  for (const [field, value] of Object.entries(fields.details ?? {})) set[`details.${field}`] = value;
  const entry = fields.error === undefined ? { status, at } : { status, at, detail: fields.error };
  // The same forward-only move as `advance`, details included, as a plain update (cheaper than
  // findAndModify on FerretDB, and the sender needs no document back).
  const result = await messages(db).updateOne({ _id: id, status: { $in: earlierThan(status) } }, { $set: set, $push: { history: entry } });
  return result.modifiedCount === 1;
}

/** The provider details stored with a send (e.g. SMS encoding and segments), or null. */
export async function getMessageDetails(db: Db, key: string): Promise<MessageDetails | null> {
  const doc = await db.collection<{ key: string; details?: MessageDetails }>(name).findOne({ key }, { projection: { details: 1 } });
  return doc?.details ?? null;
}

/**
 * The effect ledger: side effects that are not messages (webhook calls, journey starts by a
 * campaign or the date sweep) recorded under their idempotency key. The key is the `_id`, so
 * uniqueness needs no extra index.
 */
export const EffectStatus = z.enum(['pending', 'done', 'failed']);
export type EffectStatus = z.infer<typeof EffectStatus>;

export const EffectRecord = z.object({
  key: z.string().min(1).max(400),
  kind: z.string().min(1).max(64),
  customerId: z.string().optional(),
  journeyId: z.string().optional(),
  status: EffectStatus,
  /** What the effect produced (e.g. `started`, `skipped`, an HTTP status). */
  result: z.string().max(2000).optional(),
  /** A token of the call that created the record (tells a batch which claims are its own). */
  claimedBy: z.string().max(64).optional(),
  /**
   * Which step settled it, when a later step than the claim's first may (`startPage`: a
   * campaign's second pass): a retried step counts what its own earlier attempt settled.
   */
  settledBy: z.string().max(32).optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type EffectRecord = z.infer<typeof EffectRecord>;

interface EffectDocument extends Omit<EffectRecord, 'key'> {
  _id: string;
}

function effects(db: Db) {
  return db.collection<EffectDocument>('effects');
}

function toEffect(doc: EffectDocument): EffectRecord {
  const { _id, ...rest } = doc;
  return validateDocument(EffectRecord, { ...rest, key: _id }, 'effects', _id);
}

/** Claims an effect unless its key exists; returns the record and whether it is new. */
export async function claimEffect(
  db: Db,
  input: Pick<EffectRecord, 'key' | 'kind'> & Partial<Pick<EffectRecord, 'customerId' | 'journeyId'>>,
  now: Date,
): Promise<{ effect: EffectRecord; created: boolean }> {
  const at = now.toISOString();
  const record = validateDocument(EffectRecord, { ...input, status: 'pending', createdAt: at, updatedAt: at }, 'effects', input.key);
  const { key, ...rest } = record;
  try {
    await effects(db).insertOne({ _id: key, ...rest });
    return { effect: record, created: true };
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    const existing = await effects(db).findOne({ _id: key });
    if (existing === null) throw error;
    return { effect: toEffect(existing), created: false };
  }
}

/** Records how a claimed effect ended. */
export async function settleEffect(db: Db, key: string, status: EffectStatus, result: string, now: Date): Promise<void> {
  await effects(db).updateOne({ _id: key }, { $set: { status, result: result.slice(0, 2000), updatedAt: now.toISOString() } });
}

/** The effect recorded under `key`, or null. */
export async function findEffect(db: Db, key: string): Promise<EffectRecord | null> {
  const doc = await effects(db).findOne({ _id: key });
  return doc === null ? null : toEffect(doc);
}

/** How many effects of `kind` whose key starts with `prefix` ended in each result (campaign counts). */
export async function countEffectResults(db: Db, kind: string, prefix: string): Promise<Record<string, number>> {
  const docs = await effects(db)
    .find({ kind, _id: { $regex: `^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}` } }, { projection: { result: 1, status: 1 } })
    .toArray();
  const counts: Record<string, number> = {};
  for (const doc of docs) {
    const result = doc.result ?? doc.status;
    counts[result] = (counts[result] ?? 0) + 1;
  }
  return counts;
}

/**
 * Claims many effects (a campaign batch): returns each key's record and whether this call
 * created it. Keys that exist already keep their record. Existing keys are read first and only
 * the missing ones inserted, in one unordered `insertMany`; a token on each inserted record
 * tells this call's claims apart from a concurrent caller's, whatever the server reports about
 * duplicates (FerretDB and MongoDB report partial failures differently).
 */
export async function claimEffects(
  db: Db,
  inputs: ReadonlyArray<Pick<EffectRecord, 'key' | 'kind'> & Partial<Pick<EffectRecord, 'customerId' | 'journeyId'>>>,
  now: Date,
): Promise<Map<string, { effect: EffectRecord; created: boolean }>> {
  const at = now.toISOString();
  const token = randomUUID();
  const keys = inputs.map((input) => input.key);
  const claims = new Map<string, { effect: EffectRecord; created: boolean }>();
  // One read of the records that exist (a campaign's second pass finds all of them), whole.
  for (const doc of await effects(db).find({ _id: { $in: keys } }).toArray()) claims.set(doc._id, { effect: toEffect(doc), created: doc.claimedBy === token });
  const missing: EffectDocument[] = inputs
    .filter((input) => !claims.has(input.key))
    .map((input) => {
      const { key, ...rest } = validateDocument(EffectRecord, { ...input, status: 'pending', claimedBy: token, createdAt: at, updatedAt: at }, 'effects', input.key);
      return { _id: key, ...rest };
    });
  if (missing.length > 0) {
    let lost = true;
    try {
      await effects(db).insertMany(missing, { ordered: false });
      lost = false;
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError) && !isDuplicateKeyError(error)) throw error;
    }
    if (!lost) {
      // Every insert went in: these records are this call's, as written (no read back).
      for (const doc of missing) claims.set(doc._id, { effect: toEffect(doc), created: true });
    } else {
      // Some met a concurrent caller's record: read them back, the token tells whose each is.
      for (const doc of await effects(db).find({ _id: { $in: missing.map((d) => d._id) } }).toArray()) {
        claims.set(doc._id, { effect: toEffect(doc), created: doc.claimedBy === token });
      }
    }
  }
  // Anything still absent (an insert the server dropped): claim it on its own.
  for (const input of inputs) if (!claims.has(input.key)) claims.set(input.key, await claimEffect(db, input, now));
  return claims;
}

/**
 * Settles many claimed effects: one `updateMany` per distinct outcome (FerretDB 1.24 stalls on
 * large `bulkWrite`s of updates, and `_id $in` keeps it on its fast path).
 */
export async function settleEffects(
  db: Db,
  settlements: ReadonlyArray<{ key: string; status: EffectStatus; result: string }>,
  now: Date,
  settledBy?: string,
): Promise<void> {
  const groups = new Map<string, { status: EffectStatus; result: string; keys: string[] }>();
  for (const s of settlements) {
    const result = s.result.slice(0, 2000);
    const id = JSON.stringify([s.status, result]);
    const group = groups.get(id) ?? { status: s.status, result, keys: [] };
    group.keys.push(s.key);
    groups.set(id, group);
  }
  const at = now.toISOString();
  for (const group of groups.values()) {
    await effects(db).updateMany({ _id: { $in: group.keys } }, { $set: { status: group.status, result: group.result, updatedAt: at, ...(settledBy === undefined ? {} : { settledBy }) } });
  }
}
