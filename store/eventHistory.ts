import type { Db, Filter } from 'mongodb';
import { eventHistoryConditions, eventHistoryCounts, eventHistoryKey } from '../journey/condition.ts';
import type { EventHistoryCondition, EventTallies, ProfileCondition } from '../journey/condition.ts';
import { DAY } from '../journey/time.ts';
import { eventsCollection } from './events.ts';
import type { EventDocument } from './events.ts';

/**
 * Counts customers' stored events for the segments' event-history conditions ("did / did not do
 * X, matching these properties, at least N times in the last D days"), through the events
 * indexes, never a scan of every event per customer. Per distinct condition (type, window,
 * property tests) one query:
 * - for a batch of customers (the event pipeline's scoring): `{ customerId: { $in }, type, at ≥ now − D }`
 *   by `customerId_1_at_-1`, so the cost is the batch's events of that type;
 * - for everyone (a preview, a saved segment's evaluation, the daily run): `{ type, at ≥ now − D }`
 *   by `type_1_at_-1`, read once and tallied per customer, so the cost is O(events of that type)
 *   (FerretDB pushes the type down, not the range) and memory one number per customer who did it.
 * The property tests and the window's end are applied in application code, by the core's rule
 * (`eventHistoryCounts`), so every backend counts alike.
 */

/** The tallies of every customer: `of(id)` is empty for a customer with no counted event. */
export interface EventHistory {
  of(customerId: string): EventTallies;
  /** The customers with any tally (every other customer's are all zero). */
  customers(): Iterable<string>;
}

const idChunk = 1000;
const none: EventTallies = Object.freeze({});

/** Events of one condition's type in its window (for some customers, or everyone when `customerIds` is null). */
async function countInto(db: Db, condition: EventHistoryCondition, now: number, customerIds: readonly string[] | null, tallies: Map<string, Record<string, number>>) {
  const key = eventHistoryKey(condition);
  const since = new Date(now - condition.withinDays * DAY).toISOString();
  const base: Filter<EventDocument> = { type: condition.eventType, at: { $gte: since } };
  const filters: Array<Filter<EventDocument>> = [];
  if (customerIds === null) filters.push(base);
  else for (let i = 0; i < customerIds.length; i += idChunk) filters.push({ customerId: { $in: customerIds.slice(i, i + idChunk) }, ...base });
  for (const filter of filters) {
    const cursor = eventsCollection(db).find(filter, { projection: { _id: 0, customerId: 1, at: 1, properties: 1 }, batchSize: 10_000 });
    for await (const doc of cursor) {
      if (!eventHistoryCounts(condition, Date.parse(doc.at), doc.properties, now)) continue;
      let counts = tallies.get(doc.customerId);
      if (counts === undefined) tallies.set(doc.customerId, (counts = {}));
      counts[key] = (counts[key] ?? 0) + 1;
    }
  }
}

/**
 * Tallies what `conditions`' event-history conditions count at `now`, for `customerIds` (null:
 * everyone). Undefined when none of them has one (nothing is read).
 */
export async function tallyEventHistory(db: Db, conditions: ReadonlyArray<ProfileCondition>, now: number, customerIds: readonly string[] | null): Promise<EventHistory | undefined> {
  const needed = eventHistoryConditions(conditions);
  if (needed.length === 0) return undefined;
  const tallies = new Map<string, Record<string, number>>();
  if (customerIds !== null && customerIds.length === 0) return { of: () => none, customers: () => [] };
  for (const condition of needed) await countInto(db, condition, now, customerIds, tallies);
  return { of: (customerId) => tallies.get(customerId) ?? none, customers: () => tallies.keys() };
}

/** The lifecycle's hook: the tallies its segments need, for some customers or everyone. */
export function segmentEventHistory(db: Db, segments: ReadonlyArray<{ condition: ProfileCondition }>, now: number, customerIds: readonly string[] | null): Promise<EventHistory | undefined> {
  return tallyEventHistory(
    db,
    segments.map((s) => s.condition),
    now,
    customerIds,
  );
}
