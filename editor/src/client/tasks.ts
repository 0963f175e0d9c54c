import type { z } from 'zod';
import { Task, TaskPage } from '../../../api/wire/tasks.ts';
import type { TaskPriority, TaskStatus } from '../../../api/wire/tasks.ts';
import { TaskContext as WireTaskContext } from '../../../api/wire/timeline.ts';
import { request } from './http.ts';

/** CS tasks (`/v1/tasks`): the inbox, claiming and completing with an outcome. */
export type Task = z.infer<typeof Task>;
export type TaskContext = z.infer<typeof WireTaskContext>;
export type TaskStatus = z.infer<typeof TaskStatus>;
export type TaskPriority = z.infer<typeof TaskPriority>;

/** What the inbox filters on; each given field must match. */
export interface TaskFilter {
  queue?: string | undefined;
  assignee?: string | undefined;
  status?: TaskStatus | undefined;
  priority?: TaskPriority | undefined;
  customerId?: string | undefined;
  /** Only tasks due at or before this instant (ISO). */
  dueBefore?: string | undefined;
}

/**
 * The query string of a task filter; empty fields are left out.
 *
 * @example taskQuery({ status: 'open', queue: '' }) // 'limit=500&status=open'
 */
export function taskQuery(filter: TaskFilter): string {
  const params = new URLSearchParams({ limit: '500' });
  for (const [key, value] of Object.entries(filter)) {
    if (typeof value === 'string' && value.trim() !== '') params.set(key, value.trim());
  }
  return params.toString();
}

const id = (taskId: string) => encodeURIComponent(taskId);

export const tasksApi = {
  list: async (filter: TaskFilter) => (await request('GET', `/v1/tasks?${taskQuery(filter)}`, TaskPage)).items,
  context: (taskId: string) => request('GET', `/v1/tasks/${id(taskId)}/context`, WireTaskContext),
  claim: (taskId: string, assignee: string) => request('POST', `/v1/tasks/${id(taskId)}/claim`, Task, { assignee }),
  complete: (taskId: string, input: { outcome: string; note?: string; assignee?: string }) => request('POST', `/v1/tasks/${id(taskId)}/complete`, Task, input),
};
