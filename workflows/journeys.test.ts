// The four built-in journeys end to end on Temporal's time-skipping test server, with the real
// activities against FerretDB, the SMTP inbox and the SMS sandbox. Set
// WAYMARK_RECORD_HISTORIES=1 to (re)write the replay histories in workflows/histories/.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { timeSkippingEnvironment } from '../test/fixtures/time-skipping.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { createTemporalRuntime } from '../runtime/temporal.ts';
import { dateTriggerTime, localParts, splitBucket } from '../journey/index.ts';
import type { CustomerProfile, DateTriggerConfig } from '../journey/index.ts';
import type { PublishedJourney } from '../store/journeys.ts';
import { listCoupons } from '../store/coupons.ts';
import { listMessages } from '../store/messages.ts';
import type { MessageRecord } from '../store/messages.ts';
import { getRun } from '../store/runs.ts';
import { listTasks } from '../store/tasks.ts';
import { testDatabase } from '../test/db.ts';
import { builtinGraph, eventually, inbox, keepHistory, middayZone, prepareDatabase, publish, routeByRegistry, startJourneyWorker, seedCustomer, texts, uniqueSuffix } from '../test/fixtures/workflow-harness.ts';
import { journeyStatusQuery, journeyWorkflowId, workflowTypes } from './definitions.ts';

const services = inject('services');
const taskQueue = `journeys-${randomUUID()}`;
const DAY = 86_400_000;

let env: TestWorkflowEnvironment;
let database: Awaited<ReturnType<typeof testDatabase>>;
let journeyWorker: Awaited<ReturnType<typeof startJourneyWorker>>;
let runtime: ReturnType<typeof createTemporalRuntime>;
const journeys: Record<string, PublishedJourney> = {};
const robot: unknown[] = [];
const robotServer = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    robot.push(JSON.parse(body));
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0}');
  });
});

beforeAll(async () => {
  await new Promise<void>((r) => robotServer.listen(0, '127.0.0.1', r));
  const robotUrl = `http://127.0.0.1:${(robotServer.address() as AddressInfo).port}/cgi-bin/webhook/send?key=test`;
  env = await timeSkippingEnvironment(services);
  database = await testDatabase();
  await prepareDatabase(database.db);
  for (const id of ['welcome', 'activation', 'win-back', 'birthday-care']) {
    const graph = builtinGraph(id, (g) => {
      // The WeCom robot of the built-in journey, pointed at a loopback receiver.
      for (const node of g.nodes) if (node.kind === 'webhook') node.config.url = robotUrl;
    });
    journeys[id] = await publish(database.db, graph);
  }
  journeyWorker = await startJourneyWorker(env, database.db, services, taskQueue);
  runtime = journeyWorker.runtime;
});

afterAll(async () => {
  await journeyWorker?.stop();
  await env?.teardown();
  await database?.close();
  robotServer.close();
});

function journey(id: string): PublishedJourney {
  const found = journeys[id];
  if (found === undefined) throw new Error(`journey ${id} not published`);
  return found;
}

async function customer(fields: Record<string, unknown>): Promise<CustomerProfile & { email: string }> {
  const id = `c-${uniqueSuffix()}`;
  const profile = await seedCustomer(database.db, { id, email: `${id}@example.test`, name: 'Ana Lima', consent: { email: true, sms: false }, ...fields });
  return { ...profile, email: `${id}@example.test` };
}

/** The ledger of a customer, oldest first. */
async function ledger(customerId: string): Promise<MessageRecord[]> {
  return (await listMessages(database.db, { customerId }, { limit: 100 })).items;
}

describe('win-back', () => {
  const vip = { valueTier: 'high', stage: 'dormant', orderCount: 7, totalSpend: 1800, segments: ['dormant-90d'], lastPurchaseAt: '2025-01-02T10:00:00.000Z' };

  it('emails the coupon at once; a purchase on day 3 exits as a conversion with nothing more sent', async () => {
    const now = await env.currentTimeMs();
    const c = await customer({ phone: '+14155550111', consent: { email: true, sms: true }, accountOwner: 'am-wang', timezone: middayZone(now), computed: vip });
    expect(await runtime.startJourney({ journey: journey('win-back'), customer: c })).toEqual({ started: true });
    const handle = env.client.workflow.getHandle(journeyWorkflowId('win-back', c.id));
    const [mail] = await eventually(() => inbox(services, c.email), (m) => m.length === 1);
    const coupon = (await listCoupons(database.db, { customerId: c.id }, { limit: 5 })).items[0];
    expect(mail?.text).toContain(coupon?.code);
    await eventually(() => handle.query(journeyStatusQuery), (s) => s.waiting?.kind === 'event');

    await env.sleep('3 days');
    const routed = await routeByRegistry(database.db, runtime, {
      event: { id: `evt-${uniqueSuffix()}`, type: 'order_completed', customerId: c.id, at: new Date(await env.currentTimeMs()).toISOString(), properties: { amount: 80 } },
      customer: c,
      entries: [],
    });
    expect(routed).toEqual({ signalled: 1, started: 0 });
    expect(await handle.result()).toMatchObject({ reason: 'goal', nodeId: 'wait-purchase' });

    expect(await inbox(services, c.email)).toHaveLength(1);
    expect(await texts(services, '+14155550111')).toHaveLength(0);
    expect((await listTasks(database.db, { customerId: c.id }, { limit: 5 })).items).toHaveLength(0);
    expect(await getRun(database.db, journeyWorkflowId('win-back', c.id))).toMatchObject({ status: 'converted', reason: 'goal', nodeId: null });
    await keepHistory('win-back-converted', handle);
  });

  it('without a purchase: the SMS after 7 simulated days, and a call task for the high-value customer', async () => {
    const now = await env.currentTimeMs();
    const c = await customer({ phone: '+14155550112', consent: { email: true, sms: true }, accountOwner: 'am-wang', timezone: middayZone(now), computed: vip });
    await runtime.startJourney({ journey: journey('win-back'), customer: c });
    const handle = env.client.workflow.getHandle(journeyWorkflowId('win-back', c.id));
    expect(await handle.result()).toMatchObject({ reason: 'exit', nodeId: 'done' });

    const [email, sms] = await ledger(c.id);
    expect([email?.channel, email?.status, sms?.channel, sms?.status]).toEqual(['email', 'sent', 'sms', 'sent']);
    const gap = Date.parse(sms?.createdAt ?? '') - Date.parse(email?.createdAt ?? '');
    expect(Math.abs(gap - 7 * DAY)).toBeLessThan(60_000);
    const [text] = await texts(services, '+14155550112');
    expect(text?.body).toMatch(/COMEBACK-[A-Z0-9]{5}-[A-Z0-9]{5}/);
    const tasks = (await listTasks(database.db, { customerId: c.id }, { limit: 5 })).items;
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ assignee: 'am-wang', priority: 'high', title: 'Win-back call: Ana Lima', queue: 'customer-care' });
    expect(tasks[0]?.body).toContain('has not ordered since 2025-01-02 and got coupon');
    const run = await runtime.describeRun('win-back', c.id);
    expect(run?.status).toBe('completed');
    expect(run?.history.map((h) => `${h.nodeId}:${h.exit ?? 'entered'}`)).toEqual(expect.arrayContaining(['email:sent', 'wait-purchase:timeout', 'sms:sent', 'high-value:high', 'call-task:created', 'done:exit']));
    await keepHistory('win-back', handle);
  });
});

describe('progress records written by the step’s own activity', () => {
  it('the email before a wait records the run at the wait (email visited), the last SMS its end: no progress markers, no workflow task that records nothing', async () => {
    const now = await env.currentTimeMs();
    const c = await customer({ phone: '+14155550116', consent: { email: true, sms: true }, timezone: middayZone(now), computed: { valueTier: 'low', stage: 'dormant', orderCount: 1, totalSpend: 40, segments: [] } });
    await runtime.startJourney({ journey: journey('win-back'), customer: c });
    const workflowId = journeyWorkflowId('win-back', c.id);
    const handle = env.client.workflow.getHandle(workflowId);
    // No queries here: the time-skipping server answers each with a workflow task of its own.
    const atWait = timeline(await eventually(() => handle.fetchHistory(), (h) => timeline(h).includes('timer')));
    expect(await inbox(services, c.email)).toHaveLength(1);
    const waiting = await getRun(database.db, workflowId);
    expect(waiting).toMatchObject({ status: 'running', nodeId: 'wait-purchase' });
    expect(waiting?.visited).toEqual(expect.arrayContaining(['coupon', 'email', 'wait-purchase']));
    // Start, the profile read, coupon, email, then the wait's timer: the email's activity wrote
    // the record (before: a progress marker with the timer).
    expect(atWait.filter((e) => e !== 'task')).toEqual(['started', 'core_local_activity', 'issueCoupon', 'sendEmail', 'timer']);
    expect(idleTasks(atWait)).toBe(0);

    // Seven days on, the SMS (then no call task for this customer): its activity records the end.
    expect(await handle.result()).toMatchObject({ reason: 'exit', nodeId: 'done' });
    expect(await texts(services, '+14155550116')).toHaveLength(1);
    const ending = await getRun(database.db, workflowId);
    expect(ending).toMatchObject({ status: 'completed', reason: 'exit', nodeId: null });
    expect(ending?.visited).toEqual(expect.arrayContaining(['sms', 'high-value', 'done']));
    const ended = timeline(await handle.fetchHistory());
    // The wake reads the profile again (patched('profile-on-wake'): its marker and the search
    // attribute the SDK sets with it, then the read).
    expect(ended.filter((e) => e !== 'task')).toEqual(['started', 'core_local_activity', 'issueCoupon', 'sendEmail', 'timer', 'core_patch', 'search attributes', 'core_local_activity', 'sendSms', 'completed']);
    expect(idleTasks(ended)).toBe(0);
    await keepHistory('win-back-action-records', handle);
  });
});

/** What a history holds, in order: `task` per completed workflow task, then the commands it recorded by name. */
function timeline(history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>): string[] {
  return (history.events ?? []).flatMap((e): string[] => {
    if (e.workflowExecutionStartedEventAttributes) return ['started'];
    if (e.workflowTaskCompletedEventAttributes) return ['task'];
    if (e.activityTaskScheduledEventAttributes) return [e.activityTaskScheduledEventAttributes.activityType?.name ?? '?'];
    if (e.markerRecordedEventAttributes) return [e.markerRecordedEventAttributes.markerName ?? '?'];
    if (e.timerStartedEventAttributes) return ['timer'];
    if (e.upsertWorkflowSearchAttributesEventAttributes) return ['search attributes'];
    if (e.workflowExecutionCompletedEventAttributes) return ['completed'];
    return [];
  });
}

/** Workflow tasks that recorded no command (a task followed by another task, or by nothing). */
function idleTasks(timeline: string[]): number {
  return timeline.filter((e, i) => e === 'task' && (timeline[i + 1] === undefined || timeline[i + 1] === 'task')).length;
}

describe('long-running runs', () => {
  it('continue as new when the history grows, carrying the interpreter state', async () => {
    const now = await env.currentTimeMs();
    const c = await customer({ phone: '+14155550115', consent: { email: true, sms: true }, timezone: middayZone(now), computed: { stage: 'dormant', orderCount: 2, totalSpend: 90, segments: [] } });
    const winBack = journey('win-back');
    const workflowId = journeyWorkflowId('win-back', c.id);
    const first = await env.client.workflow.start(workflowTypes.journey, {
      taskQueue,
      workflowId,
      args: [{ journeyId: winBack.journeyId, version: winBack.version, definition: winBack.definition, customerId: c.id, historyLimit: 5 }],
    });
    // (A query racing the continue-as-new can hang on the test server: wait for it first.)
    const firstRun = env.client.workflow.getHandle(workflowId, first.firstExecutionRunId);
    await eventually(() => firstRun.describe(), (d) => d.status.name === 'CONTINUED_AS_NEW');
    const status = await eventually(() => env.client.workflow.getHandle(workflowId).query(journeyStatusQuery), (s) => s.waiting?.kind === 'event');
    expect(status.historyLength).toBeLessThan(10);
    expect(status.variables['couponCode']).toMatch(/^COMEBACK-/);
    expect(status.history.map((h) => h.nodeId)).toContain('email');
    expect(await env.client.workflow.getHandle(workflowId).result()).toMatchObject({ reason: 'exit', nodeId: 'done', variables: { couponCode: status.variables['couponCode'] } });
    // Nothing was sent twice across the runs of the chain.
    expect((await ledger(c.id)).map((m) => m.channel)).toEqual(['email', 'sms']);
  });
});

describe('welcome', () => {
  it('starts once from signed_up by signal-with-start, then two emails and the SMS nudge over five days', async () => {
    const now = await env.currentTimeMs();
    const c = await customer({ phone: '+14155550113', consent: { email: true, sms: true }, timezone: middayZone(now) });
    const signUp = (id: string) => ({
      event: { id, type: 'signed_up', customerId: c.id, at: new Date(now).toISOString(), properties: {} },
      customer: c,
      entries: [journey('welcome')],
    });
    // Two sign-up events at once (a retried request): one run.
    const routed = await Promise.all([routeByRegistry(database.db, runtime, signUp(`evt-${uniqueSuffix()}`)), routeByRegistry(database.db, runtime, signUp(`evt-${uniqueSuffix()}`))]);
    expect(routed.reduce((sum, r) => sum + r.started, 0)).toBe(1);
    expect(routed.reduce((sum, r) => sum + r.signalled, 0)).toBe(1);
    const handle = env.client.workflow.getHandle(journeyWorkflowId('welcome', c.id));
    expect(await handle.result()).toMatchObject({ reason: 'exit', nodeId: 'done' });
    const mails = await inbox(services, c.email);
    expect(mails.map((m) => m.subject)).toHaveLength(2);
    expect(await texts(services, '+14155550113')).toHaveLength(1);
    const [welcome, tips] = (await ledger(c.id)).filter((m) => m.channel === 'email');
    expect(Math.abs(Date.parse(tips?.createdAt ?? '') - Date.parse(welcome?.createdAt ?? '') - 2 * DAY)).toBeLessThan(60_000);
    expect((await database.db.collection('customers').findOne({ _id: c.id as never }))?.['tags']).toContain('welcome-series-done');
    // `never` re-entry: a later sign-up does not start the series again.
    expect(await routeByRegistry(database.db, runtime, signUp(`evt-${uniqueSuffix()}`))).toEqual({ signalled: 0, started: 0 });
    await keepHistory('welcome', handle);
  });
});

describe('activation', () => {
  it('waits for a weekday morning in the customer’s timezone, sends the tips email, and exits on a click', async () => {
    let id = '';
    do id = `c-${uniqueSuffix()}`;
    while (splitBucket('activation', 'ab-test', id) >= 45); // the "tips" arm
    const c = await seedCustomer(database.db, { id, email: `${id}@example.test`, timezone: 'Asia/Shanghai', consent: { email: true, sms: false }, computed: { stage: 'new', orderCount: 1, totalSpend: 30, segments: ['new-customers'] } });
    await runtime.startJourney({ journey: journey('activation'), customer: c });
    const handle = env.client.workflow.getHandle(journeyWorkflowId('activation', c.id));
    const status = await eventually(() => handle.query(journeyStatusQuery), (s) => s.waiting !== null);
    if (status.waiting?.kind === 'timer') await env.sleep(Math.max(1, status.waiting.until - (await env.currentTimeMs()) + 1_000));
    await eventually(() => inbox(services, `${id}@example.test`), (m) => m.length === 1);
    const [tips] = await ledger(c.id);
    const local = localParts(Date.parse(tips?.createdAt ?? ''), 'Asia/Shanghai');
    expect(local.hour).toBeGreaterThanOrEqual(10);
    expect(local.hour).toBeLessThan(12);
    expect(['mon', 'tue', 'wed', 'thu', 'fri']).toContain(local.weekday);
    await routeByRegistry(database.db, runtime, { event: { id: `evt-${uniqueSuffix()}`, type: 'email_clicked', customerId: c.id, at: new Date(await env.currentTimeMs()).toISOString(), properties: {} }, customer: c, entries: [] });
    expect(await handle.result()).toMatchObject({ reason: 'exit', nodeId: 'done' });
    expect((await handle.query(journeyStatusQuery)).history.map((h) => `${h.nodeId}:${h.outcome}`)).toEqual(expect.arrayContaining(['ab-test:tips', 'wait-click:event']));
    await keepHistory('activation', handle);
  });
});

describe('birthday care', () => {
  it('enters 3 days before at 10:00 and greets at 09:00 on the birthday, in Shanghai and New York', async () => {
    const now = await env.currentTimeMs();
    const trigger: DateTriggerConfig = { attribute: 'birthday', offsetDays: -3, localTime: '10:00' };
    // A birthday whose entry time falls within the next sweep's horizon (1–25 hours from now).
    const birthdayFor = (timezone: string) => {
      for (let days = 2; days < 7; days++) {
        const date = new Date(now + days * DAY).toISOString().slice(0, 10);
        const birthday = `1990-${date.slice(5)}`;
        const entry = dateTriggerTime(trigger, { birthday, timezone } as CustomerProfile, new Date(now + days * DAY).getUTCFullYear(), 'UTC');
        if (entry !== null && entry > now + 3_600_000 && entry < now + 25 * 3_600_000) return { birthday, entry, year: new Date(date).getUTCFullYear() };
      }
      throw new Error(`no birthday found for ${timezone}`);
    };
    const shanghai = birthdayFor('Asia/Shanghai');
    const newYork = birthdayFor('America/New_York');
    const vip = await customer({ timezone: 'Asia/Shanghai', birthday: shanghai.birthday, accountOwner: 'am-chen', computed: { stage: 'active', orderCount: 12, totalSpend: 5000, segments: [], valueTier: 'high' } });
    const texter = await customer({ timezone: 'America/New_York', birthday: newYork.birthday, phone: '+12125550114', consent: { email: true, sms: true } });

    const sweep = () => env.client.workflow.execute(workflowTypes.dateSweep, { taskQueue, workflowId: `sweep-${uniqueSuffix()}`, args: [{ journeyIds: ['birthday-care'] }] });
    expect(await sweep()).toMatchObject({ scheduled: 2, failed: 0 });
    const runs = [
      { c: vip, zone: 'Asia/Shanghai', ...shanghai },
      { c: texter, zone: 'America/New_York', ...newYork },
    ];
    for (const run of runs) {
      // The run waits for the customer's local entry time (the sweep may have skipped past it already).
      const description = await env.client.workflow.getHandle(journeyWorkflowId('birthday-care', run.c.id, run.year)).describe();
      expect(description.status.name).not.toBe('FAILED');
    }
    // Once per customer and year: the next day's sweep schedules nobody again.
    expect(await sweep()).toMatchObject({ scheduled: 0 });

    for (const run of runs) {
      const handle = env.client.workflow.getHandle(journeyWorkflowId('birthday-care', run.c.id, run.year));
      expect(await handle.result()).toMatchObject({ reason: 'exit', nodeId: 'done' });
      const coupon = (await listCoupons(database.db, { customerId: run.c.id }, { limit: 5 })).items[0];
      expect(Math.abs(Date.parse(coupon?.issuedAt ?? '') - run.entry)).toBeLessThan(60_000);
      const greeting = (await ledger(run.c.id)).find((m) => m.templateId === 'birthday-greeting');
      const sent = localParts(Date.parse(greeting?.createdAt ?? ''), run.zone);
      expect([sent.month, sent.day, sent.hour, sent.minute]).toEqual([Number(run.birthday.slice(5, 7)), Number(run.birthday.slice(8, 10)), 9, 0]);
      expect((await inbox(services, run.c.email)).map((m) => m.text).join()).toContain(coupon?.code);
      if (run.c.id === vip.id) await keepHistory('birthday-care', handle);
    }
    expect((await listTasks(database.db, { customerId: vip.id }, { limit: 5 })).items[0]).toMatchObject({ assignee: 'am-chen', title: 'Birthday card for Ana Lima' });
    expect(robot).toEqual([{ msgtype: 'text', text: { content: 'VIP birthday in 3 days: Ana Lima (account manager: am-chen)' } }]);
    const [sms] = await texts(services, '+12125550114');
    expect(sms?.body).toMatch(/BDAY-/);
    const smsSent = localParts(Date.parse((await ledger(texter.id)).find((m) => m.channel === 'sms')?.createdAt ?? ''), 'America/New_York');
    expect(smsSent.hour).toBe(10);
  });
});
