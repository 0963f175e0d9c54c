import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Db } from 'mongodb';
import { isDuplicateKeyError, paginate, validateDocument, withId } from './documents.ts';
import type { Page, PageRequest } from './documents.ts';

/**
 * API keys. Only a SHA-256 of each key is stored: keys are long random strings, so a fast
 * hash is enough (there is no low-entropy password to brute-force), and lookups stay one
 * indexed find.
 */

export const ApiKeyRole = z.enum(['admin', 'marketer', 'operator', 'viewer', 'ingest']);
export type ApiKeyRole = z.infer<typeof ApiKeyRole>;

const ApiKeyRecord = z.object({
  id: z.string(),
  name: z.string().min(1).max(100),
  role: ApiKeyRole,
  /** First characters of the key, so people can tell keys apart without the secret. */
  prefix: z.string(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.iso.datetime(),
  revokedAt: z.iso.datetime().optional(),
});
export type ApiKeyRecord = z.infer<typeof ApiKeyRecord>;

interface ApiKeyDocument extends Omit<ApiKeyRecord, 'id'> {
  _id: string;
}

const name = 'apiKeys';

export const apiKeyIndexes = [{ key: { hash: 1 }, unique: true }] as const;

function keys(db: Db) {
  return db.collection<ApiKeyDocument>(name);
}

function hashKey(plaintext: string): string {
  return createHash('sha256').update(plaintext).digest('hex');
}

function toRecord(doc: ApiKeyDocument): ApiKeyRecord {
  return validateDocument(ApiKeyRecord, withId(doc), name, doc._id);
}

/** Keys are at least this long, so a stored hash cannot be reversed by guessing. */
const minimumKeyLength = 24;

async function store(db: Db, plaintext: string, input: { name: string; role: ApiKeyRole }, now: Date) {
  const id = `key_${randomBytes(6).toString('hex')}`;
  const record = validateDocument(
    ApiKeyRecord,
    { id, ...input, prefix: `${plaintext.slice(0, 8)}…`, hash: hashKey(plaintext), createdAt: now.toISOString() },
    name,
    id,
  );
  const { id: _omit, ...rest } = record;
  await keys(db).insertOne({ _id: id, ...rest });
  return record;
}

/** Creates a key; the plaintext is returned once and never stored. */
export async function createApiKey(
  db: Db,
  input: { name: string; role: ApiKeyRole },
  now: Date,
): Promise<{ record: ApiKeyRecord; plaintext: string }> {
  const plaintext = `wmk_${randomBytes(32).toString('base64url')}`;
  return { record: await store(db, plaintext, input, now), plaintext };
}

/**
 * Registers a key whose plaintext the operator chose (e.g. the admin key `npm start` prints),
 * unless it is already registered. Idempotent.
 */
export async function registerApiKey(
  db: Db,
  plaintext: string,
  input: { name: string; role: ApiKeyRole },
  now: Date,
): Promise<ApiKeyRecord> {
  if (plaintext.length < minimumKeyLength) throw new Error(`an API key must be at least ${minimumKeyLength} characters long`);
  const existing = await keys(db).findOne({ hash: hashKey(plaintext) });
  if (existing !== null) return toRecord(existing);
  try {
    return await store(db, plaintext, input, now);
  } catch (error) {
    // Two processes registering the same key at start-up: the unique hash index decides.
    const winner = isDuplicateKeyError(error) ? await keys(db).findOne({ hash: hashKey(plaintext) }) : null;
    if (winner === null) throw error;
    return toRecord(winner);
  }
}

/**
 * The key record a plaintext key belongs to, or null (unknown or revoked). Looked up by the
 * SHA-256 of the whole key, so the secret itself is never compared or stored.
 */
export async function verifyApiKey(db: Db, plaintext: string): Promise<ApiKeyRecord | null> {
  if (plaintext.length < minimumKeyLength || plaintext.length > 512) return null;
  const doc = await keys(db).findOne({ hash: hashKey(plaintext) });
  if (doc === null || doc.revokedAt !== undefined) return null;
  return toRecord(doc);
}

/** One page of keys (never their secrets). */
export async function listApiKeys(db: Db, page: PageRequest): Promise<Page<ApiKeyRecord>> {
  const result = await paginate(keys(db), {}, page);
  return { items: result.items.map(toRecord), nextCursor: result.nextCursor };
}

/** Revokes a key; returns the record or null if unknown. */
export async function revokeApiKey(db: Db, keyId: string, now: Date): Promise<ApiKeyRecord | null> {
  const doc = await keys(db).findOneAndUpdate(
    { _id: keyId },
    { $set: { revokedAt: now.toISOString() } },
    { returnDocument: 'after' },
  );
  return doc === null ? null : toRecord(doc);
}

/** How many admin keys are not revoked (a lone admin may approve their own requests). */
export async function countActiveAdmins(db: Db): Promise<number> {
  return keys(db).countDocuments({ role: 'admin', revokedAt: { $exists: false } });
}
