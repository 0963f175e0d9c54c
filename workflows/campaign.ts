// The campaign launch: pages through an audience and starts a journey run per customer, at
// no more than the given rate. Pausable, resumable, cancellable; progress by query. Durable:
// a worker restart resumes at the last finished batch, and the effect ledger behind
// `startCampaignBatch` makes a repeated batch start nobody twice.
import { condition, continueAsNew, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { CampaignBatchResult, CampaignPage, JourneyActivities } from '../activities/index.ts';
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

/**
 * Launches take each page in two passes, the emails first and the run starts behind them
 * (`launchPagesAhead`). Launches recorded before (one activity per page,
 * `workflows/histories/campaign-launch-pages.json`) replay unchanged.
 */
export const startsBehindPatch = 'campaign-starts-behind';

/**
 * Launches hold their run starts back while pages remain to be sent, up to a bound
 * (`startsHeldBack`; the API launches with a bound of one page, so the starts run beside the
 * sends, see runtime/temporal.ts `launchCampaign`) (`launchPagesAhead`). Launches recorded
 * before (one second pass at a time while sending,
 * `workflows/histories/campaign-launch-two-passes.json`) replay unchanged.
 */
export const sendsFirstPatch = 'campaign-sends-first';

/** Pages of a launch being sent at once. */
const pagesInFlight = 2;

/**
 * How many emailed customers may wait for their runs while pages remain to be sent: the
 * launch's own bound (the API's launches: one page), or for a launch without one a minute of
 * sending at its rate, at most 10,000 (and never less than a page). Past it, one page's runs
 * start at a time while sending.
 */
function startsHeldBack(input: Pick<CampaignLaunchInput, 'holdStartsUpTo' | 'ratePerSecond'>, batch: number): number {
  return Math.max(batch, input.holdStartsUpTo ?? Math.min(10_000, Math.round(60 * input.ratePerSecond)));
}

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
 * next page's cursor), then sent as soon as a slot is free, while the next one is read. The
 * rate holds as before (a page's starts are at most one second's worth, and pages begin at
 * least their share of a second apart); pausing and cancelling stop before the next page (the
 * pages in flight finish); continue-as-new waits for them, so the carried cursor and progress
 * are exact.
 *
 * Launches since `startsBehindPatch` take each page in two passes: the first sends the page's
 * first touch (`prefixCampaignPage`), the second starts the runs it left waiting
 * (`startCampaignPage`). Second passes queue behind the first ones and run one at a time while
 * pages remain to be sent, so the emails of the audience go out ahead of the run starts (the
 * starts cost Temporal more CPU than anything in the first touch); then two at a time. (Fewer
 * starts in flight while sending, 4 instead of 16, moved the last email a little earlier and
 * the last start much later: bench, 2026-12-07.) Since `sendsFirstPatch` no second pass runs
 * while pages remain to be sent until more emailed customers wait for their runs than
 * `startsHeldBack` allows (then one at a time): a start and a send share the cores, and holding
 * every start back moved the last email of a 3,000-customer win-back from 2.4–2.6× the bare
 * pool's time to 1.8× at about the same time for the last start (bench, 2026-12-07). Since the
 * embedded dev server yields the cores to the sends (embedded/temporal.ts `temporalNice`), the
 * API launches with a bound of one page: the starts take the cores the sends leave idle. A
 * paused launch starts the pages already sent; so does continue-as-new before it carries on. A
 * page whose first pass ran is always started — after a pause, a cancel or a failed page too:
 * its customers were emailed and their runs carry the journey on. Launches recorded before
 * (one activity per page) replay unchanged.
 */
async function launchPagesAhead(
  input: CampaignLaunchInput,
  progress: CampaignLaunchProgress,
  from: { cursor: string | null; first: Promise<CampaignPage> | undefined; asOf: number; batch: number; batchMs: number },
  state: { paused(): boolean; cancelled(): boolean },
): Promise<void> {
  const { asOf, batch, batchMs } = from;
  const twoPasses = patched(startsBehindPatch);
  const sendsFirst = twoPasses && patched(sendsFirstPatch);
  const heldBack = startsHeldBack(input, batch);
  // Continue-as-new waits for every page to be started: nothing is held back then.
  let draining = false;
  let cursor = from.cursor;
  let first = from.first;
  let more = true;
  let sending = 0;
  let starting = 0;
  const toStart: Array<{ ids: string[]; waiting: number }> = [];
  let failure: { error: unknown } | null = null;
  const stop = () => state.cancelled() || failure !== null;
  const settled = () => sending === 0 && starting === 0 && toStart.length === 0;
  const pageOf = (customerIds: string[]) => ({ campaignId: input.campaignId, journeyId: input.journeyId, version: input.version, audience: input.audience, asOf, cursor: null, limit: batch, customerIds });
  const count = (result: CampaignBatchResult) => {
    progress.started += result.started;
    progress.skipped += result.skipped;
    progress.failed += result.failed;
  };
  const stillSending = () => (more && !stop()) || sending > 0;
  // Second passes at once: while sending, one (launches before `sendsFirstPatch`), or none until
  // the customers waiting for their runs pass `heldBack`; otherwise (sent, paused, stopped,
  // draining) `pagesInFlight`.
  const startSlots = () => {
    if (!sendsFirst) return stillSending() ? 1 : pagesInFlight;
    const sendingNow = sending > 0 || (more && !stop() && !state.paused());
    if (!sendingNow || draining) return pagesInFlight;
    return toStart.reduce((n, page) => n + page.waiting, 0) > heldBack ? 1 : 0;
  };
  const startPages = () => {
    while (toStart.length > 0 && starting < startSlots()) {
      const sent = toStart.shift() ?? { ids: [], waiting: 0 };
      starting += 1;
      void launch
        .startCampaignPage(pageOf(sent.ids))
        .then(
          (result) => {
            count(result);
            progress.starting = Math.max(0, (progress.starting ?? 0) - sent.waiting);
          },
          (error: unknown) => void (failure ??= { error }),
        )
        .finally(() => {
          starting -= 1;
          startPages();
        });
    }
  };
  while (more) {
    // Paused, the pages already sent are started (a pause can come while no page is in flight).
    if (sendsFirst && state.paused()) startPages();
    await condition(() => !state.paused() || stop());
    if (stop()) break;
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > 5_000) {
      draining = true;
      startPages();
      await condition(settled);
      if (failure !== null) break;
      await continueAsNew<typeof campaignLaunchWorkflow>({ ...input, carried: { cursor, progress, paused: state.paused(), asOf } });
    }
    const began = Date.now();
    const page = await (first ?? launch.readCampaignPage({ audience: input.audience, asOf, cursor, limit: batch }));
    first = undefined;
    await condition(() => sending < pagesInFlight || stop());
    if (stop()) break;
    cursor = page.nextCursor;
    more = cursor !== null;
    if (page.customerIds.length === 0) continue;
    sending += 1;
    const firstPass: Promise<CampaignBatchResult & { waiting?: number }> = twoPasses ? launch.prefixCampaignPage(pageOf(page.customerIds)) : launch.startCampaignBatch(pageOf(page.customerIds));
    void firstPass
      .then(
        (result) => {
          count(result);
          const waiting = result.waiting ?? 0;
          if (waiting > 0) {
            toStart.push({ ids: page.customerIds, waiting });
            progress.starting = (progress.starting ?? 0) + waiting;
          }
        },
        (error: unknown) => void (failure ??= { error }),
      )
      .finally(() => {
        sending -= 1;
        startPages();
      });
    const rest = began + batchMs - Date.now();
    if (more && rest > 0) await condition(stop, rest);
  }
  more = false;
  startPages();
  await condition(settled);
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
