import { MongoBulkWriteError, MongoServerError } from 'mongodb';
import type { Collection, Document, Filter, OptionalUnlessRequiredId, Sort } from 'mongodb';
import type { z } from 'zod';
import { PageCursor } from '../journey/index.ts';

/**
 * Shared helpers of the repositories: validation of what goes in and comes out of a
 * collection, cursor pagination, and recognising duplicate-key errors.
 */

/** One field of a document that does not match its schema. */
export interface FieldIssue {
  /** Dotted path inside the document, e.g. `consent.email` or `tags[2]`. */
  path: string;
  message: string;
}

/** Renders a zod issue path (`['rows', 3, 'email']`) as `rows[3].email`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** Converts zod issues into field issues, prefixing each path (e.g. `body`). */
export function issuesOf(error: z.ZodError, prefix: readonly PropertyKey[] = []): FieldIssue[] {
  return flatten(error.issues, prefix);
}

function flatten(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[]): FieldIssue[] {
  return issues.flatMap((issue) => {
    const at = [...prefix, ...issue.path];
    // `unrecognized_keys` reports the parent path: name each unknown key instead.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: formatPath([...at, key]), message: 'unknown field' }));
    }
    // A union (e.g. one event or a batch): report the alternative the input came closest to.
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const closest = [...issue.errors].sort((a, b) => a.length - b.length)[0] ?? [];
      if (closest.length > 0) return flatten(closest, at);
    }
    return [{ path: formatPath(at), message: issue.message }];
  });
}

/** A document that failed its schema on the way into or out of a collection. */
export class DocumentValidationError extends Error {
  override readonly name = 'DocumentValidationError';
  constructor(
    readonly collection: string,
    readonly documentId: string,
    readonly issues: FieldIssue[],
  ) {
    super(
      `${collection}/${documentId} does not match its schema: ` +
        issues.map((i) => `${i.path || '(document)'}: ${i.message}`).join('; '),
    );
  }
}

/** Parses `value` with `schema`, throwing a `DocumentValidationError` naming each bad field. */
export function validateDocument<S extends z.ZodType>(
  schema: S,
  value: unknown,
  collection: string,
  documentId: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new DocumentValidationError(collection, documentId, issuesOf(result.error));
  return result.data;
}

/** Moves Mongo's `_id` to the domain's `id`. */
export function withId<T extends { _id: string }>(doc: T): Omit<T, '_id'> & { id: string } {
  const { _id, ...rest } = doc;
  return { ...rest, id: _id };
}

/** True when `error` is MongoDB's (or FerretDB's) duplicate-key error. */
export function isDuplicateKeyError(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}

/** One page of a list, and the cursor for the next page (null on the last one). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Page request: how many, and where to continue. */
export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

/** A cursor that is not one this server hands out (see `PageCursor`). */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  constructor() {
    super('cursor is not valid: pass the nextCursor of the previous page unchanged');
  }
}

type CursorValue = string | number | boolean | null;

const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/** The cursor of a position: the sort value and the id (what `paginate` hands out). */
export function encodeCursor(value: CursorValue, id: string): string {
  const head =
    typeof value === 'string' ? `s${base64url(value)}` : typeof value === 'number' && Number.isFinite(value) ? `n${value}` : value === true ? 't' : value === false ? 'f' : 'z';
  return `${head}.${base64url(id)}`;
}

/** Reads a cursor of the `PageCursor` form: every such string is a position. */
export function decodeCursor(cursor: string): [CursorValue, string] {
  if (!PageCursor.safeParse(cursor).success) throw new InvalidCursorError();
  const dot = cursor.lastIndexOf('.');
  const head = cursor.slice(0, dot);
  const id = Buffer.from(cursor.slice(dot + 1), 'base64url').toString('utf8');
  if (head === 't' || head === 'f') return [head === 't', id];
  if (head === 'z') return [null, id];
  if (head.startsWith('n')) return [Math.max(-Number.MAX_VALUE, Math.min(Number.MAX_VALUE, Number(head.slice(1)))), id];
  return [Buffer.from(head.slice(1), 'base64url').toString('utf8'), id];
}

function readPath(doc: Document, path: string): CursorValue {
  let value: unknown = doc;
  for (const part of path.split('.')) {
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined;
  }
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : null;
}

/**
 * Keyset pagination on `(sortField, _id)`: stable under inserts and cheap on both MongoDB
 * and FerretDB (a plain `$or` range, no `skip`). Documents missing the sort field sort as
 * null and are only reachable when sorting by `_id`, so sort on fields every document has.
 *
 * @example paginate(db.collection('tasks'), { status: 'open' }, { limit: 50 }, { field: 'dueAt' })
 */
export async function paginate<T extends Document & { _id: string }>(
  collection: Collection<T>,
  filter: Filter<T>,
  page: PageRequest,
  order: { field: string; direction?: 1 | -1 } = { field: '_id' },
): Promise<Page<T>> {
  const direction = order.direction ?? 1;
  const op = direction === 1 ? '$gt' : '$lt';
  let query: Filter<T> = filter;
  if (page.cursor !== undefined) {
    const [value, id] = decodeCursor(page.cursor);
    const after =
      order.field === '_id'
        ? { _id: { [op]: id } }
        : { $or: [{ [order.field]: { [op]: value } }, { [order.field]: value, _id: { [op]: id } }] };
    query = { $and: [filter, after] } as Filter<T>;
  } else if (order.field === '_id') {
    // Every id is a string, so this matches them all; it makes the first page the same keyset
    // page as the next ones, which the patched FerretDB reads from an index (see ARCHITECTURE.md).
    query = { $and: [filter, { _id: { $gte: '' } }] } as Filter<T>;
  }
  const sort: Sort = order.field === '_id' ? { _id: direction } : { [order.field]: direction, _id: direction };
  const docs = (await collection.find(query).sort(sort).limit(page.limit + 1).toArray()) as T[];
  const items = docs.slice(0, page.limit);
  const last = items.at(-1);
  const nextCursor =
    docs.length > page.limit && last !== undefined ? encodeCursor(readPath(last, order.field), last._id) : null;
  return { items, nextCursor };
}

/** Escapes user text for use inside a `$regex` (prefix searches). */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Inserts documents unordered; returns the indexes that were already there (duplicate `_id`). */
export async function insertManyNew<T extends Document & { _id: string }>(collection: Collection<T>, docs: readonly T[]): Promise<Set<number>> {
  const duplicates = new Set<number>();
  if (docs.length === 0) return duplicates;
  try {
    await collection.insertMany(docs as OptionalUnlessRequiredId<T>[], { ordered: false });
  } catch (error) {
    if (!(error instanceof MongoBulkWriteError)) throw error;
    const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
    for (const writeError of writeErrors) {
      if (writeError.code !== 11000) throw error;
      duplicates.add(writeError.index);
    }
  }
  return duplicates;
}
