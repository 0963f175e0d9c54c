import { claimTask, completeTask, getTask, listTasks } from '../../store/tasks.ts';
import type { TaskRecord, TaskTransitionError } from '../../store/tasks.ts';
import { readers } from '../auth.ts';
import { ingestEvent } from '../ingest.ts';
import { conflict, notFound } from '../problem.ts';
import { defineRoute } from '../route.ts';
import { IdParams } from '../wire/common.ts';
import { Task, TaskClaim, TaskCompletion, TaskPage, TaskQuery } from '../wire/tasks.ts';

function orThrow(id: string, result: TaskRecord | TaskTransitionError): TaskRecord {
  if (typeof result !== 'string') return result;
  switch (result) {
    case 'not_found':
      throw notFound(`task ${id}`);
    case 'claimed_by_other':
      throw conflict(`task ${id} is claimed by someone else`, 'body.assignee');
    case 'closed':
      throw conflict(`task ${id} is already closed`);
  }
}

export const taskRoutes = [
  defineRoute({
    operationId: 'listTasks',
    method: 'get',
    path: '/tasks',
    tag: 'CS tasks',
    summary: 'List and filter CS tasks',
    description: 'Filters combine with AND; oldest first.',
    access: readers,
    query: TaskQuery,
    responses: { 200: { description: 'A page of tasks.', schema: TaskPage } },
    async handler({ query, deps }) {
      const { limit, cursor, ...filter } = query;
      return { status: 200, body: await listTasks(deps.db, filter, { limit, cursor }) };
    },
  }),
  defineRoute({
    operationId: 'getTask',
    method: 'get',
    path: '/tasks/:id',
    tag: 'CS tasks',
    summary: 'Get a CS task',
    access: readers,
    params: IdParams,
    responses: { 200: { description: 'The task.', schema: Task } },
    async handler({ params, deps }) {
      const task = await getTask(deps.db, params.id);
      if (task === null) throw notFound(`task ${params.id}`);
      return { status: 200, body: task };
    },
  }),
  defineRoute({
    operationId: 'claimTask',
    method: 'post',
    path: '/tasks/:id/claim',
    tag: 'CS tasks',
    summary: 'Claim a task',
    description: 'Claiming a task you already hold succeeds again; a task someone else holds is a 409.',
    access: ['operator'],
    params: IdParams,
    body: TaskClaim,
    responses: { 200: { description: 'Claimed.', schema: Task } },
    async handler({ params, body, deps, now }) {
      return { status: 200, body: orThrow(params.id, await claimTask(deps.db, params.id, body.assignee, now)) };
    },
  }),
  defineRoute({
    operationId: 'completeTask',
    method: 'post',
    path: '/tasks/:id/complete',
    tag: 'CS tasks',
    summary: 'Complete a task with an outcome',
    description:
      'Raises a `task_completed` event for the customer (properties: taskId, outcome, queue, journeyId), ' +
      'which journeys can wait on.',
    access: ['operator'],
    params: IdParams,
    body: TaskCompletion,
    responses: { 200: { description: 'Completed.', schema: Task } },
    async handler({ params, body, deps, now }) {
      const task = orThrow(params.id, await completeTask(deps.db, params.id, { ...body, by: body.assignee }, now));
      // The event id is derived from the task, so a retried completion raises the event once.
      await ingestEvent(
        deps,
        {
          id: `task_completed:${task.id}`,
          type: 'task_completed',
          customerId: task.customerId,
          properties: { taskId: task.id, outcome: body.outcome, queue: task.queue, journeyId: task.journeyId ?? null },
        },
        now,
      );
      return { status: 200, body: task };
    },
  }),
];
