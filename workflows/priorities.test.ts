// Priorities across journeys on Temporal's time-skipping test server, with the real activities
// against FerretDB and the SMS sandbox: two journeys want the customer's one SMS of the day.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { timeSkippingEnvironment } from '../test/fixtures/time-skipping.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { customerTimeline } from '../api/routes/timeline.ts';
import type { ResolvedDeps } from '../api/deps.ts';
import { Timeline } from '../api/wire/timeline.ts';
import type { JourneyGraph, JourneyPriority, OnCap } from '../journey/index.ts';
import type { PublishedJourney } from '../store/journeys.ts';
import { cappedByStep, listMessages } from '../store/messages.ts';
import { testDatabase } from '../test/db.ts';
import { eventually, prepareDatabase, publish, seedCustomer, startJourneyWorker, texts, uniqueSuffix } from '../test/fixtures/workflow-harness.ts';
import { journeyStatusQuery, journeyWorkflowId } from './definitions.ts';

const services = inject('services');
const taskQueue = `priorities-${randomUUID()}`;
const HOUR = 3_600_000;

let env: TestWorkflowEnvironment;
let database: Awaited<ReturnType<typeof testDatabase>>;
let journeyWorker: Awaited<ReturnType<typeof startJourneyWorker>>;

beforeAll(async () => {
  env = await timeSkippingEnvironment(services);
  database = await testDatabase();
  await prepareDatabase(database.db);
  journeyWorker = await startJourneyWorker(env, database.db, services, taskQueue);
});

afterAll(async () => {
  await journeyWorker?.stop();
  await env?.teardown();
  await database?.close();
});

/** API trigger → SMS → `sent`, or `capped` on the step's failed exit; quiet hours 21:00–09:00, one SMS a day. */
async function smsJourney(name: string, priority: JourneyPriority, onCap?: OnCap): Promise<PublishedJourney> {
  const graph = {
    schemaVersion: 1,
    id: `${name.toLowerCase().replace(/\W+/g, '-')}-${uniqueSuffix()}`,
    name,
    settings: {
      defaultLocale: 'en',
      timezone: 'UTC',
      reEntry: { policy: 'never' },
      quietHours: { start: '21:00', end: '09:00' },
      frequencyCaps: [{ channel: 'sms', max: 1, periodHours: 24 }],
      priority,
    },
    nodes: [
      { id: 'trigger', kind: 'api', position: { x: 0, y: 0 }, config: {} },
      { id: 'text', kind: 'sms', position: { x: 0, y: 100 }, config: { templateId: 'winback-reminder', ...(onCap ? { onCap } : {}) } },
      { id: 'sent', kind: 'exit', position: { x: 0, y: 200 }, config: {} },
      { id: 'capped', kind: 'exit', position: { x: 200, y: 200 }, config: {} },
    ],
    edges: [
      { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'text' },
      { id: 'e2', source: 'text', sourceHandle: 'sent', target: 'sent' },
      { id: 'e3', source: 'text', sourceHandle: 'failed', target: 'capped' },
    ],
  } as JourneyGraph;
  return publish(database.db, graph);
}

/** An `Etc/GMT±N` zone where it is about 03:00 now: both journeys wait for quiet hours to end at 09:00. */
function nightZone(now: number): string {
  let offset = 3 - new Date(now).getUTCHours();
  if (offset < -12) offset += 24;
  if (offset === 0) return 'Etc/UTC';
  return offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}

async function startBoth(lowOnCap?: OnCap) {
  const low = await smsJourney('Newsletter nudge', 'low', lowOnCap);
  const high = await smsJourney('Flash sale', 'high');
  const now = await env.currentTimeMs();
  const id = `c-${uniqueSuffix()}`;
  const phone = `+1628${String(Math.floor(Math.random() * 10_000_000)).padStart(7, '0')}`;
  const customer = await seedCustomer(database.db, { id, name: 'Ana Lima', phone, timezone: nightZone(now), consent: { sms: true } });
  // The lower-priority journey starts first: order of arrival does not decide, priority does.
  expect(await journeyWorker.runtime.startJourney({ journey: low, customer })).toEqual({ started: true });
  expect(await journeyWorker.runtime.startJourney({ journey: high, customer })).toEqual({ started: true });
  const handle = (journey: PublishedJourney) => env.client.workflow.getHandle(journeyWorkflowId(journey.journeyId, id));
  return { low, high, id, phone, now, lowRun: handle(low), highRun: handle(high) };
}

async function timelineOf(customerId: string) {
  const deps = { db: database.db, runtime: journeyWorker.runtime } as unknown as ResolvedDeps;
  return Timeline.parse(await customerTimeline(deps, customerId, 50));
}

describe('priorities across journeys', () => {
  it('the higher-priority journey sends the one SMS of the day; the lower one waits until the next day, and the timeline says why', { timeout: 120_000 }, async () => {
    const { low, high, id, phone, lowRun, highRun } = await startBoth();
    const highResult = await highRun.result(); // skips time to 09:00, when both may send
    expect(highResult).toMatchObject({ nodeId: 'sent' });
    const [first] = await texts(services, phone);
    expect(first).toBeDefined();
    const lowStatus = await eventually(() => lowRun.query(journeyStatusQuery), (s) => s.waiting?.kind === 'timer');
    expect(lowStatus).toMatchObject({ status: 'running', nodeId: 'text', waiting: { kind: 'timer', reason: 'deferred' } });

    const read = async () => (await listMessages(database.db, { customerId: id }, { limit: 10 })).items;
    let messages = await read();
    // Waking at the same 09:00, the lower one may decide while the higher one's send is due but
    // has not taken the slot yet: it gives way for a few minutes, then finds the cap full.
    if (messages.find((m) => m.journeyId === low.journeyId)?.capped?.reason === 'yield') {
      await env.sleep('6 minutes');
      messages = await eventually(read, (items) => items.find((m) => m.journeyId === low.journeyId)?.capped?.reason === 'full');
    }
    const sentAt = Date.parse(messages.find((m) => m.journeyId === high.journeyId)?.updatedAt ?? '');
    const waiting = messages.find((m) => m.journeyId === low.journeyId);
    expect(waiting).toMatchObject({ status: 'pending', capped: { outcome: 'waited', reason: 'full', byJourneyId: high.journeyId, byJourneyName: 'Flash sale', byPriority: 'high' } });
    // It waits until the day's slot frees: a day after the high-priority send.
    const until = Date.parse(waiting?.capped?.until ?? '');
    expect(until - sentAt).toBeGreaterThan(23 * HOUR);
    expect(until - sentAt).toBeLessThanOrEqual(24 * HOUR);

    const timeline = await timelineOf(id);
    const entry = timeline.entries.find((e) => e.kind === 'message' && e.message.journeyId === low.journeyId);
    expect(entry?.kind === 'message' && entry.message.history.at(-1)?.detail).toMatch(/^capped by journey Flash sale, priority high; waits until /);

    // The journey's stats say why its step waited.
    expect(await cappedByStep(database.db, low.journeyId)).toEqual([
      { nodeId: 'text', waited: 1, skipped: 0, by: [{ journeyId: high.journeyId, journeyName: 'Flash sale', priority: 'high', waited: 1, skipped: 0 }] },
    ]);

    expect(await lowRun.result()).toMatchObject({ nodeId: 'sent' });
    const received = await texts(services, phone);
    expect(received).toHaveLength(2);
    const rows = (await listMessages(database.db, { customerId: id }, { limit: 10 })).items;
    expect(rows.map((m) => m.status).sort()).toEqual(['sent', 'sent']);
    const lowSent = rows.find((m) => m.journeyId === low.journeyId);
    expect(Date.parse(lowSent?.updatedAt ?? '') - sentAt).toBeGreaterThanOrEqual(24 * HOUR - 60_000);
  });

  it('with onCap: skip the lower-priority step takes its failed exit at once, recorded as capped', { timeout: 120_000 }, async () => {
    const { low, high, id, phone, lowRun, highRun } = await startBoth('skip');
    expect(await highRun.result()).toMatchObject({ nodeId: 'sent' });
    expect(await lowRun.result()).toMatchObject({ nodeId: 'capped' });
    const rows = (await listMessages(database.db, { customerId: id }, { limit: 10 })).items;
    // On failure, say which sends reached the sandbox and what the ledger holds.
    expect({ texts: await texts(services, phone), rows }).toMatchObject({ texts: [expect.anything()] });
    expect(rows.find((m) => m.journeyId === high.journeyId)?.status).toBe('sent');
    const skipped = rows.find((m) => m.journeyId === low.journeyId);
    expect(skipped).toMatchObject({ status: 'failed', capped: { outcome: 'skipped', byJourneyName: 'Flash sale', byPriority: 'high' } });
    expect(skipped?.error).toMatch(/^Capped: capped/);
    const timeline = await timelineOf(id);
    const entry = timeline.entries.find((e) => e.kind === 'message' && e.message.journeyId === low.journeyId);
    expect(entry?.kind === 'message' && entry.message.capped?.detail).toMatch(/^capped by journey Flash sale, priority high/);
    expect(await cappedByStep(database.db, low.journeyId)).toMatchObject([{ nodeId: 'text', waited: 0, skipped: 1, by: [{ journeyName: 'Flash sale', priority: 'high', skipped: 1 }] }]);
  });
});
