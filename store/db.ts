import { MongoClient } from 'mongodb';
import type { Db, IndexDirection } from 'mongodb';
import { apiKeyIndexes } from './apiKeys.ts';
import { campaignIndexes } from './campaigns.ts';
import { couponIndexes } from './coupons.ts';
import { customerIndexes } from './customers.ts';
import { eventIndexes, eventQueueIndexes } from './events.ts';
import { journeyIndexes, journeyVersionIndexes } from './journeys.ts';
import { messageIndexes } from './messages.ts';
import { suppressionIndexes } from './suppressions.ts';
import { runIndexes } from './runs.ts';
import { taskIndexes } from './tasks.ts';
import { templateIndexes } from './templates.ts';

/** One index of a collection: FerretDB accepts `unique` but not partial filters or TTL. */
export interface IndexSpec {
  key: Readonly<Record<string, IndexDirection>>;
  unique?: boolean;
}

/** Every collection and its indexes. `_id` is each collection's natural id. */
export function indexPlan(): ReadonlyMap<string, readonly IndexSpec[]> {
  return new Map<string, readonly IndexSpec[]>([
    ['customers', customerIndexes],
    ['events', eventIndexes],
    ['eventQueue', eventQueueIndexes],
    ['tasks', taskIndexes],
    ['coupons', couponIndexes],
    ['messages', messageIndexes],
    ['suppressions', suppressionIndexes],
    ['campaigns', campaignIndexes],
    ['apiKeys', apiKeyIndexes],
    ['journeys', journeyIndexes],
    ['journeyVersions', journeyVersionIndexes],
    ['journeyRuns', runIndexes],
    ['templates', templateIndexes],
  ]);
}

/**
 * Creates every collection's indexes; safe to run at every start-up (existing indexes are
 * left alone). Unique indexes are what make idempotency keys and the message ledger work, so
 * the process must not serve requests before this resolves.
 */
export async function ensureIndexes(db: Db): Promise<void> {
  for (const [collection, indexes] of indexPlan()) {
    for (const index of indexes) {
      await db.collection(collection).createIndex({ ...index.key }, index.unique ? { unique: true } : {});
    }
  }
}

/**
 * Connects to MongoDB or FerretDB. The database is `dbName`, else the one named in the URL,
 * else `waymark`.
 *
 * @example const { db, client } = await connectDatabase('mongodb://127.0.0.1:27017');
 */
export async function connectDatabase(url: string, dbName?: string): Promise<{ client: MongoClient; db: Db }> {
  const client = await MongoClient.connect(url, { serverSelectionTimeoutMS: 10_000 });
  const fromUrl = new URL(url.replace(/^mongodb(\+srv)?:/, 'http:')).pathname.replace(/^\//, '');
  return { client, db: client.db(dbName ?? (fromUrl === '' ? 'waymark' : decodeURIComponent(fromUrl))) };
}
