import type { Db } from 'mongodb';
import { couponsCollection } from '../store/coupons.ts';
import { customersCollection } from '../store/customers.ts';
import { deleteCapBooks } from '../store/capBook.ts';
import { beginErasure, countRemoved, finishErasure, getErasure, redactCustomerMessages } from '../store/erasures.ts';
import { deleteCustomerEvents } from '../store/events.ts';
import { deleteCustomerCounted } from '../store/lifecycleRollup.ts';
import { forgetMemberships } from '../store/segmentMembers.ts';
import { deleteCustomerRuns } from '../store/runs.ts';
import type { Erasure } from '../store/erasures.ts';
import type { JourneyRuntime } from './runtime.ts';

/**
 * Erases a customer, to the end:
 *
 * 1. the tombstone first (`store/erasures.ts`): from now on the event pipeline drops their
 *    events and creates no profile for them, so a late event cannot bring the person back;
 * 2. their runs are told to exit (`erased`); workflow inputs and signals carry ids only, so
 *    the histories of runs started since hold no address;
 * 3. profile, events, run records, CS tasks and coupons are removed, the message ledger's
 *    rows redacted;
 * 4. the tombstone is marked finished.
 *
 * Any step may fail (Temporal unreachable, a database time-out): the tombstone stays
 * `erasing` and erasing again continues where it stopped. Erasing a finished erasure runs the
 * (idempotent) steps again, which sweeps up an event that raced the tombstone, and answers the
 * report with whatever that found added. Returns null when there is neither a profile nor an
 * erasure of that id.
 */
export async function eraseCustomer(deps: { db: Db; runtime: Pick<JourneyRuntime, 'cancelCustomerJourneys'> }, customerId: string, now: Date): Promise<Erasure | null> {
  const { db } = deps;
  const [profile, previous] = await Promise.all([customersCollection(db).countDocuments({ _id: customerId }, { limit: 1 }), getErasure(db, customerId)]);
  if (profile === 0 && previous === null) return null;
  await beginErasure(db, customerId, now);
  const { cancelled } = await deps.runtime.cancelCustomerJourneys(customerId);
  await countRemoved(db, customerId, { journeysCancelled: cancelled });
  await eraseCustomerData(db, customerId, now);
  return finishErasure(db, customerId, now);
}

/**
 * Removes the customer's data from every collection that holds it: profile (with its run
 * registry), events, run records, CS tasks, coupons; the message ledger is redacted. Each step
 * is idempotent and its count added to the erasure record as it completes.
 */
async function eraseCustomerData(db: Db, customerId: string, now: Date): Promise<void> {
  const profile = (await deleteCustomerCounted(db, customerId)) ? 1 : 0;
  await countRemoved(db, customerId, { profile });
  // The segment and tag memberships that list them (nothing to count: the profile was counted).
  await forgetMemberships(db, customerId);
  await countRemoved(db, customerId, { events: await deleteCustomerEvents(db, customerId) });
  await countRemoved(db, customerId, { runRecords: await deleteCustomerRuns(db, customerId) });
  await countRemoved(db, customerId, { tasks: (await db.collection('tasks').deleteMany({ customerId })).deletedCount });
  await countRemoved(db, customerId, { coupons: (await couponsCollection(db).deleteMany({ customerId })).deletedCount });
  await countRemoved(db, customerId, { messagesRedacted: await redactCustomerMessages(db, customerId, now) });
  // The frequency-cap slots of the customer (ledger keys and times; nothing to count).
  await deleteCapBooks(db, customerId);
}
