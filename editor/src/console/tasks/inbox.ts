import type { Task, TaskFilter, TaskPriority, TaskStatus } from '../../client/tasks.ts';

/** What the inbox's filter bar holds; `status: 'todo'` means open or claimed. */
export interface InboxFilter {
  status: TaskStatus | 'todo' | 'all';
  queue: string;
  assignee: string;
  priority: TaskPriority | '';
  due: 'any' | 'overdue' | 'today' | 'week';
}

export const defaultInboxFilter: InboxFilter = { status: 'todo', queue: '', assignee: '', priority: '', due: 'any' };

/** The outcomes an agent can close a task with (the `task_completed` event's `outcome`). */
export const taskOutcomes = ['reached_will_buy', 'reached_not_interested', 'callback_requested', 'not_reachable', 'declined'] as const;

const priorityRank: Record<TaskPriority, number> = { urgent: 0, high: 1, normal: 2, low: 3 };

/** True for a task still to do whose due time has passed. */
export function isOverdue(task: Task, now: number): boolean {
  return (task.status === 'open' || task.status === 'claimed') && task.dueAt !== undefined && Date.parse(task.dueAt) < now;
}

/** The end of the local day of `now`. */
function endOfDay(now: number): number {
  const d = new Date(now);
  d.setHours(23, 59, 59, 999);
  return d.getTime();
}

/**
 * The API queries for an inbox filter: one per status asked for ("to do" asks for open and
 * claimed tasks), with the due choice as `dueBefore`.
 *
 * @example apiFilters({ ...defaultInboxFilter, due: 'overdue' }, now) // [{ status: 'open', dueBefore }, { status: 'claimed', dueBefore }]
 */
export function apiFilters(filter: InboxFilter, now: number): TaskFilter[] {
  const dueBefore =
    filter.due === 'overdue' ? now : filter.due === 'today' ? endOfDay(now) : filter.due === 'week' ? now + 7 * 86_400_000 : null;
  const base: TaskFilter = {
    queue: filter.queue || undefined,
    assignee: filter.assignee || undefined,
    priority: filter.priority || undefined,
    dueBefore: dueBefore === null ? undefined : new Date(dueBefore).toISOString(),
  };
  const statuses: Array<TaskStatus | undefined> =
    filter.status === 'todo' || filter.due === 'overdue' ? ['open', 'claimed'] : filter.status === 'all' ? [undefined] : [filter.status];
  return statuses.map((status) => ({ ...base, status }));
}

/** Overdue first, then by priority, then the earliest due; tasks without a due time last. */
export function sortTasks(tasks: readonly Task[], now: number): Task[] {
  const due = (t: Task) => (t.dueAt === undefined ? Number.POSITIVE_INFINITY : Date.parse(t.dueAt));
  return [...tasks].sort(
    (a, b) =>
      Number(isOverdue(b, now)) - Number(isOverdue(a, now)) ||
      priorityRank[a.priority] - priorityRank[b.priority] ||
      due(a) - due(b) ||
      a.createdAt.localeCompare(b.createdAt),
  );
}

/** What the agent named `me` may do with a task. */
export function allowedActions(task: Task, me: string): { claim: boolean; complete: boolean; heldBy: string | null } {
  const heldBy = task.status === 'claimed' && task.assignee !== undefined && task.assignee !== me ? task.assignee : null;
  const todo = task.status === 'open' || task.status === 'claimed';
  return { claim: todo && me !== '' && task.status === 'open', complete: todo && me !== '' && heldBy === null, heldBy };
}
