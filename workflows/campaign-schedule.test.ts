// Scheduled campaigns with the real activities: on Temporal's time-skipping test server the
// launch waits on a durable timer until its time (not a minute before) and a cancelled
// schedule launches nobody; on the real dev server (real seconds) a timer that fires while no
// worker runs launches the campaign once a worker is back.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { timeSkippingEnvironment } from '../test/fixtures/time-skipping.ts';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCampaign, getCampaign, transitionCampaign } from '../store/campaigns.ts';
import type { CampaignRecord } from '../store/campaigns.ts';
import type { PublishedJourney } from '../store/journeys.ts';
import { testDatabase } from '../test/db.ts';
import { createTemporalRuntime } from '../runtime/temporal.ts';
import { eventually, inbox, prepareDatabase, publish, seedAudience, startJourneyWorker, startRealWorker, testJourneyGraph, uniqueSuffix } from '../test/fixtures/workflow-harness.ts';
import { campaignProgressQuery, campaignWorkflowId } from './definitions.ts';

const services = inject('services');
const taskQueue = `schedule-${randomUUID()}`;
const DAY = 86_400_000;

let env: TestWorkflowEnvironment;
let database: Awaited<ReturnType<typeof testDatabase>>;
let worker: Awaited<ReturnType<typeof startJourneyWorker>> | undefined;

beforeAll(async () => {
  env = await timeSkippingEnvironment(services);
  database = await testDatabase();
  await prepareDatabase(database.db);
  worker = await startJourneyWorker(env, database.db, services, taskQueue);
});

afterAll(async () => {
  await worker?.stop();
  await env?.teardown();
  await database?.close();
});

/** Three customers who agreed to email, a published journey that emails them, and a campaign scheduled `inMs` from the server's now. */
async function scheduled(inMs: number, runtime = worker?.runtime, now?: number): Promise<{ campaign: CampaignRecord; journey: PublishedJourney; segment: string }> {
  const segment = `sched-${uniqueSuffix()}`;
  await seedAudience(database.db, segment, 3, 'schedule.test');
  const journey = await publish(database.db, testJourneyGraph({ id: `sched-${uniqueSuffix()}` }));
  const scheduledAt = new Date((now ?? (await env.currentTimeMs())) + inMs).toISOString();
  const campaign = await createCampaign(
    database.db,
    { name: 'Scheduled', journeyId: journey.journeyId, version: journey.version, audience: { tags: [segment] }, audienceCount: 3, ratePerSecond: 100, status: 'scheduled', scheduledAt, createdBy: 'test' },
    new Date(),
  );
  await runtime?.launchCampaign({ campaignId: campaign.id, journey, segment: { tags: [segment] }, ratePerSecond: 100, startAt: scheduledAt });
  return { campaign, journey, segment };
}

const mailsTo = async (segment: string) => (await inbox(services)).filter((m) => m.to[0]?.startsWith(segment));

describe('scheduled campaigns', () => {
  it('launch at their time, not before', { timeout: 60_000 }, async () => {
    const { campaign, segment } = await scheduled(2 * DAY);
    const handle = env.client.workflow.getHandle(campaignWorkflowId(campaign.id));
    await eventually(() => handle.query(campaignProgressQuery), (p) => p.status === 'scheduled');

    await env.sleep(2 * DAY - 60_000); // a minute early
    expect(await handle.query(campaignProgressQuery)).toMatchObject({ status: 'scheduled', started: 0 });
    expect((await getCampaign(database.db, campaign.id))?.status).toBe('scheduled');
    expect(await mailsTo(segment)).toHaveLength(0);

    await env.sleep(2 * 60_000);

    expect(await handle.result()).toMatchObject({ status: 'completed', total: 3, started: 3 });
    const stored = await getCampaign(database.db, campaign.id);
    expect(stored?.status).toBe('completed');
    expect(Date.parse(stored?.updatedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(campaign.scheduledAt ?? ''));
    expect(await eventually(() => mailsTo(segment), (m) => m.length >= 3)).toHaveLength(3);
  });

  it('cancelled before its time, launches nobody', { timeout: 60_000 }, async () => {
    const { campaign, segment } = await scheduled(DAY);
    const handle = env.client.workflow.getHandle(campaignWorkflowId(campaign.id));
    await eventually(() => handle.query(campaignProgressQuery), (p) => p.status === 'scheduled');
    // What the cancel route does: the stored campaign first, then the launch.
    await transitionCampaign(database.db, campaign.id, ['scheduled'], 'cancelled', new Date());
    await worker?.runtime.cancelCampaign(campaign.id);
    expect(await handle.result()).toMatchObject({ status: 'cancelled', started: 0 });
    await env.sleep(2 * DAY);
    expect((await getCampaign(database.db, campaign.id))?.status).toBe('cancelled');
    expect(await mailsTo(segment)).toHaveLength(0);
  });

  it('cancelled in the store only (a cancel that raced an approval), launches nobody when the timer fires', { timeout: 60_000 }, async () => {
    const { campaign, segment } = await scheduled(DAY);
    await transitionCampaign(database.db, campaign.id, ['scheduled'], 'cancelled', new Date());
    const handle = env.client.workflow.getHandle(campaignWorkflowId(campaign.id));
    expect(await handle.result()).toMatchObject({ status: 'cancelled', started: 0 });
    expect(await mailsTo(segment)).toHaveLength(0);
  });
});

describe('on the dev server', () => {
  it('a schedule whose time comes while no worker runs launches once a worker is back', { timeout: 90_000 }, async () => {
    const queue = `schedule-dev-${randomUUID()}`;
    const connection = await NativeConnection.connect({ address: services.temporalAddress });
    const client = new Client({ connection: await Connection.connect({ address: services.temporalAddress }) });
    const runtime = createTemporalRuntime({ client, db: database.db, taskQueue: queue });
    let devWorker: { stop(): Promise<void> } | undefined = await startRealWorker({ connection, db: database.db, services, taskQueue: queue, starter: runtime.starter });
    try {
      const { campaign, segment } = await scheduled(5_000, runtime, Date.now());
      const handle = client.workflow.getHandle(campaignWorkflowId(campaign.id));
      await eventually(() => handle.query(campaignProgressQuery), (p) => p.status === 'scheduled');
      await devWorker.stop();
      devWorker = undefined;
      // Past its time with no worker: the timer fired on the server, nobody launched anything.
      await new Promise((r) => setTimeout(r, Date.parse(campaign.scheduledAt ?? '') - Date.now() + 2_000));
      expect((await getCampaign(database.db, campaign.id))?.status).toBe('scheduled');
      expect(await mailsTo(segment)).toHaveLength(0);

      devWorker = await startRealWorker({ connection, db: database.db, services, taskQueue: queue, starter: runtime.starter });
      expect(await handle.result()).toMatchObject({ status: 'completed', total: 3, started: 3 });
      expect((await getCampaign(database.db, campaign.id))?.status).toBe('completed');
      expect(await eventually(() => mailsTo(segment), (m) => m.length >= 3)).toHaveLength(3);
    } finally {
      await devWorker?.stop();
      await client.connection.close();
      await connection.close();
    }
  });
});
