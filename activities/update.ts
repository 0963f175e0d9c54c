import type { Db } from 'mongodb';
import type { UpdateOperation } from '../journey/index.ts';
import { customersCollection } from '../store/customers.ts';
import { updateCustomerCounted } from '../store/lifecycleRollup.ts';
import { syncMemberships } from '../store/segmentMembers.ts';
import { activityNow } from './clock.ts';
import { permanent } from './errors.ts';
import type { ActionOutcome, ActionRequest } from './types.ts';

/** Attribute names become document paths: keep them to plain names (no `$`, no `.`). */
const safeName = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

/**
 * Applies an update step's operations to the stored profile in one atomic update. Every
 * operation is idempotent (`$set`, `$addToSet`, `$pull`), so a retried activity changes nothing
 * more; no ledger record is needed.
 */
export async function updateProfileAction(db: Db, request: ActionRequest<'update'>): Promise<ActionOutcome> {
  const { action, customerId } = request;
  const set: Record<string, unknown> = { updatedAt: new Date(activityNow()).toISOString() };
  const addTags: string[] = [];
  const removeTags: string[] = [];
  for (const operation of action.config.operations) applyOperation(operation, set, addTags, removeTags);
  const update: Record<string, Record<string, unknown>> = { $set: set };
  if (addTags.length > 0) update.$addToSet = { tags: { $each: addTags } };
  const customers = customersCollection(db);
  // Counted: a stage set here moves the lifecycle rollup's stage counters.
  if (!(await updateCustomerCounted(db, { _id: customerId }, update))) throw permanent('CustomerNotFound', `customer ${customerId} no longer exists`);
  // MongoDB refuses $addToSet and $pull on the same field in one update: a second one.
  if (removeTags.length > 0) await customers.updateOne({ _id: customerId }, { $pullAll: { tags: removeTags } });
  // The tag memberships the customer list pages through (store/segmentMembers.ts): the tags as stored now.
  if (addTags.length > 0 || removeTags.length > 0) {
    const doc = await customers.findOne({ _id: customerId }, { projection: { tags: 1 } });
    if (doc !== null) await syncMemberships(db, 'tag', [{ customerId, values: doc.tags }]);
  }
  return { outcome: 'ok' };
}

function applyOperation(operation: UpdateOperation, set: Record<string, unknown>, addTags: string[], removeTags: string[]): void {
  switch (operation.op) {
    case 'setAttribute':
      if (!safeName.test(operation.attribute)) throw permanent('InvalidConfig', `attribute name ${operation.attribute} is not allowed`);
      set[`attributes.${operation.attribute}`] = operation.value;
      return;
    case 'addTag':
      addTags.push(operation.tag);
      removeTags.splice(0, removeTags.length, ...removeTags.filter((t) => t !== operation.tag));
      return;
    case 'removeTag':
      removeTags.push(operation.tag);
      addTags.splice(0, addTags.length, ...addTags.filter((t) => t !== operation.tag));
      return;
    case 'setStage':
      set['computed.stage'] = operation.stage;
      return;
  }
}
