// A campaign's batched first touch on the real Temporal dev server, FerretDB, SMTP inbox and a
// worker with the real activities: the coupon and the email go out in the launch batch, each run
// starts at its wait with nothing left to do, a retried batch acts once, and an event the
// customer sends while the batch runs reaches their run.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { WorkflowHandle } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { JourneyGraph } from '../journey/index.ts';
import { couponsCollection } from '../store/coupons.ts';
import { getRun, runsCollection } from '../store/runs.ts';
import { journeyOutcomeReport } from '../store/outcomeRollup.ts';
import { createEventPipeline } from '../runtime/pipeline.ts';
import { eventually, inbox, keepHistory, publish, realActivities, seedAudience, uniqueSuffix } from '../test/fixtures/workflow-harness.ts';
import { startRuntimeHarness } from '../test/fixtures/runtime-harness.ts';
import type { RuntimeHarness } from '../test/fixtures/runtime-harness.ts';
import { campaignWorkflowId, journeyWorkflowId, workflowTypes } from '../workflows/definitions.ts';
import type { CampaignLaunchInput, CampaignLaunchProgress } from '../workflows/definitions.ts';
import type { JourneyStarter } from './index.ts';

const services = inject('services');
const taskQueue = `prefix-${randomUUID()}`;
let harness: RuntimeHarness | undefined;
let database: RuntimeHarness['database'];
let client: RuntimeHarness['client'];
let runtime: RuntimeHarness['runtime'];
let hook: Server;
let hookUrl = '';
/** What the webhook does when called (the customer's event, in the event-race test). */
let onHook: (customerId: string) => Promise<void> = async () => undefined;

beforeAll(async () => {
  harness = await startRuntimeHarness(services, taskQueue);
  ({ database, client, runtime } = harness);
  hook = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const { customerId } = JSON.parse(body) as { customerId: string };
      onHook(customerId).then(
        () => response.writeHead(200).end('{}'),
        () => response.writeHead(500).end('{}'),
      );
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  const address = hook.address();
  hookUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/hook`;
});

afterAll(async () => {
  await harness?.stop();
  await new Promise((resolve) => hook?.close(resolve));
});

/** Coupon → win-back email (with the code) → [webhook] → wait 7 days for an order → exit; the order is the goal. */
function winBack(id: string, options: { webhook?: boolean } = {}): JourneyGraph {
  const at = (y: number) => ({ x: 0, y });
  const nodes: unknown[] = [
    { id: 'trigger', kind: 'audience', position: at(0), config: { segment: 'everyone', sendRatePerMinute: 60_000 } },
    { id: 'coupon', kind: 'coupon', position: at(100), config: { offer: { type: 'percent', percent: 20 }, expiresInDays: 14, prefix: 'WB', variable: 'couponCode' } },
    { id: 'email', kind: 'email', position: at(200), config: { templateId: 'winback-offer' } },
    { id: 'wait-order', kind: 'waitForEvent', position: at(400), config: { eventType: 'order_completed', filter: [], timeout: { amount: 7, unit: 'days' } } },
    { id: 'done', kind: 'exit', position: at(500), config: {} },
  ];
  const edges = [
    { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'coupon' },
    { id: 'e2', source: 'coupon', sourceHandle: 'issued', target: 'email' },
    { id: 'e4', source: 'wait-order', sourceHandle: 'event', target: 'done' },
    { id: 'e5', source: 'wait-order', sourceHandle: 'timeout', target: 'done' },
  ];
  if (options.webhook) {
    nodes.push({ id: 'hook', kind: 'webhook', position: at(300), config: { url: hookUrl, method: 'POST', headers: {}, body: '{"customerId":"{{customer.id}}"}' } });
    edges.push({ id: 'e3', source: 'email', sourceHandle: 'sent', target: 'hook' }, { id: 'e6', source: 'hook', sourceHandle: 'delivered', target: 'wait-order' });
  } else {
    edges.push({ id: 'e3', source: 'email', sourceHandle: 'sent', target: 'wait-order' });
  }
  return {
    schemaVersion: 1,
    id,
    name: id,
    nodes,
    edges,
    settings: { defaultLocale: 'en', timezone: 'UTC', reEntry: { policy: 'never' }, frequencyCaps: [], goal: { eventType: 'order_completed', filter: [], windowDays: 30 } },
  } as JourneyGraph;
}

/** The event types in a workflow's history, by count. */
async function historyOf(workflowId: string): Promise<{ length: number; activities: number; markers: number; timers: number }> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  return {
    length: events.length,
    activities: events.filter((e) => e.activityTaskScheduledEventAttributes).length,
    markers: events.filter((e) => e.markerRecordedEventAttributes).length,
    timers: events.filter((e) => e.timerStartedEventAttributes).length,
  };
}

/** A launch's page passes in its history: which activity, when scheduled and completed (event ids). */
async function passesOf(handle: WorkflowHandle) {
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = new Map<string, { name: string; scheduled: number }>();
  const passes: Array<{ name: string; scheduled: number; completed: number }> = [];
  for (const event of events) {
    const id = String(event.eventId);
    const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
    if (name === 'prefixCampaignPage' || name === 'startCampaignPage') scheduled.set(id, { name, scheduled: Number(event.eventId) });
    const done = event.activityTaskCompletedEventAttributes;
    const pass = done ? scheduled.get(String(done.scheduledEventId)) : undefined;
    if (pass !== undefined) passes.push({ ...pass, completed: Number(event.eventId) });
  }
  return passes;
}

/** A win-back audience of `size` tagged customers and the input of one campaign batch that takes them all. */
async function onePage(prefix: string, size: number) {
  const { segment, ids, journey, campaignId } = await winBackAudience(prefix, size);
  const input = { campaignId, journeyId: journey.journeyId, version: journey.version, audience: { tags: [segment] }, asOf: Date.now(), cursor: null, limit: size };
  return { ids, journey, input };
}

/** `size` customers tagged with a fresh segment, the win-back journey published for them, and a campaign id. */
async function winBackAudience(prefix: string, size: number) {
  const segment = `${prefix}-${uniqueSuffix()}`;
  const ids = await seedAudience(database.db, segment, size, 'prefix.test');
  const journey = await publish(database.db, winBack(segment));
  return { segment, ids, journey, campaignId: `cmp-${uniqueSuffix()}` };
}

/** Each customer received one email and holds one coupon. */
async function expectOneEmailAndCoupon(ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    expect(await inbox(services, `${id}@prefix.test`)).toHaveLength(1);
    expect(await couponsCollection(database.db).countDocuments({ customerId: id })).toBe(1);
  }
}

/** Activities whose starter finds Temporal unreachable (a batch fails after its prefixes acted), and working ones. */
function failingThenWorking() {
  const unreachable: JourneyStarter = {
    ...runtime.starter,
    startMany: () => Promise.reject(Object.assign(new Error('14 UNAVAILABLE: connection refused'), { code: 14 })),
  };
  return { failing: realActivities(database.db, services, unreachable), working: realActivities(database.db, services, runtime.starter) };
}

describe('a campaign’s batched first touch', () => {
  it('sends each customer their coupon email in the launch batch and starts their run at the 7-day wait, with nothing else to do', async () => {
    const { segment, ids, journey, campaignId } = await winBackAudience('wb', 24);
    await runtime.launchCampaign({ campaignId, journey, segment: { tags: [segment] }, ratePerSecond: 1_000 });
    const done = await eventually(() => runtime.campaignProgress(campaignId), (p) => p?.done === true, 60_000);
    expect(done).toEqual({ audience: 24, started: 24, skipped: 0, failed: 0, done: true });

    for (const id of ids) {
      const mails = await inbox(services, `${id}@prefix.test`);
      expect(mails).toHaveLength(1);
      const coupons = await couponsCollection(database.db).find({ customerId: id }).toArray();
      expect(coupons).toHaveLength(1);
      expect(mails[0]?.text).toContain(coupons[0]?.code);
    }
    const workflowId = journeyWorkflowId(journey.journeyId, ids[0] ?? '');
    // The run sleeps in Temporal's start delay until its wait ends: no activity, no local-activity
    // marker, no timer, not even a workflow task yet (so no query): its record tells where it is.
    expect(await historyOf(workflowId)).toMatchObject({ activities: 0, markers: 0, timers: 0 });
    const record = await getRun(database.db, workflowId);
    expect(record).toMatchObject({ status: 'running', nodeId: 'wait-order', campaignId, waitingFor: expect.arrayContaining(['order_completed']) });
    expect(record?.variables['couponCode']).toMatch(/^WB-/);
    expect(record?.visited).toEqual(expect.arrayContaining(['trigger', 'coupon', 'email', 'wait-order']));
    expect(await runtime.nodeStats(journey.journeyId)).toContainEqual(expect.objectContaining({ nodeId: 'wait-order', waiting: 24 }));

    // The run is reachable: the goal ends it.
    const order = { id: `o-${uniqueSuffix()}`, type: 'order_completed', customerId: ids[1] ?? '', at: new Date().toISOString(), properties: { amount: 10 } };
    const pipeline = createEventPipeline({ db: database.db, runtime });
    await pipeline.ingest([order], { wait: true });
    const converted = client.workflow.getHandle(journeyWorkflowId(journey.journeyId, ids[1] ?? ''));
    expect(await converted.result()).toMatchObject({ reason: 'goal' });
    await keepHistory('campaign-prefix-goal', converted);

    // A second campaign of the same journey (re-entry `never`) skips everyone and sends nothing.
    const again = `cmp-${uniqueSuffix()}`;
    await runtime.launchCampaign({ campaignId: again, journey, segment: { tags: [segment] }, ratePerSecond: 1_000 });
    expect(await eventually(() => runtime.campaignProgress(again), (p) => p?.done === true, 60_000)).toMatchObject({ started: 0, skipped: 24 });
    expect(await inbox(services, `${ids[2]}@prefix.test`)).toHaveLength(1);
  });

  it('launches an audience of several pages with every customer counted, emailed and started once', async () => {
    const { segment, ids, journey, campaignId } = await winBackAudience('wp', 10);
    // The outcome counters exist before the launch (a report counted them): the launch keeps them up to date.
    expect(await journeyOutcomeReport(database.db, journey.journeyId, { now: new Date() })).toMatchObject({ source: 'counters', metrics: { entered: 0 } });
    // Pages of 4: three pages, each sent in a first pass and its runs started in a second, behind the sends.
    const input: CampaignLaunchInput = { campaignId, journeyId: journey.journeyId, version: journey.version, audience: { tags: [segment] }, ratePerSecond: 1_000, batchSize: 4 };
    const handle = await client.workflow.start(workflowTypes.campaign, { taskQueue, workflowId: campaignWorkflowId(campaignId), args: [input] });
    const final = (await handle.result()) as CampaignLaunchProgress;
    expect(final).toMatchObject({ status: 'completed', total: 10, started: 10, skipped: 0, failed: 0, done: true });
    // Everyone sent to was started: nobody is left counted as starting.
    expect(final.starting ?? 0).toBe(0);
    for (const id of ids) {
      expect(await inbox(services, `${id}@prefix.test`)).toHaveLength(1);
      expect(await couponsCollection(database.db).countDocuments({ customerId: id })).toBe(1);
      // Asleep in its start delay (no query answers yet): Temporal has it running, its record says where.
      expect((await client.workflow.getHandle(journeyWorkflowId(journey.journeyId, id)).describe()).status.name).toBe('RUNNING');
      expect(await getRun(database.db, journeyWorkflowId(journey.journeyId, id))).toMatchObject({ status: 'running', nodeId: 'wait-order' });
    }
    expect(await runtime.nodeStats(journey.journeyId)).toContainEqual(expect.objectContaining({ nodeId: 'wait-order', entered: 10, waiting: 10 }));
    const passes = await passesOf(handle);
    expect(passes.filter((p) => p.name === 'prefixCampaignPage')).toHaveLength(3);
    expect(passes.filter((p) => p.name === 'startCampaignPage')).toHaveLength(3);
    // The sends first: no run started while a page remained to be sent.
    const lastSent = Math.max(...passes.filter((p) => p.name === 'prefixCampaignPage').map((p) => p.completed));
    expect(Math.min(...passes.filter((p) => p.name === 'startCampaignPage').map((p) => p.scheduled))).toBeGreaterThan(lastSent);
    expect(await journeyOutcomeReport(database.db, journey.journeyId, { now: new Date() })).toMatchObject({ source: 'counters', metrics: { entered: 10, converted: 0, couponRedemption: { of: 10, count: 0 } } });
    await keepHistory('campaign-launch-sends-first', handle);
  });

  it('starts runs while sending once more customers wait for them than the launch holds back', async () => {
    const { segment, ids, journey, campaignId } = await winBackAudience('wh', 12);
    // Pages of 3, at most 3 emailed customers waiting: from the second page sent on, runs start while pages remain.
    const input: CampaignLaunchInput = { campaignId, journeyId: journey.journeyId, version: journey.version, audience: { tags: [segment] }, ratePerSecond: 1_000, batchSize: 3, holdStartsUpTo: 3 };
    const handle = await client.workflow.start(workflowTypes.campaign, { taskQueue, workflowId: campaignWorkflowId(campaignId), args: [input] });
    expect(await handle.result()).toMatchObject({ status: 'completed', total: 12, started: 12, done: true });
    const passes = await passesOf(handle);
    const lastSent = Math.max(...passes.filter((p) => p.name === 'prefixCampaignPage').map((p) => p.completed));
    expect(Math.min(...passes.filter((p) => p.name === 'startCampaignPage').map((p) => p.scheduled))).toBeLessThan(lastSent);
    for (const id of ids) expect((await client.workflow.getHandle(journeyWorkflowId(journey.journeyId, id)).describe()).status.name).toBe('RUNNING');
  });

  it('starts the runs of a campaign launched through the API while its later pages are still being sent', async () => {
    const { segment, ids, journey, campaignId } = await winBackAudience('wa', 12);
    // Four customers a second: pages of four, one a second, and the first page's runs start before the last is sent.
    await runtime.launchCampaign({ campaignId, journey, segment: { tags: [segment] }, ratePerSecond: 4 });
    expect(await eventually(() => runtime.campaignProgress(campaignId), (p) => p?.done === true, 60_000)).toMatchObject({ started: 12, skipped: 0, failed: 0 });
    const passes = await passesOf(client.workflow.getHandle(campaignWorkflowId(campaignId)));
    expect(passes.filter((p) => p.name === 'prefixCampaignPage')).toHaveLength(3);
    const lastSent = Math.max(...passes.filter((p) => p.name === 'prefixCampaignPage').map((p) => p.completed));
    expect(Math.min(...passes.filter((p) => p.name === 'startCampaignPage').map((p) => p.scheduled))).toBeLessThan(lastSent);
    await expectOneEmailAndCoupon(ids);
  });

  it('starts the runs of everyone a paused launch emailed while it stays paused, and sends the rest after the resume', async () => {
    const { segment, ids, journey, campaignId } = await winBackAudience('wq', 8);
    // Two customers a second, one page of two a second: paused once the first emails arrived.
    await runtime.launchCampaign({ campaignId, journey, segment: { tags: [segment] }, ratePerSecond: 2 });
    const emailedNow = async () => {
      const emailed: string[] = [];
      for (const id of ids) if ((await inbox(services, `${id}@prefix.test`)).length > 0) emailed.push(id);
      return emailed;
    };
    await eventually(emailedNow, (emailed) => emailed.length >= 2, 30_000, 50);
    await runtime.pauseCampaign(campaignId);
    // Paused: every customer emailed so far gets their run, and nobody else is emailed.
    const paused = await eventually(
      () => runtime.campaignProgress(campaignId),
      (p) => p !== null && !p.done && (p.starting ?? 0) === 0 && p.started > 0,
      30_000,
    );
    await new Promise((r) => setTimeout(r, 1_500));
    const emailed = await emailedNow();
    expect(emailed.length).toBeLessThan(ids.length);
    expect((await runtime.campaignProgress(campaignId))?.started).toBe(emailed.length);
    expect(paused?.started).toBe(emailed.length);
    for (const id of emailed) expect((await client.workflow.getHandle(journeyWorkflowId(journey.journeyId, id)).describe()).status.name).toBe('RUNNING');
    await runtime.resumeCampaign(campaignId);
    expect(await eventually(() => runtime.campaignProgress(campaignId), (p) => p?.done === true, 60_000)).toMatchObject({ started: 8, skipped: 0, failed: 0, done: true });
    await expectOneEmailAndCoupon(ids);
  });

  it('acts once when a batch that sent and issued but could not start the runs is retried', async () => {
    const { ids, journey, input } = await onePage('wr', 8);
    // Temporal unreachable when the runs start: the batch fails after its prefixes acted.
    const { failing, working } = failingThenWorking();
    try {
      await expect(new MockActivityEnvironment().run(failing.activities.startCampaignBatch, input)).rejects.toThrow(/UNAVAILABLE/);
      for (const id of ids) expect(await inbox(services, `${id}@prefix.test`)).toHaveLength(1);
      const retried = await new MockActivityEnvironment().run(working.activities.startCampaignBatch, input);
      expect(retried).toMatchObject({ started: 8, skipped: 0, failed: 0, nextCursor: null });
      // Once more (the settlement was lost): counted as before, nothing new.
      const again = await new MockActivityEnvironment().run(working.activities.startCampaignBatch, input);
      expect(again).toMatchObject({ started: 8, skipped: 0, failed: 0 });
    } finally {
      failing.close();
      working.close();
    }
    await expectOneEmailAndCoupon(ids);
    for (const id of ids) {
      expect((await client.workflow.getHandle(journeyWorkflowId(journey.journeyId, id)).describe()).status.name).toBe('RUNNING');
      expect(await getRun(database.db, journeyWorkflowId(journey.journeyId, id))).toMatchObject({ status: 'running', nodeId: 'wait-order' });
    }
    // The page's run records were written once: the step counters count each customer once.
    expect(await runtime.nodeStats(journey.journeyId)).toContainEqual(expect.objectContaining({ nodeId: 'wait-order', entered: 8, waiting: 8 }));
  });

  it('hands a retried batch’s runs the events their customers sent since the first attempt emailed them', async () => {
    const { ids, journey, input } = await onePage('wx', 3);
    const { failing, working } = failingThenWorking();
    const [buyer = '', ...others] = ids;
    try {
      // The first attempt emails everyone, then cannot start the runs.
      await expect(new MockActivityEnvironment().run(failing.activities.startCampaignBatch, input)).rejects.toThrow(/UNAVAILABLE/);
      expect(await inbox(services, `${buyer}@prefix.test`)).toHaveLength(1);
      // The email works: one customer orders before the retry. No run exists to hand it to.
      await new Promise((r) => setTimeout(r, 50));
      const pipeline = createEventPipeline({ db: database.db, runtime });
      await pipeline.ingest([{ id: `o-${uniqueSuffix()}`, type: 'order_completed', customerId: buyer, at: new Date().toISOString(), properties: { amount: 25 } }], { wait: true });
      await new Promise((r) => setTimeout(r, 50));
      expect(await new MockActivityEnvironment().run(working.activities.startCampaignBatch, input)).toMatchObject({ started: 3, failed: 0 });
    } finally {
      failing.close();
      working.close();
    }
    // The buyer's run gets the order and converts; the others wait.
    const workflowId = journeyWorkflowId(journey.journeyId, buyer);
    expect(await eventually(() => getRun(database.db, workflowId), (r) => r?.status === 'converted', 30_000)).toMatchObject({ status: 'converted' });
    for (const id of others) expect(await getRun(database.db, journeyWorkflowId(journey.journeyId, id))).toMatchObject({ status: 'running', nodeId: 'wait-order' });
  });

  it('sends a page in its first pass and starts its runs in the second, from the kept state; a second pass retried starts each once and hands on what came between', async () => {
    const { ids, journey, input } = await onePage('w2', 5);
    // The outcome counters exist before the launch (a report counted them): the passes keep them up to date.
    expect(await journeyOutcomeReport(database.db, journey.journeyId, { now: new Date() })).toMatchObject({ source: 'counters', metrics: { entered: 0 } });
    const { failing, working } = failingThenWorking();
    const [buyer = '', ...others] = ids;
    const workflowIds = ids.map((id) => journeyWorkflowId(journey.journeyId, id));
    try {
      const first = await new MockActivityEnvironment().run(working.activities.prefixCampaignPage, { ...input, customerIds: ids });
      // Everyone emailed; nobody counted yet: they wait for their runs.
      expect(first).toMatchObject({ started: 0, skipped: 0, failed: 0, waiting: 5 });
      for (const id of ids) expect(await inbox(services, `${id}@prefix.test`)).toHaveLength(1);
      for (const workflowId of workflowIds) {
        const record = await getRun(database.db, workflowId);
        expect(record).toMatchObject({ status: 'running', nodeId: 'wait-order', startState: { status: 'running', current: { nodeId: 'wait-order' } } });
        // Kept small: the customer's view and the history are on record elsewhere.
        expect(record?.startState).not.toHaveProperty('customer');
        expect(record?.startState).not.toHaveProperty('history');
        await expect(client.workflow.getHandle(workflowId).describe()).rejects.toThrow(/not found/i);
      }
      // The buyer orders between the passes; the second pass fails (Temporal unreachable), then works.
      const pipeline = createEventPipeline({ db: database.db, runtime });
      await pipeline.ingest([{ id: `o-${uniqueSuffix()}`, type: 'order_completed', customerId: buyer, at: new Date().toISOString(), properties: { amount: 30 } }], { wait: true });
      await expect(new MockActivityEnvironment().run(failing.activities.startCampaignPage, { ...input, customerIds: ids })).rejects.toThrow(/UNAVAILABLE/);
      expect(await new MockActivityEnvironment().run(working.activities.startCampaignPage, { ...input, customerIds: ids })).toMatchObject({ started: 5, skipped: 0, failed: 0 });
      // Once more (the worker died after the settle, before Temporal heard of it): nothing new
      // is started, and the retry counts what the lost attempt started, which the launch never heard.
      expect(await new MockActivityEnvironment().run(working.activities.startCampaignPage, { ...input, customerIds: ids })).toMatchObject({ started: 5, skipped: 0, failed: 0 });
      expect(await new MockActivityEnvironment().run(working.activities.prefixCampaignPage, { ...input, customerIds: ids })).toMatchObject({ started: 5, waiting: 0 });
    } finally {
      failing.close();
      working.close();
    }
    await expectOneEmailAndCoupon(ids);
    expect(await eventually(() => getRun(database.db, journeyWorkflowId(journey.journeyId, buyer)), (r) => r?.status === 'converted', 30_000)).toMatchObject({ status: 'converted' });
    for (const id of others) {
      const workflowId = journeyWorkflowId(journey.journeyId, id);
      expect((await client.workflow.getHandle(workflowId).describe()).status.name).toBe('RUNNING');
      expect(await getRun(database.db, workflowId)).toMatchObject({ status: 'running', nodeId: 'wait-order' });
    }
    expect(await runtime.nodeStats(journey.journeyId)).toContainEqual(expect.objectContaining({ nodeId: 'wait-order', entered: 5 }));
    // The journey's outcome figures count each entrant once, the buyer converted, every coupon issued.
    const report = await eventually(() => journeyOutcomeReport(database.db, journey.journeyId, { now: new Date() }), (r) => r?.metrics.converted === 1, 30_000);
    expect(report).toMatchObject({ source: 'counters', metrics: { entered: 5, converted: 1, couponRedemption: { of: 5, count: 0 } } });
  });

  it('starts a first pass’s customers whose kept state is gone by running their first steps again, acting once', async () => {
    const { ids, journey, input } = await onePage('wk', 3);
    const activities = realActivities(database.db, services, runtime.starter);
    const workflowIds = ids.map((id) => journeyWorkflowId(journey.journeyId, id));
    try {
      expect(await new MockActivityEnvironment().run(activities.activities.prefixCampaignPage, { ...input, customerIds: ids })).toMatchObject({ waiting: 3 });
      // A record without a kept state (written by a build before the two passes).
      await runsCollection(database.db).updateMany({ _id: { $in: workflowIds } }, { $unset: { startState: '' } });
      expect(await new MockActivityEnvironment().run(activities.activities.startCampaignPage, { ...input, customerIds: ids })).toMatchObject({ started: 3, skipped: 0, failed: 0 });
    } finally {
      activities.close();
    }
    await expectOneEmailAndCoupon(ids);
    for (const workflowId of workflowIds) {
      expect((await client.workflow.getHandle(workflowId).describe()).status.name).toBe('RUNNING');
      expect(await getRun(database.db, workflowId)).toMatchObject({ status: 'running', nodeId: 'wait-order' });
    }
    expect(await runtime.nodeStats(journey.journeyId)).toContainEqual(expect.objectContaining({ nodeId: 'wait-order', entered: 3, waiting: 3 }));
  });

  it('starts the run of everyone a cancelled launch emailed, and emails nobody after the cancel', async () => {
    const { segment, ids, journey, campaignId } = await winBackAudience('wc', 8);
    // One customer a second: the launch is cancelled once the first email arrived.
    await runtime.launchCampaign({ campaignId, journey, segment: { tags: [segment] }, ratePerSecond: 1 });
    await eventually(async () => (await Promise.all(ids.map((id) => inbox(services, `${id}@prefix.test`)))).flat().length, (n) => n >= 1, 30_000, 50);
    await runtime.cancelCampaign(campaignId);
    const done = await eventually(() => runtime.campaignProgress(campaignId), (p) => p?.done === true, 60_000);
    const emailed: string[] = [];
    for (const id of ids) if ((await inbox(services, `${id}@prefix.test`)).length > 0) emailed.push(id);
    expect(emailed.length).toBeGreaterThanOrEqual(1);
    expect(emailed.length).toBeLessThan(ids.length);
    expect(done).toMatchObject({ started: emailed.length, skipped: 0, failed: 0, done: true });
    for (const id of ids) {
      const workflowId = journeyWorkflowId(journey.journeyId, id);
      if (emailed.includes(id)) expect((await client.workflow.getHandle(workflowId).describe()).status.name).toBe('RUNNING');
      else await expect(client.workflow.getHandle(workflowId).describe()).rejects.toThrow(/not found/i);
    }
    // Nothing goes out after the launch ended.
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await Promise.all(ids.map((id) => inbox(services, `${id}@prefix.test`)))).flat()).toHaveLength(emailed.length);
  });

  it('hands the run an event its customer sent after the batch began, before the run existed', async () => {
    const segment = `we-${uniqueSuffix()}`;
    const [id = ''] = await seedAudience(database.db, segment, 1, 'prefix.test');
    const journey = await publish(database.db, winBack(segment, { webhook: true }));
    const pipeline = createEventPipeline({ db: database.db, runtime });
    // The customer orders while the batch calls the webhook: the run does not exist yet.
    onHook = async (customerId) => {
      await pipeline.ingest([{ id: `o-${uniqueSuffix()}`, type: 'order_completed', customerId, at: new Date().toISOString(), properties: { amount: 25 } }], { wait: true });
    };
    const campaignId = `cmp-${uniqueSuffix()}`;
    await runtime.launchCampaign({ campaignId, journey, segment: { tags: [segment] }, ratePerSecond: 1_000 });
    expect(await eventually(() => runtime.campaignProgress(campaignId), (p) => p?.done === true, 60_000)).toMatchObject({ started: 1 });
    const workflowId = journeyWorkflowId(journey.journeyId, id);
    expect(await client.workflow.getHandle(workflowId).result()).toMatchObject({ reason: 'goal' });
    await keepHistory('campaign-prefix-event', client.workflow.getHandle(workflowId));
    expect(await eventually(() => getRun(database.db, workflowId), (r) => r?.status === 'converted')).toMatchObject({ status: 'converted' });
  });
});
