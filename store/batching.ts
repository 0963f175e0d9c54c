// Many callers' single-document calls as one round trip each: a campaign page runs the first
// steps of many customers at once through the same code a run uses (one insert for a send's
// ledger claim, one read of the customer, one update for its completion…). Through a batching
// database, the calls those customers make in the same turn of the event loop go out together:
// `insertOne`s as one unordered `insertMany`, `findOne({ _id })`s as one `find({ _id: { $in } })`,
// and, when asked, `updateOne`s as one unordered `bulkWrite`. Each caller gets its own answer (a duplicate key is
// still its own error), so code written for one document keeps its meaning — the ledger key
// that makes an effect exactly once is untouched. On FerretDB's SQLite backend a round trip
// costs far more than a document in it, so a page of 100 customers takes a handful of round
// trips per step instead of hundreds.
import { MongoBulkWriteError, MongoServerError } from 'mongodb';
import type { AnyBulkWriteOperation, Collection, Db, Document } from 'mongodb';

interface Waiter<R> {
  resolve(result: R): void;
  reject(error: unknown): void;
}

/**
 * An update batched with others whose per-document outcome the bulk answer cannot tell (fewer
 * documents matched or changed than were sent): retryable, like a lost reply — the update may
 * have been applied, and callers already write updates that are safe to repeat or to find done.
 */
export class AmbiguousBatchError extends Error {
  override name = 'AmbiguousBatchError';
}

/** Calls queued on one collection until the end of the current turn. */
function batcher(collection: Collection<Document>) {
  let inserts: Array<{ doc: Document } & Waiter<{ acknowledged: true; insertedId: unknown }>> = [];
  let finds: Array<{ id: string } & Waiter<Document | null>> = [];
  let updates: Array<{ filter: Document; update: Document } & Waiter<{ acknowledged: true; matchedCount: number; modifiedCount: number; upsertedCount: 0; upsertedId: null }>> = [];
  let scheduled = false;

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      const batch = { inserts, finds, updates };
      inserts = [];
      finds = [];
      updates = [];
      void flushInserts(batch.inserts);
      void flushFinds(batch.finds);
      void flushUpdates(batch.updates);
    });
  };

  async function flushInserts(queue: typeof inserts): Promise<void> {
    if (queue.length === 0) return;
    if (queue.length === 1) {
      const [only] = queue;
      if (only !== undefined) await collection.insertOne(only.doc).then(() => only.resolve({ acknowledged: true, insertedId: only.doc['_id'] }), only.reject);
      return;
    }
    try {
      await collection.insertMany(
        queue.map((q) => q.doc),
        { ordered: false },
      );
      for (const q of queue) q.resolve({ acknowledged: true, insertedId: q.doc['_id'] });
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError)) {
        for (const q of queue) q.reject(error);
        return;
      }
      const failed = new Map<number, MongoServerError>();
      const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
      for (const w of writeErrors) failed.set(w.index, new MongoServerError({ message: w.errmsg ?? 'write error', errmsg: w.errmsg, code: w.code }));
      // A write concern error (or none listed) leaves every outcome unknown: like a lost reply.
      const unknown = failed.size === 0 ? error : null;
      queue.forEach((q, i) => {
        const own = failed.get(i);
        if (own !== undefined) q.reject(own);
        else if (unknown !== null) q.reject(unknown);
        else q.resolve({ acknowledged: true, insertedId: q.doc['_id'] });
      });
    }
  }

  async function flushFinds(queue: typeof finds): Promise<void> {
    if (queue.length === 0) return;
    try {
      const ids = [...new Set(queue.map((q) => q.id))];
      const found = new Map<unknown, Document>();
      for (const doc of await collection.find({ _id: { $in: ids } } as Document).toArray()) found.set(doc['_id'], doc);
      for (const q of queue) q.resolve(found.get(q.id) ?? null);
    } catch (error) {
      for (const q of queue) q.reject(error);
    }
  }

  async function flushUpdates(queue: typeof updates): Promise<void> {
    if (queue.length === 0) return;
    if (queue.length === 1) {
      const [only] = queue;
      if (only === undefined) return;
      await collection.updateOne(only.filter, only.update).then(
        (r) => only.resolve({ acknowledged: true, matchedCount: r.matchedCount, modifiedCount: r.modifiedCount, upsertedCount: 0, upsertedId: null }),
        only.reject,
      );
      return;
    }
    try {
      const ops: Array<AnyBulkWriteOperation<Document>> = queue.map((q) => ({ updateOne: { filter: q.filter, update: q.update } }));
      const result = await collection.bulkWrite(ops, { ordered: false });
      const all = result.matchedCount === queue.length && result.modifiedCount === queue.length;
      for (const q of queue) {
        if (all) q.resolve({ acknowledged: true, matchedCount: 1, modifiedCount: 1, upsertedCount: 0, upsertedId: null });
        else q.reject(new AmbiguousBatchError(`${queue.length - result.modifiedCount} of ${queue.length} batched updates on ${collection.collectionName} changed nothing`));
      }
    } catch (error) {
      for (const q of queue) q.reject(error);
    }
  }

  return {
    insertOne: (doc: Document) =>
      new Promise<{ acknowledged: true; insertedId: unknown }>((resolve, reject) => {
        inserts.push({ doc, resolve, reject });
        schedule();
      }),
    findById: (id: string) =>
      new Promise<Document | null>((resolve, reject) => {
        finds.push({ id, resolve, reject });
        schedule();
      }),
    updateOne: (filter: Document, update: Document) =>
      new Promise<{ acknowledged: true; matchedCount: number; modifiedCount: number; upsertedCount: 0; upsertedId: null }>((resolve, reject) => {
        updates.push({ filter, update, resolve, reject });
        schedule();
      }),
  };
}

/** A plain `{ _id: string }` filter: the only reads that batch. */
function idOf(filter: unknown): string | null {
  if (typeof filter !== 'object' || filter === null) return null;
  const keys = Object.keys(filter);
  const id = (filter as { _id?: unknown })._id;
  return keys.length === 1 && typeof id === 'string' ? id : null;
}

/**
 * `db`, with the single-document calls made without options (`insertOne`, `findOne` by `_id`,
 * and on the collections `batchUpdates` names, `updateOne` without an upsert) batched per
 * collection and turn of the event loop; everything else goes straight through. A campaign page
 * batches the updates of the send ledger (`messages`: a send's completion, its lease), whose
 * every update is guarded by the row's status or lease and safe to repeat: an update batch whose
 * answer cannot tell which update changed nothing fails each of its callers as retryable, and
 * the run then does that send's step again under the same key and finds it done. Counters
 * (`$inc`) are never batched: a failed caller that retried would count twice. (A page's bulk
 * update of 250 completions once stalled the embedded FerretDB: FerretDB 1.24 held a pooled
 * connection per `updateOne` of a command until the command ended, so a command of over 99 never
 * returned; the patch, build waymark8, ends each statement's read.) Meant for one unit of
 * concurrent work (a campaign page), not to be kept: it holds nothing between turns.
 */
export function batchingDb(db: Db, { batchUpdates = false }: { batchUpdates?: boolean | readonly string[] } = {}): Db {
  const collections = new Map<string, Collection<Document>>();
  const wrap = (name: string): Collection<Document> => {
    const real = db.collection(name);
    const updatesBatched = batchUpdates === true || (Array.isArray(batchUpdates) && batchUpdates.includes(name));
    const batch = batcher(real);
    return new Proxy(real, {
      get(target, property, receiver) {
        if (property === 'insertOne') return (doc: Document, options?: unknown) => (options === undefined ? batch.insertOne(doc) : target.insertOne(doc, options as never));
        if (property === 'findOne') {
          return (filter?: unknown, options?: unknown) => {
            const id = options === undefined ? idOf(filter) : null;
            return id === null ? target.findOne(filter as never, options as never) : batch.findById(id);
          };
        }
        if (property === 'updateOne' && updatesBatched) {
          return (filter: Document, update: Document, options?: unknown) =>
            options === undefined && !Array.isArray(update) && !('$inc' in update) ? batch.updateOne(filter, update) : target.updateOne(filter, update, options as never);
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  };
  return new Proxy(db, {
    get(target, property, receiver) {
      if (property === 'collection') {
        return (name: string, options?: unknown) => {
          if (options !== undefined) return target.collection(name, options as never);
          let found = collections.get(name);
          if (found === undefined) collections.set(name, (found = wrap(name)));
          return found;
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
