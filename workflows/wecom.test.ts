// WeCom 1:1 outreach end to end on Temporal's time-skipping test server: the real activity
// against FerretDB and the robot sandbox's WeCom customer-contact API, whose clock is the test
// server's (so days skipped are days to its reminder limit too). The staff member confirms or not
// through the sandbox, as they would in WeCom.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { timeSkippingEnvironment } from '../test/fixtures/time-skipping.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../activities/index.ts';
import { wecomOutreachAction } from '../activities/wecom.ts';
import { freePort } from '../embedded/process.ts';
import { startRobotSandbox } from '../embedded/robot-sandbox.ts';
import { WECOM_SANDBOX_CORP } from '../embedded/wecom-sandbox.ts';
import type { SandboxWecomTask } from '../embedded/wecom-sandbox.ts';
import type { JourneyGraph } from '../journey/index.ts';
import { WecomConfig } from '../journey/nodes/wecom.ts';
import { claimEffect } from '../store/messages.ts';
import type { PublishedJourney } from '../store/journeys.ts';
import { createTemporalRuntime } from '../runtime/temporal.ts';
import { testDatabase } from '../test/db.ts';
import { eventually, prepareDatabase, publish, realActivityDeps, seedCustomer, uniqueSuffix } from '../test/fixtures/workflow-harness.ts';
import { bundleWorkflows, createWorker } from '../worker/index.ts';
import { journeyWorkflowId } from './definitions.ts';

const services = inject('services');
const taskQueue = `wecom-${randomUUID()}`;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let env: TestWorkflowEnvironment;
let database: Awaited<ReturnType<typeof testDatabase>>;
let sandbox: Awaited<ReturnType<typeof startRobotSandbox>>;
let runtime: ReturnType<typeof createTemporalRuntime>;
let stopWorker: () => Promise<void>;

beforeAll(async () => {
  env = await timeSkippingEnvironment(services);
  sandbox = await startRobotSandbox({ port: await freePort(), now: () => env.currentTimeMs() });
  database = await testDatabase();
  await prepareDatabase(database.db);
  runtime = createTemporalRuntime({ client: env.client, db: database.db, taskQueue });
  const deps = realActivityDeps(database.db, services, runtime.starter);
  const worker = await createWorker({
    connection: env.nativeConnection,
    taskQueue,
    activities: createActivities({ ...deps, wecom: { ...WECOM_SANDBOX_CORP, baseUrl: sandbox.baseUrl } }),
    workflowBundle: await bundleWorkflows(),
  });
  const running = worker.run();
  stopWorker = async () => {
    worker.shutdown();
    await running;
    deps.close();
  };
});

afterAll(async () => {
  await stopWorker?.();
  await env?.teardown();
  await database?.close();
  await sandbox?.stop();
});

/** API trigger → WeCom step → one exit step per outcome. */
async function wecomJourney(config: Partial<WecomConfig> = {}): Promise<PublishedJourney> {
  const id = `wecom-${uniqueSuffix()}`;
  const graph = {
    schemaVersion: 1,
    id,
    name: 'Owner says hello',
    settings: { defaultLocale: 'en', timezone: 'UTC', reEntry: { policy: 'never' }, frequencyCaps: [] },
    nodes: [
      { id: 'trigger', kind: 'api', position: { x: 0, y: 0 }, config: {} },
      { id: 'hello', kind: 'wecom', position: { x: 0, y: 100 }, config: WecomConfig.parse({ content: '{{customer.name}}，您好！新品到了', ...config }) },
      { id: 'done', kind: 'exit', position: { x: 0, y: 200 }, config: {} },
      { id: 'escalated', kind: 'exit', position: { x: 200, y: 200 }, config: {} },
      { id: 'capped', kind: 'exit', position: { x: 400, y: 200 }, config: {} },
      { id: 'gave-up', kind: 'exit', position: { x: 600, y: 200 }, config: {} },
    ],
    edges: [
      { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'hello' },
      { id: 'e2', source: 'hello', sourceHandle: 'sent', target: 'done' },
      { id: 'e3', source: 'hello', sourceHandle: 'notConfirmed', target: 'escalated' },
      { id: 'e4', source: 'hello', sourceHandle: 'capped', target: 'capped' },
      { id: 'e5', source: 'hello', sourceHandle: 'failed', target: 'gave-up' },
    ],
  } as JourneyGraph;
  return publish(database.db, graph);
}

async function runFor(journey: PublishedJourney, name: string) {
  const id = `c-${uniqueSuffix()}`;
  const external = `wm${id}`;
  const customer = await seedCustomer(database.db, { id, name, consent: {}, attributes: { wecomOwner: 'li.lei', wecomExternalUserId: external } });
  expect(await runtime.startJourney({ journey, customer })).toEqual({ started: true });
  const handle = env.client.workflow.getHandle(journeyWorkflowId(journey.journeyId, id));
  const task = () => eventually(() => Promise.resolve(sandbox.wecomTasks.filter((t) => Object.hasOwn(t.status, external))), (tasks) => tasks.length > 0, 30_000);
  // Awaiting a result lets the test server skip time; read it only when the test says so.
  return { id, external, task, get result() { return handle.result(); } };
}

async function confirm(task: SandboxWecomTask | undefined, result: 'sent' | 'capped' | 'failed'): Promise<void> {
  const response = await fetch(`${sandbox.baseUrl}/sandbox/wecom/tasks/${task?.msgid}/confirm`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ result }) });
  expect(response.status).toBe(200);
}

describe('WeCom 1:1 outreach', () => {
  it('the owner confirms in WeCom: one task with the rendered text for the owner and customer, and the run takes the sent exit', { timeout: 120_000 }, async () => {
    const run = await runFor(await wecomJourney(), 'Mei Lin');
    const [task] = await run.task();
    expect(task).toMatchObject({ sender: 'li.lei', text: 'Mei Lin，您好！新品到了', cancelled: false });
    await confirm(task, 'sent');
    expect(await run.result).toMatchObject({ reason: 'exit', nodeId: 'done' });
    expect(sandbox.wecomTasks.filter((t) => Object.hasOwn(t.status, run.external))).toHaveLength(1);
  });

  it('not confirmed in time: reminders (never more than 3 in 24 h), the task stopped, a CS task opened, the not-confirmed exit', { timeout: 180_000 }, async () => {
    const journey = await wecomJourney({ deadlineHours: 48, checkEveryMinutes: 120, remindEveryHours: 8 });
    const run = await runFor(journey, 'Bo Chen');
    const [task] = await run.task();
    expect(await run.result).toMatchObject({ reason: 'exit', nodeId: 'escalated' });
    const reminders = [...(task?.reminders ?? [])].sort((a, b) => a - b);
    // Due every 8 hours before the 48-hour deadline: at 8, 16, 24, 32 and 40 hours.
    expect(reminders).toHaveLength(5);
    for (let i = 3; i < reminders.length; i += 1) expect((reminders[i] ?? 0) - (reminders[i - 3] ?? 0)).toBeGreaterThanOrEqual(DAY);
    expect(task?.cancelled).toBe(true);
    const csTasks = await database.db.collection('tasks').find({ customerId: run.id, journeyId: journey.journeyId }).toArray();
    expect(csTasks).toHaveLength(1);
    expect(csTasks[0]).toMatchObject({ title: 'WeCom message to Bo Chen not sent by their owner', queue: 'customer-care' });
    // Confirming the stopped task afterwards is refused: the customer never gets it after the CS call.
    const late = await fetch(`${sandbox.baseUrl}/sandbox/wecom/tasks/${task?.msgid}/confirm`, { method: 'POST' });
    expect(late.status).toBe(409);
  });

  it('the customer already had a mass message in the period (status 3): the capped exit, no CS task', { timeout: 120_000 }, async () => {
    const journey = await wecomJourney();
    const run = await runFor(journey, 'Ana Lima');
    const [task] = await run.task();
    await confirm(task, 'capped');
    expect(await run.result).toMatchObject({ reason: 'exit', nodeId: 'capped' });
    expect(await database.db.collection('tasks').countDocuments({ customerId: run.id })).toBe(0);
  });

  it('a customer who is not the owner’s contact (status 2) takes the failed exit', { timeout: 120_000 }, async () => {
    const run = await runFor(await wecomJourney(), 'Sam Wu');
    const [task] = await run.task();
    await confirm(task, 'failed');
    expect(await run.result).toMatchObject({ reason: 'exit', nodeId: 'gave-up' });
  });
});

describe('WeCom outreach activity, retried', () => {
  // The activity alone, as Temporal retries it, against a sandbox on the wall clock.
  let wallSandbox: Awaited<ReturnType<typeof startRobotSandbox>>;
  beforeAll(async () => {
    wallSandbox = await startRobotSandbox({ port: await freePort() });
  });
  afterAll(async () => {
    await wallSandbox?.stop();
  });

  async function request(name: string) {
    const id = `c-${uniqueSuffix()}`;
    await seedCustomer(database.db, { id, name, consent: {}, attributes: { wecomOwner: 'han.mei', wecomExternalUserId: `wm${id}` } });
    const key = `journey/wecom-retry/${id}#1:hello:1`;
    const config = WecomConfig.parse({ content: 'Hello {{customer.name}}' });
    const action = { type: 'action' as const, kind: 'wecom' as const, nodeId: 'hello', idempotencyKey: key, visit: 1, variables: {}, fallbackLocale: 'en', config };
    return { id, key, request: { action, journeyId: 'wecom-retry', journeyName: 'Retry', version: 1, customerId: id, settings: { timezone: 'UTC', quietHours: undefined, frequencyCaps: [] } } };
  }
  const options = () => ({ ...WECOM_SANDBOX_CORP, baseUrl: wallSandbox.baseUrl, shopUrl: 'https://shop.example.test' });
  const tasksOf = (id: string) => wallSandbox.wecomTasks.filter((t) => Object.hasOwn(t.status, `wm${id}`));

  it('a retry of a check never creates a second task', async () => {
    const { id, request: req } = await request('Lucy Xu');
    expect(await wecomOutreachAction(database.db, req, options())).toMatchObject({ outcome: 'deferred' });
    expect(await wecomOutreachAction(database.db, req, options())).toMatchObject({ outcome: 'deferred' });
    expect(tasksOf(id)).toHaveLength(1);
  });

  it('a retry after an attempt died between WeCom’s answer and the ledger finds that task instead of creating another', async () => {
    const { id, key, request: req } = await request('Tom Gao');
    // The dead attempt: it claimed the key and WeCom created its task, then the worker died.
    await claimEffect(database.db, { key, kind: 'wecom', customerId: id, journeyId: 'wecom-retry' }, new Date());
    const token = ((await (await fetch(`${wallSandbox.baseUrl}/cgi-bin/gettoken?corpid=${WECOM_SANDBOX_CORP.corpId}&corpsecret=${WECOM_SANDBOX_CORP.secret}`)).json()) as { access_token: string }).access_token;
    const created = (await (
      await fetch(`${wallSandbox.baseUrl}/cgi-bin/externalcontact/add_msg_template?access_token=${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chat_type: 'single', external_userid: [`wm${id}`], sender: 'han.mei', text: { content: 'Hello Tom Gao' } }),
      })
    ).json()) as { msgid: string };
    expect(await wecomOutreachAction(database.db, req, options())).toMatchObject({ outcome: 'deferred' });
    expect(tasksOf(id).map((t) => t.msgid)).toEqual([created.msgid]);
    expect(await database.db.collection('effects').findOne({ _id: key as never })).toMatchObject({ status: 'done', result: created.msgid });
  });
});
