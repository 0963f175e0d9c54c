import { reusePolicy } from '../runtime/temporal.ts';
import type { CustomerProfile } from '../journey/index.ts';
import type { AudienceFilter } from '../store/customers.ts';
import { customersCollection, toProfile } from '../store/customers.ts';
import { getJourney, getVersion } from '../store/journeys.ts';
import { runsCollection } from '../store/runs.ts';
import type { CampaignLaunchProgress, JourneyWorkflowInput } from '../workflows/definitions.ts';
import { campaignWorkflowId, journeyWorkflowId, workflowTypes } from '../workflows/definitions.ts';
import type { BenchApp } from './app.ts';
import { inLanes, until } from './stats.ts';

/** A campaign launch as measured: its progress and its duration as Temporal recorded it. */
export interface LaunchResult {
  campaignId: string;
  progress: CampaignLaunchProgress;
  /** The launch was cancelled when its time budget ran out. */
  cancelled: boolean;
  /** From the launch request leaving the bench to the launch workflow closing. */
  totalMs: number;
  /** From the launch workflow starting to it closing (Temporal's timestamps). */
  workflowMs: number;
}

/**
 * Launches a campaign of `journeyId` for `audience` through the API, as fast as the API allows
 * (10,000 starts a second), and waits for the launch workflow to finish — or, after
 * `budgetMs`, cancels it (through the API) and waits for it to stop.
 */
export async function runCampaign(app: BenchApp, journeyId: string, audience: AudienceFilter, budgetMs: number): Promise<LaunchResult> {
  const t0 = Date.now();
  const reply = await app.call('POST', '/v1/campaigns', { name: `bench ${journeyId} ${new Date().toISOString()}`, journeyId, audience, ratePerSecond: 10_000 });
  const body = reply.body;
  if (reply.status !== 201 || typeof body !== 'object' || body === null || !('id' in body) || typeof body.id !== 'string') {
    throw new Error(`launching a campaign of ${journeyId}: ${reply.status} ${JSON.stringify(body)}`);
  }
  const handle = app.temporal.workflow.getHandle(campaignWorkflowId(body.id));
  const result = handle.result();
  const outOfTime = Symbol('out of time');
  let timer: NodeJS.Timeout | undefined;
  const first = await Promise.race([result, new Promise<typeof outOfTime>((resolve) => (timer = setTimeout(() => resolve(outOfTime), budgetMs)))]);
  clearTimeout(timer);
  let cancelled = false;
  if (first === outOfTime) {
    const cancel = await app.call('POST', `/v1/campaigns/${body.id}/cancel`);
    // 409: it completed in the meantime.
    if (cancel.status !== 200 && cancel.status !== 409) throw new Error(`cancelling campaign ${body.id}: ${cancel.status} ${JSON.stringify(cancel.body)}`);
    cancelled = cancel.status === 200;
  }
  const progress = first === outOfTime ? await result : first;
  const totalMs = Date.now() - t0;
  const described = await handle.describe();
  const closed = described.closeTime?.getTime() ?? Date.now();
  return { campaignId: body.id, progress, cancelled, totalMs, workflowMs: closed - described.startTime.getTime() };
}

/**
 * Waits until `count` runs of `journeyId` wait at `nodeId` (the runs' own progress records), or
 * `timeoutMs` passed; returns how many wait.
 */
export async function waitUntilWaiting(app: BenchApp, journeyId: string, nodeId: string, count: number, timeoutMs: number): Promise<number> {
  const runs = runsCollection(app.db);
  let last = 0;
  await until(async () => (last = await runs.countDocuments({ journeyId, status: 'running', nodeId })) >= count, '', timeoutMs, 1000).catch(() => undefined);
  return last;
}

/**
 * Puts `customerIds` into the latest published version of `journeyId` by starting their runs
 * on Temporal directly, `lanes` at a time, with the same workflow id, input and policies as the
 * API's starter: for building a population of waiting runs quickly (a campaign launch is
 * measured on its own). Returns the milliseconds the starts took.
 */
export async function startRunsDirectly(app: BenchApp, journeyId: string, customerIds: readonly string[], lanes = 16): Promise<number> {
  const journey = await getJourney(app.db, journeyId);
  const version = journey === null ? null : await getVersion(app.db, journeyId, journey.latestVersion);
  if (version === null) throw new Error(`journey ${journeyId} is not published`);
  const profiles = new Map<string, CustomerProfile>();
  for await (const doc of customersCollection(app.db).find({ _id: { $in: [...customerIds] } })) profiles.set(doc._id, toProfile(doc));
  const t0 = performance.now();
  await inLanes(customerIds.length, lanes, async (i) => {
    const customerId = customerIds[i] ?? '';
    const customer = profiles.get(customerId);
    const input: JourneyWorkflowInput = { journeyId, version: version.version, definition: version.definition, customerId, ...(customer ? { customer } : {}) };
    await app.temporal.workflow.start(workflowTypes.journey, {
      taskQueue: app.taskQueue,
      workflowId: journeyWorkflowId(journeyId, customerId),
      args: [input],
      workflowIdReusePolicy: reusePolicy(version.definition),
      workflowIdConflictPolicy: 'FAIL',
    });
  });
  return performance.now() - t0;
}
