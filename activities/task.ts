import type { Db } from 'mongodb';
import { getCustomer } from '../store/customers.ts';
import { claimTask, createTask, nextQueueAssignee } from '../store/tasks.ts';
import { activityNow } from './clock.ts';
import { faultPoint } from './fault.ts';
import { permanent } from './errors.ts';
import { contextFor, render } from './render.ts';
import type { ActionOutcome, ActionRequest } from './types.ts';

/**
 * Opens one customer-service task per run, node and visit (the task's `key`). The title and body
 * are rendered with the customer's context (stage, RFM cell, CLV, last purchase...). The
 * assignee is the customer's account owner when the rule says so and they have one, else the
 * next member of the queue in round-robin order, else nobody (the task waits in the queue).
 */
export async function createTaskAction(db: Db, request: ActionRequest<'task'>, shopUrl: string): Promise<ActionOutcome> {
  const { action, customerId, journeyId } = request;
  const customer = await getCustomer(db, customerId);
  if (customer === null) throw permanent('CustomerNotFound', `customer ${customerId} no longer exists`);
  const now = activityNow();
  const { config } = action;
  const context = contextFor(customer, request, now, shopUrl);
  const title = render(config.title, context, 'text').trim().slice(0, 300) || 'Follow up with customer';
  const body = render(config.body, context, 'text').slice(0, 10_000);
  const owner = config.assignee === 'accountOwner' ? customer.accountOwner : undefined;
  // Insert first (a retry finds the task by its unique key); no lookup on the fast path.
  const { task, created } = await createTask(
    db,
    {
      key: action.idempotencyKey,
      customerId,
      journeyId,
      queue: config.queue,
      title,
      body,
      priority: config.priority,
      dueAt: new Date(now + config.dueInHours * 3_600_000).toISOString(),
      ...(owner === undefined ? {} : { assignee: owner }),
    },
    new Date(now),
  );
  if (created) faultPoint('task');
  // Round-robin for a task still unassigned: one just opened, or one whose worker died right
  // after opening it (a retry of an assigned task does not skip an agent's turn).
  if (owner === undefined && task.status === 'open' && task.assignee === undefined) {
    const next = await nextQueueAssignee(db, config.queue);
    if (next !== undefined) await claimTask(db, task.id, next, new Date(now));
  }
  return created ? { outcome: 'ok', variables: { taskId: task.id } } : { outcome: 'ok', variables: { taskId: task.id }, duplicate: true };
}
