// The Chinese calendar on Temporal's time-skipping test server, with the real date sweep and
// activities against FerretDB and the SMTP inbox: a send on a day off waits for the next
// working day; a lunar (农历) birthday journey — entry three days before, a wait until the
// birthday, an email that morning — across lunar 2027 (no leap month) and lunar 2028 (a leap
// 5th month, 闰五月). (The Spring Festival make-up days are in activities/send-days.test.ts:
// the holiday data covers published years only, and this clock can only move forward.)
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { timeSkippingEnvironment } from '../test/fixtures/time-skipping.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { GraphNode, localParts } from '../journey/index.ts';
import type { JourneyGraph } from '../journey/index.ts';
import { listMessages } from '../store/messages.ts';
import { testDatabase } from '../test/db.ts';
import { eventually, prepareDatabase, publish, seedCustomer, startJourneyWorker, uniqueSuffix } from '../test/fixtures/workflow-harness.ts';
import type { PublishedJourney } from '../store/journeys.ts';
import { journeyWorkflowId, workflowTypes } from './definitions.ts';

const services = inject('services');
const taskQueue = `lunar-${randomUUID()}`;
const zone = 'Asia/Shanghai';

let env: TestWorkflowEnvironment;
let database: Awaited<ReturnType<typeof testDatabase>>;
let journeyWorker: Awaited<ReturnType<typeof startJourneyWorker>>;
let workingDaysJourney: PublishedJourney;

const graph: JourneyGraph = {
  schemaVersion: 1,
  id: `lunar-birthday-${uniqueSuffix()}`,
  name: '农历生日关怀',
  nodes: [
    { id: 'trigger', kind: 'date', position: { x: 0, y: 0 }, config: { attribute: 'lunarBirthday', offsetDays: -3, localTime: '10:00' } },
    { id: 'until-birthday', kind: 'wait', position: { x: 0, y: 100 }, config: { mode: 'dateAttribute', attribute: 'lunarBirthday', offsetDays: 0, localTime: '09:00', yearly: true } },
    { id: 'greeting', kind: 'email', position: { x: 0, y: 200 }, config: { templateId: 'welcome' } },
    { id: 'done', kind: 'exit', position: { x: 0, y: 300 }, config: {} },
  ].map((node) => GraphNode.parse(node)),
  edges: [
    { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'until-birthday' },
    { id: 'e2', source: 'until-birthday', sourceHandle: 'next', target: 'greeting' },
    { id: 'e3', source: 'greeting', sourceHandle: 'sent', target: 'done' },
  ],
  settings: { defaultLocale: 'zh-CN', timezone: zone },
} as JourneyGraph;

/** An email on entry, sent on working days only. */
const workingDays: JourneyGraph = {
  ...graph,
  id: `working-days-${uniqueSuffix()}`,
  name: '工作日发送',
  nodes: [
    { id: 'trigger', kind: 'api', position: { x: 0, y: 0 }, config: {} },
    { id: 'greeting', kind: 'email', position: { x: 0, y: 100 }, config: { templateId: 'welcome' } },
    { id: 'done', kind: 'exit', position: { x: 0, y: 200 }, config: {} },
  ].map((node) => GraphNode.parse(node)),
  edges: [
    { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'greeting' },
    { id: 'e2', source: 'greeting', sourceHandle: 'sent', target: 'done' },
  ],
  settings: { defaultLocale: 'zh-CN', timezone: zone, quietHours: { start: '21:00', end: '09:00' }, sendDays: 'workingDays' },
} as JourneyGraph;

beforeAll(async () => {
  env = await timeSkippingEnvironment(services);
  database = await testDatabase();
  await prepareDatabase(database.db);
  await publish(database.db, graph);
  workingDaysJourney = await publish(database.db, workingDays);
  journeyWorker = await startJourneyWorker(env, database.db, services, taskQueue);
});

afterAll(async () => {
  await journeyWorker?.stop();
  await env?.teardown();
  await database?.close();
});

/** Skips the test server's clock to `iso` (it only moves forward). */
async function skipTo(iso: string): Promise<void> {
  const wait = Date.parse(iso) - (await env.currentTimeMs());
  expect(wait).toBeGreaterThan(0);
  await env.sleep(wait);
}

const sweep = () => env.client.workflow.execute(workflowTypes.dateSweep, { taskQueue, workflowId: `sweep-${uniqueSuffix()}`, args: [{ journeyIds: [graph.id] }] });

/** The local date and time (Shanghai) the greeting of a run went out, read once the run ended. */
async function greetedAt(customerId: string, lunarYear?: number, journeyId = graph.id): Promise<string> {
  const handle = env.client.workflow.getHandle(journeyWorkflowId(journeyId, customerId, lunarYear));
  await eventually(() => handle.describe(), (d) => d.status.name === 'COMPLETED');
  // When each message went out: its ledger row's `sent` entry (a deferred row was claimed earlier).
  const sent = (await listMessages(database.db, { customerId }, { limit: 10 })).items.flatMap((m) => m.history.filter((h) => h.status === 'sent'));
  const last = sent.map((h) => Date.parse(h.at)).sort((a, b) => b - a)[0] ?? 0;
  const p = localParts(last, zone);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`;
}

const customer = (fields: Record<string, unknown>) =>
  seedCustomer(database.db, { id: `c-${uniqueSuffix()}`, email: `${uniqueSuffix()}@example.test`, timezone: zone, locale: 'zh-CN', consent: { email: true }, ...fields });

describe('working days only', () => {
  it('holds a Saturday send until Monday at the end of quiet hours', async () => {
    const c = await customer({});
    await skipTo('2027-01-09T02:00:00Z'); // Saturday 9 January 2027, 10:00 in Shanghai
    await journeyWorker.runtime.starter.start({ journey: workingDaysJourney, customerId: c.id });
    await skipTo('2027-01-12T00:00:00Z');
    expect(await greetedAt(c.id, undefined, workingDaysJourney.journeyId)).toBe('2027-01-11 09:00');
  });
});

describe('lunar birthday across a leap month', () => {
  it('greets a 闰五月 birthday in the regular 5th month of 2027 and in the leap month of 2028', async () => {
    const leapBorn = await customer({ attributes: { lunarBirthday: 'lunar-leap-05-10' } });
    const regularBorn = await customer({ attributes: { lunarBirthday: 'lunar-05-10' } });

    // Lunar 2027 has no leap month: both birthdays fall on 五月初十 = 14 June 2027, entry on the 11th.
    await skipTo('2027-06-10T12:00:00Z');
    expect(await sweep()).toMatchObject({ scheduled: 2, failed: 0 });
    // Skipped explicitly: waiting on a result would let the server skip past other runs' dates.
    await skipTo('2027-06-15T00:00:00Z');
    expect(await greetedAt(leapBorn.id, 2027)).toBe('2027-06-14 09:00');
    expect(await greetedAt(regularBorn.id, 2027)).toBe('2027-06-14 09:00');

    // Lunar 2028 has a leap 5th month: 五月初十 = 2 June, 闰五月初十 = 2 July 2028.
    await skipTo('2028-05-29T12:00:00Z');
    expect(await sweep()).toMatchObject({ scheduled: 1, failed: 0 });
    await skipTo('2028-06-03T00:00:00Z');
    expect(await greetedAt(regularBorn.id, 2028)).toBe('2028-06-02 09:00');
    await skipTo('2028-06-28T12:00:00Z');
    expect(await sweep()).toMatchObject({ scheduled: 1, failed: 0 });
    await skipTo('2028-07-03T00:00:00Z');
    expect(await greetedAt(leapBorn.id, 2028)).toBe('2028-07-02 09:00');
    // Once per lunar year: a second sweep the same day starts nobody again.
    expect(await sweep()).toMatchObject({ scheduled: 0 });
  });
});
