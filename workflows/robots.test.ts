// Group robot steps end to end on Temporal's time-skipping test server: the real activities
// against FerretDB and the embedded robot sandbox, whose clock is the test server's (so a
// minute skipped is a minute to its rate limit too).
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { timeSkippingEnvironment } from '../test/fixtures/time-skipping.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../activities/index.ts';
import { startRobotSandbox } from '../embedded/robot-sandbox.ts';
import { freePort } from '../embedded/process.ts';
import type { JourneyGraph } from '../journey/index.ts';
import type { RobotConfig } from '../journey/nodes/robot.ts';
import type { PublishedJourney } from '../store/journeys.ts';
import { createTemporalRuntime } from '../runtime/temporal.ts';
import { testDatabase } from '../test/db.ts';
import { eventually, prepareDatabase, publish, realActivityDeps, seedCustomer, uniqueSuffix } from '../test/fixtures/workflow-harness.ts';
import { bundleWorkflows, createWorker } from '../worker/index.ts';
import { journeyStatusQuery, journeyWorkflowId } from './definitions.ts';

const services = inject('services');
const taskQueue = `robots-${randomUUID()}`;
const MINUTE = 60_000;

let env: TestWorkflowEnvironment;
let database: Awaited<ReturnType<typeof testDatabase>>;
let sandbox: Awaited<ReturnType<typeof startRobotSandbox>>;
let runtime: ReturnType<typeof createTemporalRuntime>;
let stopWorker: () => Promise<void>;

beforeAll(async () => {
  env = await timeSkippingEnvironment(services);
  sandbox = await startRobotSandbox({ port: await freePort(), robots: [{ platform: 'dingtalk', token: 'sales-dt', secret: 'SECdingtalk-secret' }, { platform: 'feishu', token: 'sales-fs', secret: 'feishu-secret' }], now: () => env.currentTimeMs() });
  database = await testDatabase();
  await prepareDatabase(database.db);
  runtime = createTemporalRuntime({ client: env.client, db: database.db, taskQueue });
  const base = sandbox.baseUrl;
  const deps = realActivityDeps(database.db, services, runtime.starter);
  const worker = await createWorker({
    connection: env.nativeConnection,
    taskQueue,
    activities: createActivities({ ...deps, robots: { baseUrls: { wecom: base, dingtalk: base, feishu: base } } }),
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

/** API trigger → robot step → `done`, or `gave-up` on the step's failed exit. */
async function robotJourney(robot: Partial<RobotConfig> & Pick<RobotConfig, 'platform' | 'token' | 'content'>): Promise<PublishedJourney> {
  const id = `robot-${uniqueSuffix()}`;
  const graph: JourneyGraph = {
    schemaVersion: 1,
    id,
    name: 'Tell the sales group',
    settings: { defaultLocale: 'en', timezone: 'UTC', reEntry: { policy: 'never' }, frequencyCaps: [] },
    nodes: [
      { id: 'trigger', kind: 'api', position: { x: 0, y: 0 }, config: {} },
      { id: 'robot', kind: 'robot', position: { x: 0, y: 100 }, config: { secret: '', format: 'text', title: '', mentions: [], ...robot } },
      { id: 'done', kind: 'exit', position: { x: 0, y: 200 }, config: {} },
      { id: 'gave-up', kind: 'exit', position: { x: 200, y: 200 }, config: {} },
    ],
    edges: [
      { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'robot' },
      { id: 'e2', source: 'robot', sourceHandle: 'sent', target: 'done' },
      { id: 'e3', source: 'robot', sourceHandle: 'failed', target: 'gave-up' },
    ],
  } as JourneyGraph;
  return publish(database.db, graph);
}

async function runFor(journey: PublishedJourney, name: string) {
  const id = `c-${uniqueSuffix()}`;
  const customer = await seedCustomer(database.db, { id, name, consent: {} });
  expect(await runtime.startJourney({ journey, customer })).toEqual({ started: true });
  const handle = env.client.workflow.getHandle(journeyWorkflowId(journey.journeyId, id));
  // Awaiting a result lets the test server skip time; read it only when the test says so.
  return { id, get result() { return handle.result(); } };
}

/** `promise`, or a failure after `ms` (real time) that says what `where` finds then. */
async function within<T>(promise: Promise<T>, ms: number, where: () => Promise<unknown>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => void where().then((found) => reject(new Error(`not done within ${ms} ms: ${JSON.stringify(found).slice(0, 4000)}`)), reject), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('group robots', () => {
  it('25 messages to one WeCom robot: all delivered, never more than 20 in any minute, the rest waited', { timeout: 180_000 }, async () => {
    const journey = await robotJourney({ platform: 'wecom', token: 'sales-wecom', content: 'Call {{customer.name}} today', mentions: ['13800000000'] });
    const started = await Promise.all(Array.from({ length: 25 }, (_, i) => runFor(journey, `Customer ${i}`)));
    // Time stands still until the test skips it: 20 go out at once, 5 wait for the window.
    const status = (id: string) => env.client.workflow.getHandle(journeyWorkflowId(journey.journeyId, id)).query(journeyStatusQuery);
    const waiting = async () => (await Promise.all(started.map((s) => status(s.id)))).filter((s) => s.status === 'running' && s.waiting?.kind === 'timer' && s.waiting.reason === 'deferred');
    await eventually(() => Promise.resolve(sandbox.messages.filter((m) => m.token === 'sales-wecom').length), (n) => n === 20, 40_000);
    expect(await eventually(waiting, (w) => w.length === 5, 40_000)).toHaveLength(5);
    // Bounded, saying where the runs are: this hung once past the test's timeout, silently.
    const where = async () => ({ sent: sandbox.messages.filter((m) => m.token === 'sales-wecom').length, runs: await Promise.all(started.map((s) => status(s.id).then(({ status: state, nodeId, waiting: on }) => ({ state, nodeId, on }), (e: unknown) => String(e)))) });
    await within(env.sleep('2 minutes'), 40_000, where);
    const results = await within(Promise.all(started.map((s) => s.result)), 40_000, where);
    expect(results.map((r) => r.nodeId)).toEqual(Array(25).fill('done'));

    const received = sandbox.messages.filter((m) => m.token === 'sales-wecom');
    expect(sandbox.rejected.filter((r) => r.token === 'sales-wecom')).toEqual([]);
    const texts = received.map((m) => (m.body as { text: { content: string } }).text.content).sort();
    expect(texts).toEqual(Array.from({ length: 25 }, (_, i) => `Call Customer ${i} today`).sort());
    expect((received[0]?.body as { text: { mentioned_mobile_list: string[] } }).text.mentioned_mobile_list).toEqual(['13800000000']);
    // Sliding window: the 21st message of any run of arrivals comes a minute or more after the first.
    const at = received.map((m) => m.at).sort((a, b) => a - b);
    for (let i = 20; i < at.length; i += 1) expect((at[i] ?? 0) - (at[i - 20] ?? 0)).toBeGreaterThanOrEqual(MINUTE);
    expect((at[24] ?? 0) - (at[0] ?? 0)).toBeGreaterThanOrEqual(MINUTE);
    const done = await database.db.collection('effects').countDocuments({ kind: 'robot', journeyId: journey.journeyId, status: 'done' });
    expect(done).toBe(25);
  });

  it('a signed DingTalk markdown message passes the signature check; a wrong secret is refused with 310000 and takes the failed exit', { timeout: 60_000 }, async () => {
    const good = await robotJourney({ platform: 'dingtalk', token: 'sales-dt', secret: 'SECdingtalk-secret', format: 'markdown', title: 'VIP alert', content: '### {{customer.name}}\nhas not ordered for a while', mentions: ['@all'] });
    const ok = await runFor(good, 'Mei Lin');
    expect(await ok.result).toMatchObject({ reason: 'exit', nodeId: 'done' });
    const [message] = sandbox.messages.filter((m) => m.token === 'sales-dt');
    expect(message?.body).toEqual({ msgtype: 'markdown', markdown: { title: 'VIP alert', text: '### Mei Lin\nhas not ordered for a while' }, at: { atMobiles: [], isAtAll: true } });

    const wrong = await robotJourney({ platform: 'dingtalk', token: 'sales-dt', secret: 'SECnot-the-secret', content: 'Call {{customer.name}}' });
    const refused = await runFor(wrong, 'Bo Chen');
    expect(await refused.result).toMatchObject({ reason: 'exit', nodeId: 'gave-up' });
    expect(sandbox.messages.filter((m) => m.token === 'sales-dt')).toHaveLength(1);
    expect(sandbox.rejected.filter((r) => r.token === 'sales-dt').map((r) => r.errcode)).toEqual([310000]);
    const effect = await database.db.collection('effects').findOne({ kind: 'robot', journeyId: wrong.journeyId });
    expect(effect).toMatchObject({ status: 'failed', result: expect.stringContaining('310000') });
  });

  it('a signed Feishu robot gets the text with its signature', { timeout: 60_000 }, async () => {
    const journey = await robotJourney({ platform: 'feishu', token: 'sales-fs', secret: 'feishu-secret', content: 'New VIP: {{customer.name}}' });
    const run = await runFor(journey, 'Ana Lima');
    expect(await run.result).toMatchObject({ reason: 'exit', nodeId: 'done' });
    const [message] = sandbox.messages.filter((m) => m.token === 'sales-fs');
    expect(message?.body).toMatchObject({ msg_type: 'text', content: { text: 'New VIP: Ana Lima' }, sign: expect.any(String) });
    expect(sandbox.rejected.filter((r) => r.token === 'sales-fs')).toEqual([]);
  });
});
