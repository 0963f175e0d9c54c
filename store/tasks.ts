import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db, Filter } from 'mongodb';
import { CustomerId } from '../journey/customer.ts';
import { TaskConfig } from '../journey/nodes/task.ts';
import { isDuplicateKeyError, paginate, validateDocument, withId } from './documents.ts';
import type { Page, PageRequest } from './documents.ts';

/** Customer-service tasks that journeys open (e.g. "call this high-value customer"). */

/** The priorities a journey's task node can set. */
export const TaskPriority = TaskConfig.shape.priority.unwrap();
export type TaskPriority = z.infer<typeof TaskPriority>;
export const TaskStatus = z.enum(['open', 'claimed', 'done', 'cancelled']);
export type TaskStatus = z.infer<typeof TaskStatus>;

export const TaskRecord = z.object({
  id: z.string(),
  /** Idempotency key (workflow id + node id + visit): the same key opens one task. */
  key: z.string().min(1).max(300),
  customerId: CustomerId,
  journeyId: z.string().optional(),
  queue: z.string().min(1).max(100),
  title: z.string().min(1).max(300),
  body: z.string().max(10_000).default(''),
  priority: TaskPriority.default('normal'),
  status: TaskStatus,
  assignee: z.string().max(128).optional(),
  dueAt: z.iso.datetime().optional(),
  outcome: z.string().max(100).optional(),
  note: z.string().max(10_000).optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  claimedAt: z.iso.datetime().optional(),
  completedAt: z.iso.datetime().optional(),
});
export type TaskRecord = z.infer<typeof TaskRecord>;

/** What a caller gives to open a task. */
export type NewTask = Pick<TaskRecord, 'key' | 'customerId' | 'queue' | 'title'> &
  Partial<Pick<TaskRecord, 'journeyId' | 'body' | 'priority' | 'assignee' | 'dueAt'>>;

interface TaskDocument extends Omit<TaskRecord, 'id'> {
  _id: string;
}

const name = 'tasks';

function tasks(db: Db) {
  return db.collection<TaskDocument>(name);
}

export const taskIndexes = [
  { key: { key: 1 }, unique: true },
  { key: { status: 1, queue: 1, dueAt: 1 } },
  { key: { assignee: 1, status: 1 } },
  { key: { customerId: 1 } },
] as const;

function toRecord(doc: TaskDocument): TaskRecord {
  return validateDocument(TaskRecord, withId(doc), name, doc._id);
}

/** Opens a task unless one with the same key exists; returns it either way. */
export async function createTask(db: Db, input: NewTask, now: Date): Promise<{ task: TaskRecord; created: boolean }> {
  const id = `task_${randomUUID()}`;
  const at = now.toISOString();
  const record = validateDocument(
    TaskRecord,
    { ...input, id, status: input.assignee === undefined ? 'open' : 'claimed', createdAt: at, updatedAt: at },
    name,
    input.key,
  );
  const { id: _omit, ...rest } = record;
  try {
    await tasks(db).insertOne({ _id: id, ...rest });
    return { task: record, created: true };
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    const existing = await findTaskByKey(db, input.key);
    if (existing === null) throw error;
    return { task: existing, created: false };
  }
}

/** The task opened with idempotency key `key`, or null. */
export async function findTaskByKey(db: Db, key: string): Promise<TaskRecord | null> {
  const doc = await tasks(db).findOne({ key });
  return doc === null ? null : toRecord(doc);
}

/** The task `id`, or null. */
export async function getTask(db: Db, id: string): Promise<TaskRecord | null> {
  const doc = await tasks(db).findOne({ _id: id });
  return doc === null ? null : toRecord(doc);
}

/** Filters of the task list; all given must match. */
export interface TaskQuery {
  queue?: string | undefined;
  assignee?: string | undefined;
  status?: TaskStatus | undefined;
  priority?: TaskPriority | undefined;
  customerId?: string | undefined;
  journeyId?: string | undefined;
  /** Only tasks due at or before this instant (overdue lists). */
  dueBefore?: string | undefined;
}

/** One page of tasks, oldest first. */
export async function listTasks(db: Db, query: TaskQuery, page: PageRequest): Promise<Page<TaskRecord>> {
  const filter: Filter<TaskDocument> = {};
  if (query.queue !== undefined) filter.queue = query.queue;
  if (query.assignee !== undefined) filter.assignee = query.assignee;
  if (query.status !== undefined) filter.status = query.status;
  if (query.priority !== undefined) filter.priority = query.priority;
  if (query.customerId !== undefined) filter.customerId = query.customerId;
  if (query.journeyId !== undefined) filter.journeyId = query.journeyId;
  if (query.dueBefore !== undefined) filter.dueAt = { $lte: new Date(query.dueBefore).toISOString() };
  const result = await paginate(tasks(db), filter, page, { field: 'createdAt' });
  return { items: result.items.map(toRecord), nextCursor: result.nextCursor };
}

/** Why a task could not change state. */
export type TaskTransitionError = 'not_found' | 'claimed_by_other' | 'closed';

/**
 * Claims an open task for `assignee`. Claiming a task one already holds succeeds again, so
 * a retried request is harmless; a task someone else holds is `claimed_by_other`.
 */
export async function claimTask(
  db: Db,
  id: string,
  assignee: string,
  now: Date,
): Promise<TaskRecord | TaskTransitionError> {
  const at = now.toISOString();
  const doc = await tasks(db).findOneAndUpdate(
    { _id: id, $or: [{ status: 'open' }, { status: 'claimed', assignee }] },
    { $set: { status: 'claimed', assignee, claimedAt: at, updatedAt: at } },
    { returnDocument: 'after' },
  );
  if (doc !== null) return toRecord(doc);
  const current = await getTask(db, id);
  if (current === null) return 'not_found';
  return current.status === 'claimed' ? 'claimed_by_other' : 'closed';
}

/**
 * Completes an open or claimed task with an outcome (e.g. `reached`, `no_answer`). Only the
 * assignee may complete a claimed task, unless `by` is undefined (an admin or a journey).
 */
export async function completeTask(
  db: Db,
  id: string,
  input: { outcome: string; note?: string | undefined; by?: string | undefined },
  now: Date,
): Promise<TaskRecord | TaskTransitionError> {
  const at = now.toISOString();
  const filter: Filter<TaskDocument> = { _id: id, status: { $in: ['open', 'claimed'] } };
  if (input.by !== undefined) filter.$or = [{ status: 'open' }, { assignee: input.by }];
  const set: Partial<TaskDocument> = { status: 'done', outcome: input.outcome, completedAt: at, updatedAt: at };
  if (input.note !== undefined) set.note = input.note;
  if (input.by !== undefined) set.assignee = input.by;
  const doc = await tasks(db).findOneAndUpdate(
    filter,
    { $set: set },
    { returnDocument: 'after' },
  );
  if (doc !== null) return toRecord(doc);
  const current = await getTask(db, id);
  if (current === null) return 'not_found';
  return current.status === 'claimed' ? 'claimed_by_other' : 'closed';
}

/** Sets a task's status (e.g. a journey cancels its tasks when the customer converts). */
export async function updateTaskStatus(db: Db, id: string, status: TaskStatus, now: Date): Promise<TaskRecord | null> {
  const doc = await tasks(db).findOneAndUpdate(
    { _id: id },
    { $set: { status, updatedAt: now.toISOString() } },
    { returnDocument: 'after' },
  );
  return doc === null ? null : toRecord(doc);
}

// --- Additions for the journey runtime (activities/) ---------------------------------------

interface TaskQueueDocument {
  _id: string;
  /** Agents who take turns on the queue's unassigned tasks. */
  members: string[];
  /** How many tasks the queue has handed out (round-robin position). */
  next: number;
}

function taskQueues(db: Db) {
  return db.collection<TaskQueueDocument>('taskQueues');
}

/** Sets who takes turns on a queue's tasks (an empty list leaves tasks unassigned in the queue). */
export async function setQueueMembers(db: Db, queue: string, members: readonly string[]): Promise<void> {
  await taskQueues(db).updateOne({ _id: queue }, { $set: { members: [...members] }, $setOnInsert: { next: 0 } }, { upsert: true });
}

/**
 * The next member of `queue` in round-robin order, or undefined when the queue has no members.
 * One atomic `$inc` per call, so concurrent journeys hand tasks out evenly.
 */
export async function nextQueueAssignee(db: Db, queue: string): Promise<string | undefined> {
  const doc = await taskQueues(db).findOneAndUpdate({ _id: queue }, { $inc: { next: 1 } }, { returnDocument: 'before' });
  if (doc === null || doc.members.length === 0) return undefined;
  return doc.members[doc.next % doc.members.length];
}
