// Runs that a campaign starts in Temporal's start delay (their batched first steps ended at a
// timed wait), on the real Temporal dev server with a worker and the real activities: what the
// server does with signals during the delay, and that every way the runtime reaches a run
// (events, exits, erasures) reaches one in its delay at once.
import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CustomerProfile, JourneyGraph } from '../journey/index.ts';
import { getCustomer } from '../store/customers.ts';
import { createMigration } from '../store/migrations.ts';
import { getRun } from '../store/runs.ts';
import { eventually, inbox, keepHistory, publish, routeByRegistry, seedAudience, uniqueSuffix } from '../test/fixtures/workflow-harness.ts';
import { startRuntimeHarness } from '../test/fixtures/runtime-harness.ts';
import type { RuntimeHarness } from '../test/fixtures/runtime-harness.ts';
import { customerEventSignal, journeyWorkflowId, workflowTypes } from '../workflows/definitions.ts';
import { eraseCustomer } from './erasure.ts';

const services = inject('services');
const taskQueue = `wake-${randomUUID()}`;
let harness: RuntimeHarness | undefined;
let database: RuntimeHarness['database'];
let client: RuntimeHarness['client'];
let runtime: RuntimeHarness['runtime'];

beforeAll(async () => {
  harness = await startRuntimeHarness(services, taskQueue);
  ({ database, client, runtime } = harness);
});

afterAll(async () => {
  await harness?.stop();
});

const event = { event: { id: 'e-1', type: 'order_completed', customerId: 'nobody', at: new Date(0).toISOString(), properties: {} } };

describe('the server, during a start delay', () => {
  it('keeps a plain signal without starting the run, and starts it at once on a signal-with-start', async () => {
    const workflowId = `wake-fact/${randomUUID()}`;
    const handle = await client.workflow.start(workflowTypes.runGone, { taskQueue, workflowId, args: [], startDelay: '1 hour' });
    await handle.signal(customerEventSignal, event);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await client.workflow.signalWithStart(workflowTypes.runGone, { taskQueue, workflowId, args: [], signal: customerEventSignal, signalArgs: [event], workflowIdReusePolicy: 'REJECT_DUPLICATE' });
    await handle.result();
    const history = await handle.fetchHistory();
    expect(history.events?.filter((e) => e.workflowExecutionSignaledEventAttributes)).toHaveLength(2);
    // The same workflow, not a second one: the id has one run, and it has closed.
    expect((await handle.describe()).runId).toBe(handle.firstExecutionRunId);
  });

  it('refuses a signal-with-start to a closed run when the id may not be reused', async () => {
    const workflowId = `wake-fact/${randomUUID()}`;
    await client.workflow.execute(workflowTypes.runGone, { taskQueue, workflowId, args: [] });
    await expect(
      client.workflow.signalWithStart(workflowTypes.runGone, { taskQueue, workflowId, args: [], signal: customerEventSignal, signalArgs: [event], workflowIdReusePolicy: 'REJECT_DUPLICATE' }),
    ).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
  });
});

/**
 * Coupon → win-back email → `wait`, then a follow-up email → exit; an order is the goal. The
 * wait is an event wait of 7 days for an order, or a plain wait of `waitMinutes`.
 */
function winBack(id: string, wait: { orderDays: number } | { waitMinutes: number }): JourneyGraph {
  const at = (y: number) => ({ x: 0, y });
  const waitNode =
    'orderDays' in wait
      ? { id: 'wait', kind: 'waitForEvent', position: at(300), config: { eventType: 'order_completed', filter: [], timeout: { amount: wait.orderDays, unit: 'days' } } }
      : { id: 'wait', kind: 'wait', position: at(300), config: { mode: 'duration', duration: { amount: wait.waitMinutes, unit: 'minutes' } } };
  return {
    schemaVersion: 1,
    id,
    name: id,
    nodes: [
      { id: 'trigger', kind: 'audience', position: at(0), config: { segment: 'everyone', sendRatePerMinute: 60_000 } },
      { id: 'coupon', kind: 'coupon', position: at(100), config: { offer: { type: 'percent', percent: 20 }, expiresInDays: 14, prefix: 'WB', variable: 'couponCode' } },
      { id: 'email', kind: 'email', position: at(200), config: { templateId: 'winback-offer' } },
      waitNode,
      { id: 'follow-up', kind: 'email', position: at(400), config: { templateId: 'winback-offer' } },
      { id: 'done', kind: 'exit', position: at(500), config: {} },
    ],
    edges: [
      { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'coupon' },
      { id: 'e2', source: 'coupon', sourceHandle: 'issued', target: 'email' },
      { id: 'e3', source: 'email', sourceHandle: 'sent', target: 'wait' },
      { id: 'e4', source: 'wait', sourceHandle: 'orderDays' in wait ? 'timeout' : 'next', target: 'follow-up' },
      ...('orderDays' in wait ? [{ id: 'e6', source: 'wait', sourceHandle: 'event', target: 'done' }] : []),
      { id: 'e5', source: 'follow-up', sourceHandle: 'sent', target: 'done' },
    ],
    settings: { defaultLocale: 'en', timezone: 'UTC', reEntry: { policy: 'afterExit' }, frequencyCaps: [], goal: { eventType: 'order_completed', filter: [], windowDays: 30 } },
  } as JourneyGraph;
}

/** Launches a campaign of `graph` to `count` new customers; their ids once every run started. */
async function launch(graph: (id: string) => JourneyGraph, count: number) {
  const segment = `wake-${uniqueSuffix()}`;
  const ids = await seedAudience(database.db, segment, count, 'wake.test');
  const journey = await publish(database.db, graph(segment));
  const campaignId = `cmp-${uniqueSuffix()}`;
  await runtime.launchCampaign({ campaignId, journey, segment: { tags: [segment] }, ratePerSecond: 1_000 });
  expect(await eventually(() => runtime.campaignProgress(campaignId), (p) => p?.done === true, 60_000)).toMatchObject({ started: count, failed: 0 });
  return { journey, ids, handle: (id: string) => client.workflow.getHandle(journeyWorkflowId(journey.journeyId, id)) };
}

async function profile(id: string): Promise<CustomerProfile> {
  const customer = await getCustomer(database.db, id);
  if (customer === null) throw new Error(`no customer ${id}`);
  return customer;
}

/** Whether the run has had no workflow task yet (it sits in its start delay), and its timers. */
async function delayed(handle: ReturnType<typeof client.workflow.getHandle>): Promise<{ tasks: number; timers: number; backoffSeconds: number }> {
  const events = (await handle.fetchHistory()).events ?? [];
  const started = events[0]?.workflowExecutionStartedEventAttributes;
  return {
    tasks: events.filter((e) => e.workflowTaskScheduledEventAttributes).length,
    timers: events.filter((e) => e.timerStartedEventAttributes).length,
    backoffSeconds: Number(started?.firstWorkflowTaskBackoff?.seconds ?? 0),
  };
}

describe('a campaign run in its start delay', () => {
  const order = (customerId: string) => ({ id: `o-${uniqueSuffix()}`, type: 'order_completed', customerId, at: new Date().toISOString(), properties: { amount: 10 } });

  it('sleeps until its wait ends with no timer, answers from its record, and is reached at once by a goal, a removal and an erasure', async () => {
    const { journey, ids, handle } = await launch((id) => winBack(id, { orderDays: 7 }), 4);
    const [converted = '', removed = '', erased = '', left = ''] = ids;
    for (const id of ids) {
      const run = await delayed(handle(id));
      expect(run).toMatchObject({ tasks: 0, timers: 0 });
      expect(run.backoffSeconds).toBeGreaterThan(7 * 86_400 - 120);
      expect(await inbox(services, `${id}@wake.test`)).toHaveLength(1);
    }
    // No workflow task yet, so nothing to query: the run record answers.
    expect(await runtime.describeRun(journey.journeyId, left)).toMatchObject({ status: 'running', nodeId: 'wait', waitingFor: expect.arrayContaining(['order_completed']) });
    expect(Date.parse((await runtime.describeRun(journey.journeyId, left))?.waitingUntil ?? '')).toBeGreaterThan(Date.now() + 6 * 86_400_000);

    // The goal: routed as the event pipeline routes it, the run ends now, not in 7 days.
    const customer = await profile(converted);
    expect(await routeByRegistry(database.db, runtime, { event: order(converted), customer, entries: [] })).toMatchObject({ signalled: 1 });
    expect(await handle(converted).result()).toMatchObject({ reason: 'goal' });
    await keepHistory('campaign-delay-goal', handle(converted));
    expect(await eventually(() => getRun(database.db, journeyWorkflowId(journey.journeyId, converted)), (r) => r?.status === 'converted')).toMatchObject({ status: 'converted' });

    expect(await runtime.removeFromJourney(journey.journeyId, removed)).toBe(true);
    expect(await handle(removed).result()).toMatchObject({ reason: 'cancelled' });

    expect(await eraseCustomer({ db: database.db, runtime }, erased, new Date())).toMatchObject({ removed: { journeysCancelled: 1 } });
    expect(await handle(erased).result()).toMatchObject({ reason: 'cancelled' });

    // No follow-up went out to anyone, and the untouched run still sleeps.
    for (const id of ids) expect(await inbox(services, `${id}@wake.test`)).toHaveLength(1);
    expect(await delayed(handle(left))).toMatchObject({ tasks: 0 });
  });

  it('does not start a run again for an event after it ended, nor for a run that never existed', async () => {
    const { journey, ids, handle } = await launch((id) => winBack(id, { orderDays: 7 }), 1);
    const [id = ''] = ids;
    const workflowId = journeyWorkflowId(journey.journeyId, id);
    const customer = await profile(id);
    await routeByRegistry(database.db, runtime, { event: order(id), customer, entries: [] });
    expect(await handle(id).result()).toMatchObject({ reason: 'goal' });
    const { runId } = await handle(id).describe();
    // A second order, routed as if the registry still listed the run: refused, reported gone.
    const again = await runtime.routeEvent({ event: order(id), customer, entries: [], signal: [workflowId], started: [workflowId] });
    expect(again).toMatchObject({ signalled: 0, started: 0, gone: [workflowId] });
    expect((await handle(id).describe()).runId).toBe(runId);

    // An id with no workflow at all (a purged history): what starts ends at once and is no journey run.
    const ghost = journeyWorkflowId(journey.journeyId, `never-${uniqueSuffix()}`);
    expect(await runtime.routeEvent({ event: order(id), customer, entries: [], signal: [ghost], started: [ghost] })).toMatchObject({ signalled: 0, gone: [ghost] });
    const description = await eventually(() => client.workflow.getHandle(ghost).describe(), (d) => d.status.name === 'COMPLETED');
    expect(description.type).toBe(workflowTypes.runGone);
    expect(await getRun(database.db, ghost)).toBeNull();
  });

  it('is moved at once by a migration to a newer version', async () => {
    const { journey, ids, handle } = await launch((id) => winBack(id, { orderDays: 7 }), 1);
    const [id = ''] = ids;
    const graph = winBack(journey.journeyId, { orderDays: 7 });
    const changed = { ...graph, nodes: graph.nodes.map((n) => (n.id === 'follow-up' ? { ...n, config: { templateId: 'welcome' } } : n)) } as JourneyGraph;
    const v2 = await publish(database.db, changed);
    const migrationId = `m-${uniqueSuffix()}`;
    await createMigration(database.db, { id: migrationId, journeyId: journey.journeyId, version: v2.version, mapping: {}, requestedBy: 'test' }, new Date());
    await runtime.startMigration({ migrationId, journey: v2, mapping: {} });
    const workflowId = journeyWorkflowId(journey.journeyId, id);
    expect(await eventually(() => getRun(database.db, workflowId), (r) => r?.version === v2.version)).toMatchObject({ status: 'running', nodeId: 'wait', version: v2.version });
    expect((await delayed(handle(id))).tasks).toBeGreaterThan(0);
  });

  it('left alone, wakes when its wait ends and sends the follow-up once', async () => {
    const { ids, handle } = await launch((id) => winBack(id, { waitMinutes: 0.25 }), 2);
    for (const id of ids) expect(await delayed(handle(id))).toMatchObject({ tasks: 0, timers: 0 });
    for (const id of ids) {
      expect(await handle(id).result()).toMatchObject({ reason: 'exit' });
      expect(await inbox(services, `${id}@wake.test`)).toHaveLength(2);
      // It woke, moved on and ended: no timer in its history.
      expect((await delayed(handle(id))).timers).toBe(0);
    }
    await keepHistory('campaign-delay-wake', handle(ids[0] ?? ''));
  });
});
