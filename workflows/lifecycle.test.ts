// A customer who stops buying, end to end on Temporal's time-skipping test server: the daily
// lifecycle workflow (what the Schedule starts) re-scores them as simulated days pass, they
// become at risk, then dormant, and the built-in win-back journey starts for them exactly once
// although the daily run and the sweep run again. Real activities against FerretDB, the SMTP
// inbox and the SMS sandbox.
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { timeSkippingEnvironment } from '../test/fixtures/time-skipping.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DailyLifecycleResult } from '../activities/index.ts';
import { listCoupons } from '../store/coupons.ts';
import { getCustomer } from '../store/customers.ts';
import { applyEventToProfile, eventsCollection, insertEvent } from '../store/events.ts';
import { updateCustomerLifecycle } from '../store/lifecycle.ts';
import { ensureBuiltinSegments } from '../store/segments.ts';
import { testDatabase } from '../test/db.ts';
import { builtinGraph, eventually, inbox, middayZone, prepareDatabase, publish, startJourneyWorker, seedCustomer, testJourneyGraph, uniqueSuffix } from '../test/fixtures/workflow-harness.ts';
import { journeyStatusQuery, journeyWorkflowId, workflowTypes } from './definitions.ts';

const services = inject('services');
const taskQueue = `lifecycle-${randomUUID()}`;
const DAY = 86_400_000;

let env: TestWorkflowEnvironment;
/** A client that does not skip time while it waits: simulated time moves only by `env.sleep`. */
let lockedClient: Client;
let database: Awaited<ReturnType<typeof testDatabase>>;
let journeyWorker: Awaited<ReturnType<typeof startJourneyWorker>>;

beforeAll(async () => {
  env = await timeSkippingEnvironment(services);
  lockedClient = new Client({ connection: env.connection });
  database = await testDatabase();
  await prepareDatabase(database.db);
  await ensureBuiltinSegments(database.db, new Date(await env.currentTimeMs()));
  await publish(database.db, builtinGraph('win-back'));
  journeyWorker = await startJourneyWorker(env, database.db, services, taskQueue);
});

afterAll(async () => {
  await journeyWorker?.stop();
  await env?.teardown();
  await database?.close();
});

/**
 * One run of the daily lifecycle workflow, as the Schedule starts it, at the server's time.
 * (Awaited through the time-skipping client, the server may jump to a far timer — a finished
 * workflow's 10-year execution timeout — before the run reads the clock.)
 */
function dailyRun(): Promise<DailyLifecycleResult> {
  return lockedClient.workflow.execute(workflowTypes.lifecycle, { taskQueue, workflowId: `lifecycle-${uniqueSuffix()}`, args: [] });
}

describe('a customer who stops buying', () => {
  it('becomes at risk, then dormant, and enters the win-back journey exactly once', { timeout: 180_000 }, async () => {
    const db = database.db;
    const t0 = await env.currentTimeMs();
    const id = `lapsing-${uniqueSuffix()}`;
    const email = `${id}@lifecycle.test`;
    await seedCustomer(db, { id, email, name: 'Mei Lin', timezone: middayZone(t0), consent: { email: true, sms: false } });
    // Ten orders, every 10 days, the last 10 days before the simulation starts (ingestion's path).
    for (let daysAgo = 100; daysAgo >= 10; daysAgo -= 10) {
      const at = new Date(t0 - daysAgo * DAY);
      const { event } = await insertEvent(db, { id: `order-${id}-${daysAgo}`, type: 'order_completed', customerId: id, at: at.toISOString(), properties: { amount: 30 } }, at);
      await applyEventToProfile(db, event, at);
      await updateCustomerLifecycle(db, event, at);
    }

    const stageOn: Record<number, string | undefined> = {};
    const started: number[] = [];
    const daily = async (day: number) => {
      const now = await env.currentTimeMs();
      const target = t0 + day * DAY;
      if (target > now) await env.sleep(target - now);
      const result = await dailyRun();
      started.push(result.started);
      stageOn[day] = (await getCustomer(db, id))?.computed.stage;
    };
    for (const day of [0, 15, 30, 45, 60, 75]) await daily(day);
    expect(started.every((n) => n === 0)).toBe(true);
    await expect(env.client.workflow.getHandle(journeyWorkflowId('win-back', id)).describe()).rejects.toThrow();

    // 90 days after the last order: dormant. The daily run twice, then the sweep as the API runs
    // it (routing the changes it records), then the next day's run.
    await daily(80);
    const handle = env.client.workflow.getHandle(journeyWorkflowId('win-back', id));
    const first = await handle.describe();
    await daily(80);
    const routed = (await journeyWorker.pipeline.runLifecycle(new Date(await env.currentTimeMs()), 'sweep')).started;
    await daily(81);

    expect([stageOn[0], stageOn[15], stageOn[75], stageOn[80], stageOn[81]]).toEqual(['active', 'atRisk', 'atRisk', 'dormant', 'dormant']);
    expect(started).toEqual([0, 0, 0, 0, 0, 0, 1, 0, 0]);
    expect(routed).toBe(0);
    // The same execution throughout: no second run under the workflow id.
    expect((await handle.describe()).runId).toBe(first.runId);
    const stageChanges = await eventsCollection(db).find({ customerId: id, type: 'stage_changed' }).sort({ at: 1 }).toArray();
    expect(stageChanges.map((e) => e.properties['to']).slice(-2)).toEqual(['atRisk', 'dormant']);
    const entries = await eventsCollection(db).countDocuments({ customerId: id, type: 'segment_entered', 'properties.segment': 'dormant-90d' });
    expect(entries).toBe(1);
    // What the journey did, once: one coupon, one win-back email.
    expect((await listCoupons(db, { customerId: id }, { limit: 10 })).items).toHaveLength(1);
    const mails = await eventually(() => inbox(services, email), (m) => m.length >= 1);
    expect(mails).toHaveLength(1);
  });
});

describe('a stage that changes with time alone', () => {
  it('the daily run wakes a run waiting for stage_changed and ends a run whose goal it is', { timeout: 180_000 }, async () => {
    const db = database.db;
    const t0 = await env.currentTimeMs();
    const id = `drifting-${uniqueSuffix()}`;
    const email = `${id}@lifecycle.test`;
    await seedCustomer(db, { id, email, timezone: middayZone(t0), consent: { email: true, sms: false } });
    for (let daysAgo = 100; daysAgo >= 10; daysAgo -= 10) {
      const at = new Date(t0 - daysAgo * DAY);
      const { event } = await insertEvent(db, { id: `order-${id}-${daysAgo}`, type: 'order_completed', customerId: id, at: at.toISOString(), properties: { amount: 30 } }, at);
      await applyEventToProfile(db, event, at);
      await updateCustomerLifecycle(db, event, at);
    }
    expect((await getCustomer(db, id))?.computed.stage).toBe('active');
    const twoMonths = 60 * 24 * 60;
    const waiter = await publish(db, testJourneyGraph({ id: `stage-waiter-${uniqueSuffix()}`, trigger: { kind: 'api' }, waitForEvent: { eventType: 'stage_changed', timeoutMinutes: twoMonths } }));
    const goal = await publish(db, testJourneyGraph({ id: `stage-goal-${uniqueSuffix()}`, trigger: { kind: 'api' }, waitMinutes: twoMonths, goal: 'stage_changed' }));
    const customer = await getCustomer(db, id);
    if (customer === null) throw new Error('customer missing');
    for (const journey of [waiter, goal]) expect(await journeyWorker.runtime.startJourney({ journey, customer })).toEqual({ started: true });
    const handles = [waiter, goal].map((j) => lockedClient.workflow.getHandle(journeyWorkflowId(j.journeyId, id)));
    for (const handle of handles) await eventually(() => handle.query(journeyStatusQuery), (s) => s.waiting?.kind === 'event' || s.waiting?.kind === 'timer');
    await eventually(() => inbox(services, email), (m) => m.length === 2);

    // 15 days later the customer is at risk: found by the daily run alone, no event of theirs.
    await env.sleep(t0 + 15 * DAY - (await env.currentTimeMs()));
    const result = await dailyRun();
    expect(result.signalled).toBeGreaterThanOrEqual(2);
    expect((await getCustomer(db, id))?.computed.stage).toBe('atRisk');
    const [waited, converted] = await Promise.all(handles.map((h) => h.result()));
    expect(waited).toMatchObject({ reason: 'exit', nodeId: 'done' });
    expect((await handles[0]?.query(journeyStatusQuery))?.history.map((h) => `${h.nodeId}:${h.outcome}`)).toContain('wait-event:event');
    expect(converted).toMatchObject({ reason: 'goal' });
    // Nothing else was sent: the waiter's timeout path and the goal run's second email never ran.
    expect(await inbox(services, email)).toHaveLength(2);
  });
});
