// JourneyRuntime on the real Temporal dev server with an in-process worker and real activities.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { CustomerProfile } from '../journey/index.ts';
import type { PublishedJourney } from '../store/journeys.ts';
import { getRun } from '../store/runs.ts';
import { eventually, inbox, publish, routeByRegistry, seedAudience, seedCustomer, testJourneyGraph, uniqueSuffix } from '../test/fixtures/workflow-harness.ts';
import { startRuntimeHarness } from '../test/fixtures/runtime-harness.ts';
import type { RuntimeHarness } from '../test/fixtures/runtime-harness.ts';
import { dateSweepScheduleId, journeyStatusQuery, journeyWorkflowId, lifecycleScheduleId } from '../workflows/definitions.ts';

const services = inject('services');
const taskQueue = `runtime-${randomUUID()}`;
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

async function customer(): Promise<CustomerProfile & { email: string }> {
  const id = `c-${uniqueSuffix()}`;
  const profile = await seedCustomer(database.db, { id, email: `${id}@runtime.test`, consent: { email: true, sms: false } });
  return { ...profile, email: `${id}@runtime.test` };
}

describe('event routing', () => {
  let journey: PublishedJourney;
  beforeAll(async () => {
    journey = await publish(database.db, testJourneyGraph({ id: `ordered-${uniqueSuffix()}`, trigger: { kind: 'event', eventType: 'cart_abandoned' }, waitForEvent: { eventType: 'order_completed', timeoutMinutes: 60 }, goal: 'coupon_redeemed' }));
  });
  const event = (c: CustomerProfile, type: string) => ({ id: `evt-${uniqueSuffix()}`, type, customerId: c.id, at: new Date().toISOString(), properties: {} });

  it('starts one run for concurrent trigger events, and reaches it with the next event at once', async () => {
    const c = await customer();
    const results = await Promise.all(Array.from({ length: 5 }, () => routeByRegistry(database.db, runtime, { event: event(c, 'cart_abandoned'), customer: c, entries: [journey] })));
    expect(results.reduce((n, r) => n + r.started, 0)).toBe(1);
    expect(results.reduce((n, r) => n + r.signalled, 0)).toBe(4);
    // Sent right after the start returned, before the run recorded anything: still delivered.
    const routed = await routeByRegistry(database.db, runtime, { event: event(c, 'order_completed'), customer: c, entries: [] });
    expect(routed.signalled).toBe(1);
    const result: unknown = await client.workflow.getHandle(journeyWorkflowId(journey.journeyId, c.id)).result();
    expect(result).toMatchObject({ reason: 'exit', nodeId: 'done' });
    expect(await inbox(services, c.email)).toHaveLength(1);
    expect(await runtime.describeRun(journey.journeyId, c.id)).toMatchObject({ status: 'completed', nodeId: null });
  });

  it('ends a run on the goal from any step, and takes a customer out on request', async () => {
    const converted = await customer();
    await routeByRegistry(database.db, runtime, { event: event(converted, 'cart_abandoned'), customer: converted, entries: [journey] });
    await routeByRegistry(database.db, runtime, { event: event(converted, 'coupon_redeemed'), customer: converted, entries: [] });
    expect(await client.workflow.getHandle(journeyWorkflowId(journey.journeyId, converted.id)).result()).toMatchObject({ reason: 'goal' });

    const removed = await customer();
    await routeByRegistry(database.db, runtime, { event: event(removed, 'cart_abandoned'), customer: removed, entries: [journey] });
    const handle = client.workflow.getHandle(journeyWorkflowId(journey.journeyId, removed.id));
    await eventually(() => handle.query(journeyStatusQuery), (s) => s.waiting?.kind === 'event');
    expect(await runtime.nodeStats(journey.journeyId)).toContainEqual(expect.objectContaining({ nodeId: 'wait-event', waiting: 1 }));
    const atNode = await runtime.customersAtNode(journey.journeyId, 'wait-event', { limit: 10 });
    expect(atNode.items.map((o) => o.customerId)).toEqual([removed.id]);
    expect(await runtime.removeFromJourney(journey.journeyId, removed.id)).toBe(true);
    expect(await handle.result()).toMatchObject({ reason: 'cancelled' });
    expect(await runtime.removeFromJourney(journey.journeyId, removed.id)).toBe(false);
    await eventually(() => getRun(database.db, journeyWorkflowId(journey.journeyId, removed.id)), (r) => r?.status === 'cancelled');
    const stats = await runtime.nodeStats(journey.journeyId);
    expect(stats.find((s) => s.nodeId === 'wait-event')).toMatchObject({ waiting: 0 });
    expect(stats.find((s) => s.nodeId === 'first-email')?.entered).toBeGreaterThanOrEqual(3);
  });
});

describe('campaign launch', () => {
  it('starts every customer once under the rate limit, pauses, resumes, and reports progress', async () => {
    const segment = `seg-${uniqueSuffix()}`;
    await seedAudience(database.db, segment, 60, 'campaign.test');
    const journey = await publish(database.db, testJourneyGraph({ id: `camp-${uniqueSuffix()}` }));
    const campaignId = `cmp-${uniqueSuffix()}`;
    const began = Date.now();
    await runtime.launchCampaign({ campaignId, journey, segment: { tags: [segment] }, ratePerSecond: 20 });
    await runtime.launchCampaign({ campaignId, journey, segment: { tags: [segment] }, ratePerSecond: 20 }); // a no-op
    await eventually(() => runtime.campaignProgress(campaignId), (p) => (p?.started ?? 0) >= 20);
    await runtime.pauseCampaign(campaignId);
    const paused = await eventually(() => runtime.campaignProgress(campaignId), (p) => p !== null);
    await new Promise((r) => setTimeout(r, 1_500));
    const stillPaused = await runtime.campaignProgress(campaignId);
    expect(stillPaused?.started).toBeLessThanOrEqual((paused?.started ?? 0) + 20);
    expect(stillPaused?.done).toBe(false);
    await runtime.resumeCampaign(campaignId);
    const done = await eventually(() => runtime.campaignProgress(campaignId), (p) => p?.done === true, 30_000);
    expect(done).toEqual({ audience: 60, started: 60, skipped: 0, failed: 0, done: true });
    // 60 customers at 20 per second take at least two seconds, pause aside.
    expect(Date.now() - began).toBeGreaterThanOrEqual(2_000);

    // The same audience again (a second campaign): `never` re-entry skips everyone.
    const again = `cmp-${uniqueSuffix()}`;
    await runtime.launchCampaign({ campaignId: again, journey, segment: { tags: [segment] }, ratePerSecond: 1_000 });
    expect(await eventually(() => runtime.campaignProgress(again), (p) => p?.done === true, 30_000)).toMatchObject({ started: 0, skipped: 60 });
    const mails = await eventually(() => inbox(services), (all) => all.filter((m) => m.to[0]?.startsWith(segment)).length >= 60);
    expect(mails.filter((m) => m.to[0]?.startsWith(segment))).toHaveLength(60);
  });

  it('stops starting customers when cancelled', async () => {
    const segment = `seg-${uniqueSuffix()}`;
    await seedAudience(database.db, segment, 100, 'campaign.test');
    const journey = await publish(database.db, testJourneyGraph({ id: `camp-${uniqueSuffix()}` }));
    const campaignId = `cmp-${uniqueSuffix()}`;
    await runtime.launchCampaign({ campaignId, journey, segment: { tags: [segment] }, ratePerSecond: 10 });
    await eventually(() => runtime.campaignProgress(campaignId), (p) => (p?.started ?? 0) >= 10);
    await runtime.cancelCampaign(campaignId);
    const done = await eventually(() => runtime.campaignProgress(campaignId), (p) => p?.done === true);
    expect(done?.started).toBeLessThan(100);
    await expect(runtime.campaignProgress(`cmp-unknown-${uniqueSuffix()}`)).resolves.toBeNull();
  });
});

describe('date sweep schedule', () => {
  it('is created once, daily', async () => {
    await runtime.ensureDateSweepSchedule();
    await runtime.ensureDateSweepSchedule();
    const description = await client.schedule.getHandle(dateSweepScheduleId).describe();
    expect(description.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 0, end: 0, step: 1 }], minute: [{ start: 5, end: 5, step: 1 }] });
    expect(description.action).toMatchObject({ type: 'startWorkflow', workflowType: 'dateSweepWorkflow' });
  });
});

describe('lifecycle schedule', () => {
  it('is created once, daily at 03:00 UTC, skipping a run while the last one is still going', async () => {
    await runtime.ensureLifecycleSchedule();
    await runtime.ensureLifecycleSchedule();
    const description = await client.schedule.getHandle(lifecycleScheduleId).describe();
    expect(description.spec.calendars).toHaveLength(1);
    expect(description.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 3, end: 3, step: 1 }], minute: [{ start: 0, end: 0, step: 1 }] });
    expect(description.action).toMatchObject({ type: 'startWorkflow', workflowType: 'lifecycleDailyWorkflow' });
    expect(description.policies.overlap).toBe('SKIP');
  });
});
