import type { Db } from 'mongodb';
import { listCoupons } from '../../store/coupons.ts';
import type { CouponRecord } from '../../store/coupons.ts';
import { getCustomer } from '../../store/customers.ts';
import type { PageRequest, Page } from '../../store/documents.ts';
import { listEvents } from '../../store/events.ts';
import { getJourney, getVersion } from '../../store/journeys.ts';
import { listMessages } from '../../store/messages.ts';
import { getTask, listTasks } from '../../store/tasks.ts';
import { readers } from '../auth.ts';
import type { ResolvedDeps } from '../deps.ts';
import { notFound } from '../problem.ts';
import { defineRoute } from '../route.ts';
import { IdParams } from '../wire/common.ts';
import { CustomerParams } from '../wire/customers.ts';
import type { JourneyRun } from '../wire/runs.ts';
import { TaskContext, Timeline, TimelineQuery } from '../wire/timeline.ts';
import type { JourneyStepRef, TimelineEntry } from '../wire/timeline.ts';

/**
 * Read models for the operations console: a customer's timeline and a CS task's context.
 * Both only read what other routes expose one kind at a time, merged in application code
 * (FerretDB has no $lookup).
 */

/** Reads every page of a list, up to `cap` items (a customer's own history stays small). */
async function readAll<T>(list: (page: PageRequest) => Promise<Page<T>>, cap: number): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await list({ limit: Math.min(500, cap - items.length), ...(cursor === undefined ? {} : { cursor }) });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && items.length < cap);
  return items;
}

/** Names journey steps, reading each journey and version once per request. */
function stepNamer(db: Db) {
  const names = new Map<string, Promise<string>>();
  const versions = new Map<string, ReturnType<typeof getVersion>>();
  return async (journeyId: string, version: number, nodeId: string): Promise<JourneyStepRef> => {
    if (!names.has(journeyId)) names.set(journeyId, getJourney(db, journeyId).then((j) => j?.name ?? journeyId));
    const key = `${journeyId}@${version}`;
    if (!versions.has(key)) versions.set(key, getVersion(db, journeyId, version));
    const [journeyName, stored] = await Promise.all([names.get(journeyId), versions.get(key)]);
    const node = stored?.definition.nodes[nodeId];
    return {
      journeyId,
      journeyName: journeyName ?? journeyId,
      version,
      nodeId,
      ...(node?.label === undefined ? {} : { label: node.label }),
      ...(node === undefined ? {} : { kind: node.kind }),
    };
  };
}

/**
 * The step of a side-effect key `journey/{journeyId}/{customerId}[/{year}]:{nodeId}:{visit}`
 * (journey/nodes/action.ts), or null for keys that are not a journey's.
 */
export function stepOfKey(key: string): { nodeId: string } | null {
  const parts = key.split(':');
  if (!key.startsWith('journey/') || parts.length < 3) return null;
  const nodeId = parts.at(-2);
  return nodeId === undefined || nodeId === '' ? null : { nodeId };
}

/**
 * A run's history as the timeline shows it: the runtime records a step when the customer enters
 * it, while it acts or waits, and when it leaves by an exit; one line per visit is enough — the
 * last record of each run of consecutive records of the same step.
 */
export function stepVisits(history: JourneyRun['history']): JourneyRun['history'] {
  return history.filter((h, i) => history[i + 1]?.nodeId !== h.nodeId);
}

/** The merged timeline of one customer, newest first. */
export async function customerTimeline(deps: ResolvedDeps, customerId: string, limit: number) {
  const cap = Math.max(limit, 200);
  const [events, runs, messages, coupons, tasks] = await Promise.all([
    readAll((page) => listEvents(deps.db, { customerId }, page), cap),
    readAll<JourneyRun>((page) => deps.runtime.customerRuns(customerId, page), 200),
    readAll((page) => listMessages(deps.db, { customerId }, page), cap),
    readAll((page) => listCoupons(deps.db, { customerId }, page), cap),
    readAll((page) => listTasks(deps.db, { customerId }, page), cap),
  ]);
  const nameStep = stepNamer(deps.db);
  const steps = await Promise.all(
    runs.flatMap((run) =>
      stepVisits(run.history).map(async (h): Promise<TimelineEntry> => ({
        kind: 'step',
        at: h.at,
        step: await nameStep(run.journeyId, run.version, h.nodeId),
        ...(h.exit === undefined ? {} : { exit: h.exit }),
      })),
    ),
  );
  const entries: TimelineEntry[] = [
    ...events.map((event): TimelineEntry => ({ kind: 'event', at: event.at, event })),
    ...steps,
    ...messages.map((message): TimelineEntry => ({ kind: 'message', at: message.createdAt, message })),
    ...coupons.map((coupon): TimelineEntry => ({ kind: 'coupon', at: coupon.issuedAt, coupon })),
    ...tasks.map((task): TimelineEntry => ({ kind: 'task', at: task.createdAt, task })),
  ];
  // Newest first; at the same instant, keep a stable order by kind so pages do not shuffle.
  entries.sort((a, b) => b.at.localeCompare(a.at) || a.kind.localeCompare(b.kind));
  return { customerId, entries: entries.slice(0, limit), truncated: entries.length > limit };
}

/** The coupon a journey issued the customer last before `before`. */
function latestCoupon(coupons: readonly CouponRecord[], before: string): CouponRecord | null {
  const earlier = coupons.filter((c) => c.issuedAt <= before).sort((a, b) => b.issuedAt.localeCompare(a.issuedAt));
  return earlier[0] ?? null;
}

export const timelineRoutes = [
  defineRoute({
    operationId: 'customerTimeline',
    method: 'get',
    path: '/customers/:id/timeline',
    tag: 'Customers',
    summary: 'The customer’s timeline',
    description: 'Events, journey steps, messages (with delivery status), coupons and tasks in one list, newest first.',
    access: readers,
    params: CustomerParams,
    query: TimelineQuery,
    responses: { 200: { description: 'The timeline.', schema: Timeline } },
    async handler({ params, query, deps }) {
      await deps.pipeline.settled(params.id);
      if ((await getCustomer(deps.db, params.id)) === null) throw notFound(`customer ${params.id}`);
      return { status: 200, body: await customerTimeline(deps, params.id, query.limit) };
    },
  }),
  defineRoute({
    operationId: 'taskContext',
    method: 'get',
    path: '/tasks/:id/context',
    tag: 'CS tasks',
    summary: 'A task with the customer’s context',
    description: 'The customer (stage, RFM cell, CLV, last purchase), the journey step that opened the task, the coupon that journey sent and the run.',
    access: readers,
    params: IdParams,
    responses: { 200: { description: 'The task and its context.', schema: TaskContext } },
    async handler({ params, deps }) {
      const task = await getTask(deps.db, params.id);
      if (task === null) throw notFound(`task ${params.id}`);
      const { journeyId } = task;
      const [customer, run, coupons] = await Promise.all([
        getCustomer(deps.db, task.customerId),
        journeyId === undefined ? null : deps.runtime.describeRun(journeyId, task.customerId),
        journeyId === undefined ? [] : readAll((page) => listCoupons(deps.db, { customerId: task.customerId, journeyId }, page), 500),
      ]);
      const node = stepOfKey(task.key);
      let step: JourneyStepRef | null = null;
      if (journeyId !== undefined && node !== null) {
        const version = run?.version ?? (await getJourney(deps.db, journeyId))?.latestVersion ?? 0;
        step = version > 0 ? await stepNamer(deps.db)(journeyId, version, node.nodeId) : null;
      }
      return { status: 200, body: { task, customer, step, coupon: latestCoupon(coupons, task.createdAt), run } };
    },
  }),
];
