import { MongoClient } from 'mongodb';
import type { Db, IndexDirection } from 'mongodb';
import { apiKeyIndexes } from './apiKeys.ts';
import { publishApprovalIndexes } from './approvals.ts';
import { campaignIndexes } from './campaigns.ts';
import { couponIndexes } from './coupons.ts';
import { customerIndexes, migrateLegacyConsent } from './customers.ts';
import { eventIndexes, eventQueueIndexes } from './events.ts';
import { journeyIndexes, journeyVersionIndexes } from './journeys.ts';
import { messageIndexes } from './messages.ts';
import { migrationOutcomeIndexes } from './migrations.ts';
import { outcomeEntryIndexes } from './outcomeRollup.ts';
import { suppressionIndexes } from './suppressions.ts';
import { runIndexes } from './runs.ts';
import { backfillMemberships, membershipIndexes } from './segmentMembers.ts';
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
    ['migrationOutcomes', migrationOutcomeIndexes],
    ['outcomeEntries', outcomeEntryIndexes],
    ['publishApprovals', publishApprovalIndexes],
    ['customerMemberships', membershipIndexes],
  ]);
}

/**
 * The hot queries and the index that serves each (`store/indexes.test.ts` asks FerretDB's
 * planner, through the bootstrap's pushdown, that each is an index search; ARCHITECTURE.md lists
 * them). Filters are examples of the shape the code sends.
 */
export const hotQueries: ReadonlyArray<{ query: string; collection: string; filter: Record<string, unknown>; index: string; sort?: Record<string, 1 | -1> }> = [
  { query: "a customer's events, newest first (timeline, erasure)", collection: 'events', filter: { customerId: 'c-1' }, index: 'customerId_1_at_-1' },
  { query: "a customer's events of a type since (conditions)", collection: 'events', filter: { customerId: 'c-1', type: 'order_completed', at: { $gte: '2026-01-01' } }, index: 'customerId_1_at_-1' },
  { query: 'the events of a page of entrants (outcomes)', collection: 'events', filter: { customerId: { $in: ['c-1', 'c-2'] }, type: { $in: ['order_completed', 'coupon_redeemed'] } }, index: 'customerId_1_at_-1' },
  { query: 'events of a type in a window, every customer (segments on event history)', collection: 'events', filter: { type: 'order_completed', at: { $gte: '2026-01-01' } }, index: 'type_1_at_-1' },
  { query: "a batch's events of a type in a window (segments on event history, on each event)", collection: 'events', filter: { customerId: { $in: ['c-1', 'c-2'] }, type: 'order_completed', at: { $gte: '2026-01-01' } }, index: 'customerId_1_at_-1' },
  { query: 'the queue entry holding an event (a retry resumes it)', collection: 'eventQueue', filter: { keys: '3:c-1:e-1' }, index: 'keys_1' },
  { query: 'a ledger row by effect key (every send)', collection: 'messages', filter: { key: 'k-1' }, index: 'key_1' },
  { query: 'a message by provider id (delivery reports)', collection: 'messages', filter: { providerId: 'SM1' }, index: 'providerId_1' },
  { query: "a customer's capped sends in a window (frequency caps)", collection: 'messages', filter: { customerId: 'c-1', channel: 'email', status: { $in: ['pending', 'sent'] }, createdAt: { $gte: '2026-01-01' } }, index: 'customerId_1_createdAt_1' },
  { query: "a customer's running runs", collection: 'journeyRuns', filter: { customerId: 'c-1', status: 'running' }, index: 'customerId_1_startedAt_-1' },
  { query: 'runs waiting at a step (journey stats)', collection: 'journeyRuns', filter: { journeyId: 'j-1', status: 'running', nodeId: 'n-1' }, index: 'journeyId_1_' },
  { query: 'a page of the customers at a step, longest-waiting first', collection: 'journeyRuns', filter: { journeyId: 'j-1', status: 'running', nodeId: 'n-1' }, sort: { since: 1, _id: 1 }, index: 'waymark_page_' },
  {
    query: 'the next page of the customers at a step',
    collection: 'journeyRuns',
    filter: { $and: [{ journeyId: 'j-1', status: 'running', nodeId: 'n-1' }, { $or: [{ since: { $gt: '2026-01-01' } }, { since: '2026-01-01', _id: { $gt: 'r-1' } }] }] },
    sort: { since: 1, _id: 1 },
    index: 'waymark_page_',
  },
  { query: 'runs that visited a step (journey stats)', collection: 'journeyRuns', filter: { journeyId: 'j-1', visited: 'n-1' }, index: 'journeyId_1_visited_1' },
  { query: "a page of a journey's runs (outcomes)", collection: 'journeyRuns', filter: { $and: [{ journeyId: 'j-1' }, { _id: { $gt: 'r-1' } }] }, index: 'journeyId_1_' },
  { query: 'a coupon by effect key', collection: 'coupons', filter: { key: 'k-1' }, index: 'key_1' },
  { query: 'the coupons of a page of entrants (outcomes)', collection: 'coupons', filter: { customerId: { $in: ['c-1'] }, issuedAt: { $gte: '2026-01-01' } }, index: 'customerId_1_issuedAt_1' },
  { query: 'a task by effect key', collection: 'tasks', filter: { key: 'k-1' }, index: 'key_1' },
  { query: "a customer's tasks (erasure, timeline)", collection: 'tasks', filter: { customerId: 'c-1' }, index: 'customerId_1' },
  { query: 'an open queue of the task inbox', collection: 'tasks', filter: { status: 'open', queue: 'cs' }, index: 'status_1_queue_1_dueAt_1' },
  { query: 'a customer by email or phone (imports, STOP)', collection: 'customers', filter: { email: 'a@example.com' }, index: 'email_1' },
  { query: 'the customers at a lifecycle stage (audiences)', collection: 'customers', filter: { 'computed.stage': 'active' }, index: 'computed.stage_1__id_1' },
  { query: 'a page of the customer list by stage', collection: 'customers', filter: { $and: [{ 'computed.stage': 'active' }, { _id: { $gt: 'c-1' } }] }, sort: { _id: 1 }, index: 'waymark_page_' },
  { query: 'the customers in segments (audiences)', collection: 'customers', filter: { 'computed.segments': { $in: ['s-1'] } }, index: 'computed.segments_1' },
  { query: 'the customers with a tag (audiences)', collection: 'customers', filter: { tags: { $in: ['vip'] } }, index: 'tags_1' },
  { query: "a page of a segment's members or a tag's customers (segment page, customer list)", collection: 'customerMemberships', filter: { _id: { $gt: 'segment:3:vip:c-1', $lt: 'segment:3:vip;' } }, sort: { _id: 1 }, index: 'waymark_id_text' },
  { query: 'the customers of a page of members (customer list by segment or tag)', collection: 'customers', filter: { 'computed.segments': 's-1', _id: { $in: ['c-1', 'c-2'] } }, index: '_id_' },
  { query: "a customer's memberships (their segments or tags written, erasure)", collection: 'customerMemberships', filter: { customerId: { $in: ['c-1', 'c-2'] }, kind: 'segment', _id: { $nin: ['segment:3:vip:c-1'] } }, index: 'customerId_1' },
  { query: 'an API key by its hash (every request)', collection: 'apiKeys', filter: { hash: 'abc' }, index: 'hash_1' },
  { query: 'a journey version', collection: 'journeyVersions', filter: { journeyId: 'j-1', version: 1 }, index: 'journeyId_1_version_1' },
  { query: 'live journeys (routing cache)', collection: 'journeys', filter: { status: { $in: ['published', 'paused'] } }, index: 'status_1_' },
  { query: 'campaigns by status (resume after restart)', collection: 'campaigns', filter: { status: 'running' }, index: 'status_1' },
  { query: "a migration's run outcomes (its progress)", collection: 'migrationOutcomes', filter: { migrationId: 'm-1' }, index: 'migrationId_1' },
  { query: 'a page of the customer list (by id)', collection: 'customers', filter: { $and: [{}, { _id: { $gt: 'c-1' } }] }, sort: { _id: 1 }, index: 'waymark_id_text' },
  { query: "a journey's entrants of one day (outcomes' open windows)", collection: 'outcomeEntries', filter: { day: 'j-1|2026-01-01' }, index: 'day_1' },
];

/**
 * Creates every collection's indexes and upgrades data stored in an older shape (consent as
 * booleans); safe to run at every start-up (existing indexes are left alone). Unique indexes
 * are what make idempotency keys and the message ledger work, so
 * the process must not serve requests before this resolves.
 */
export async function ensureIndexes(db: Db): Promise<void> {
  for (const [collection, indexes] of indexPlan()) {
    for (const index of indexes) {
      await db.collection(collection).createIndex({ ...index.key }, index.unique ? { unique: true } : {});
    }
  }
  // The customer list pages by id; the patched FerretDB creates the index such a page reads
  // (`_waymark_id_text`, see ARCHITECTURE.md) on the first one: read it now, not on a first visit.
  // On a large existing collection this is where the index is built, once.
  await db.collection<{ _id: string }>('customers').find({ _id: { $gte: '' } }).sort({ _id: 1 }).limit(1).toArray();
  // Likewise the customers at a step and the customer list by stage (`_waymark_page_…`).
  await db.collection('journeyRuns').find({ journeyId: '', status: 'running', nodeId: '' }).sort({ since: 1, _id: 1 }).limit(1).toArray();
  await db.collection<{ _id: string }>('customers').find({ $and: [{ 'computed.stage': '' }, { _id: { $gte: '' } }] }).sort({ _id: 1 }).limit(1).toArray();
  // Likewise a page of a segment's members or a tag's customers (store/segmentMembers.ts).
  await db.collection<{ _id: string }>('customerMemberships').find({ _id: { $gte: '' } }).sort({ _id: 1 }).limit(1).toArray();
  // Stored shapes from earlier versions, upgraded before anyone reads them.
  await migrateLegacyConsent(db);
  // Memberships of customers stored before they existed (once).
  await backfillMemberships(db);
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
