// The campaign launch: pages through an audience and starts a journey run per customer, at
// no more than the given rate. Pausable, resumable, cancellable; progress by query. Durable:
// a worker restart resumes at the last finished batch, and the effect ledger behind
// `startCampaignBatch` makes a repeated batch start nobody twice.
import { condition, continueAsNew, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { CampaignPage, JourneyActivities } from '../activities/index.ts';
import { campaignProgressQuery, cancelCampaignSignal, pauseCampaignSignal, resumeCampaignSignal } from './definitions.ts';
import type { CampaignLaunchInput, CampaignLaunchProgress } from './definitions.ts';

const launch = proxyActivities<JourneyActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '15 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * Launches read the next page while the previous one runs and keep two pages in flight, so a
 * page's emails go out while the page before starts its runs. Launches recorded before this
 * (one page after another, `workflows/histories/campaign-launch-serial.json`) replay unchanged.
 */
export const pagesAheadPatch = 'campaign-pages-ahead';

/** Pages of a launch running at once: one starting its runs while the next sends. */
const pagesInFlight = 2;

/** Launches a campaign; returns the final progress. */
export async function campaignLaunchWorkflow(input: CampaignLaunchInput): Promise<CampaignLaunchProgress> {
  const carried = input.carried;
  const progress: CampaignLaunchProgress = carried?.progress ?? {
    campaignId: input.campaignId,
    status: 'counting',
    total: 0,
    started: 0,
    skipped: 0,
    failed: 0,
    done: false,
  };
  let paused = carried?.paused ?? false;
  let cancelled = false;
  setHandler(pauseCampaignSignal, () => void (paused = true));
  setHandler(resumeCampaignSignal, () => void (paused = false));
  setHandler(cancelCampaignSignal, () => void (cancelled = true));
  setHandler(campaignProgressQuery, () => ({
    ...progress,
    status: progress.done ? progress.status : cancelled ? 'cancelled' : paused ? 'paused' : progress.status,
  }));

  if (carried === undefined && input.startAt !== undefined) await waitForStart(input, progress, () => cancelled, () => void (cancelled = true));
  const asOf = carried?.asOf ?? Date.now();
  // A batch never exceeds one second's worth of starts, so the rate holds within each second.
  const batch = Math.max(1, Math.min(input.batchSize ?? 100, Math.floor(input.ratePerSecond)));
  const batchMs = (batch / input.ratePerSecond) * 1000;
  let cursor = carried?.cursor ?? null;
  let more = true;
  if (!cancelled && patched(pagesAheadPatch)) {
    more = false;
    // The count and the first page's read at once.
    const first = carried === undefined ? launch.readCampaignPage({ audience: input.audience, asOf, cursor: null, limit: batch }) : undefined;
    void first?.catch(() => undefined); // awaited below unless the launch is cancelled first
    if (carried === undefined) {
      progress.total = await launch.countCampaignAudience(input.audience, asOf);
      progress.status = 'running';
    }
    await launchPagesAhead(input, progress, { cursor, first, asOf, batch, batchMs }, { paused: () => paused, cancelled: () => cancelled });
  } else if (carried === undefined && !cancelled) {
    progress.total = await launch.countCampaignAudience(input.audience, asOf);
    progress.status = 'running';
  }
  while (more) {
    await condition(() => !paused || cancelled);
    if (cancelled) break;
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > 5_000) {
      await continueAsNew<typeof campaignLaunchWorkflow>({ ...input, carried: { cursor, progress, paused, asOf } });
    }
    const began = Date.now();
    const result = await launch.startCampaignBatch({
      campaignId: input.campaignId,
      journeyId: input.journeyId,
      version: input.version,
      audience: input.audience,
      asOf,
      cursor,
      limit: batch,
    });
    progress.started += result.started;
    progress.skipped += result.skipped;
    progress.failed += result.failed;
    cursor = result.nextCursor;
    more = cursor !== null;
    const rest = began + batchMs - Date.now();
    if (more && rest > 0) await condition(() => cancelled, rest);
  }
  progress.status = cancelled ? 'cancelled' : 'completed';
  progress.done = true;
  await launch.finishCampaign(input.campaignId, progress.status);
  return progress;
}

/**
 * The launch's pages, `pagesInFlight` at a time: each page is read (its customers' ids and the
 * next page's cursor), then started as soon as a slot is free, while the next one is read. The
 * rate holds as before (a page's starts are at most one second's worth, and pages begin at
 * least their share of a second apart); pausing and cancelling stop before the next page (the
 * pages in flight finish); continue-as-new waits for them, so the carried cursor and progress
 * are exact.
 */
async function launchPagesAhead(
  input: CampaignLaunchInput,
  progress: CampaignLaunchProgress,
  from: { cursor: string | null; first: Promise<CampaignPage> | undefined; asOf: number; batch: number; batchMs: number },
  state: { paused(): boolean; cancelled(): boolean },
): Promise<void> {
  const { asOf, batch, batchMs } = from;
  let cursor = from.cursor;
  let first = from.first;
  let more = true;
  let running = 0;
  let failure: { error: unknown } | null = null;
  const stop = () => state.cancelled() || failure !== null;
  while (more) {
    await condition(() => !state.paused() || stop());
    if (stop()) break;
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > 5_000) {
      await condition(() => running === 0);
      if (failure !== null) break;
      await continueAsNew<typeof campaignLaunchWorkflow>({ ...input, carried: { cursor, progress, paused: state.paused(), asOf } });
    }
    const began = Date.now();
    const page = await (first ?? launch.readCampaignPage({ audience: input.audience, asOf, cursor, limit: batch }));
    first = undefined;
    await condition(() => running < pagesInFlight || stop());
    if (stop()) break;
    cursor = page.nextCursor;
    more = cursor !== null;
    if (page.customerIds.length === 0) continue;
    running += 1;
    void launch
      .startCampaignBatch({ campaignId: input.campaignId, journeyId: input.journeyId, version: input.version, audience: input.audience, asOf, cursor: null, limit: batch, customerIds: page.customerIds })
      .then(
        (result) => {
          progress.started += result.started;
          progress.skipped += result.skipped;
          progress.failed += result.failed;
        },
        (error: unknown) => void (failure ??= { error }),
      )
      .finally(() => void (running -= 1));
    const rest = began + batchMs - Date.now();
    if (more && rest > 0) await condition(stop, rest);
  }
  await condition(() => running === 0);
  if (failure !== null) throw (failure as { error: unknown }).error;
}

/**
 * A scheduled launch waits on a durable timer (it survives worker and server restarts) until
 * `startAt`, or until cancelled. Runs without `startAt` (every launch recorded before
 * scheduling existed) never reach this, so their histories replay unchanged.
 */
async function waitForStart(input: CampaignLaunchInput, progress: CampaignLaunchProgress, isCancelled: () => boolean, cancel: () => void): Promise<void> {
  progress.status = 'scheduled';
  const wait = Date.parse(input.startAt ?? '') - Date.now();
  if (wait > 0) await condition(isCancelled, wait);
  // The stored campaign says whether it still launches (cancelled through the API meanwhile: no).
  if (!isCancelled() && !(await launch.beginScheduledCampaign(input.campaignId))) cancel();
  progress.status = 'counting';
}
