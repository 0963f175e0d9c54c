import { z } from 'zod';
import { CustomerId } from '../../journey/customer.ts';
import { TaskConfig } from '../../journey/nodes/task.ts';
import { PageQuery, pageOf } from './common.ts';

export const TaskPriority = TaskConfig.shape.priority.unwrap();
export const TaskStatus = z.enum(['open', 'claimed', 'done', 'cancelled']);

/** A customer-service task a journey opened. */
export const Task = z
  .object({
    id: z.string(),
    customerId: CustomerId,
    journeyId: z.string().optional(),
    queue: z.string(),
    title: z.string(),
    body: z.string(),
    priority: TaskPriority,
    status: TaskStatus,
    assignee: z.string().optional(),
    dueAt: z.iso.datetime().optional(),
    outcome: z.string().optional(),
    note: z.string().optional(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    claimedAt: z.iso.datetime().optional(),
    completedAt: z.iso.datetime().optional(),
  })
  .meta({ id: 'Task' });

export const TaskQuery = PageQuery.extend({
  queue: z.string().max(64).optional(),
  assignee: z.string().max(128).optional(),
  status: TaskStatus.optional(),
  priority: TaskPriority.optional(),
  customerId: CustomerId.optional(),
  journeyId: z.string().max(64).optional(),
  dueBefore: z.iso.datetime({ offset: true }).optional().describe('Only tasks due at or before this time.'),
});

export const TaskPage = pageOf(Task).meta({ id: 'TaskPage' });

export const TaskClaim = z.strictObject({ assignee: z.string().min(1).max(128) }).meta({ id: 'TaskClaim' });

/** Completing a task; `outcome` becomes the `task_completed` event's property journeys wait on. */
export const TaskCompletion = z
  .strictObject({
    outcome: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[a-z][a-z0-9_]*$/, 'use lower_snake_case, e.g. reached or no_answer'),
    note: z.string().max(10_000).optional(),
    assignee: z.string().min(1).max(128).optional().describe('Who completes it; must hold the claim if the task is claimed.'),
  })
  .meta({ id: 'TaskCompletion' });
