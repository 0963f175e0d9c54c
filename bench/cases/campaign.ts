// Case 10 — the win-back campaign at pool speed: a campaign of coupon → email → 7 days' wait
// for an order, whose first touch runs batched in the launch. Measured against, in the same
// run: a bare nodemailer pool sending as many emails of the same size to the same SMTP server
// (time until the last is in the inbox), and as many bare workflow starts (time until all are
// started; timed before the campaign and after it, the mean the baseline); and the Temporal cost per customer against the same journey's runs started one by
// one (the per-run path every campaign took before batching: the run issues the coupon and sends
// the email itself).
import nodemailer from 'nodemailer';
import { journeyWorkflowId } from '../../workflows/definitions.ts';
import { historyCost } from '../actions.ts';
import { seedCustomers } from '../app.ts';
import { bareEmail, firstTaskWaits, waitUntilClosed, waitUntilSettled, waitUntilTimerSet } from '../bare.ts';
import { runCampaign, startRunsDirectly, waitUntilWaiting } from '../campaign.ts';
import type { BenchContext } from '../context.ts';
import type { BenchRow } from '../core.ts';
import { winBackJourney } from '../journeys.ts';
import { cpuOf, cpuSince, inLanes, note, percentile, round, until, wallMs } from '../stats.ts';

const journeyId = 'bench-winback';
const lanes = 16;

export async function benchWinBack(ctx: BenchContext): Promise<BenchRow[]> {
  const { app, bare, services } = ctx;
  const pids = { worker: app.worker.pid, API: app.api.pid, 'bare worker': bare.child.pid, ...services.pids };
  const { winBackCustomers: size, winBackBudgetMs: budgetMs, winBackSample: sample } = ctx.sizes;
  await app.publish(winBackJourney(journeyId));
  const ids = await seedCustomers(app.db, { prefix: 'wb', count: size, tags: ['winback'] });

  // Before: the same journey, each run started on its own and doing its own first steps.
  const unbatched = await seedCustomers(app.db, { prefix: 'wb-single', count: sample, tags: ['winback-single'] });
  let mark = services.sink.receipts.length;
  await startRunsDirectly(app, journeyId, unbatched, lanes);
  await waitUntilWaiting(app, journeyId, 'wait-order', sample, 120_000);
  const singleMails = services.sink.since(mark, '@bench.test').filter((r) => r.to.startsWith('wb-single-'));
  const emailBytes = singleMails.length > 0 ? Math.round(singleMails.reduce((n, r) => n + r.bytes, 0) / singleMails.length) : ctx.emailBytes;
  // Their records reach the wait a moment before the workflow task that sets its timer completes:
  // count once every history shows the timer, or the baseline misses the timer and the markers.
  const unbatchedIds = unbatched.map((id) => journeyWorkflowId(journeyId, id));
  await waitUntilTimerSet(app.temporal, unbatchedIds, 120_000);
  const before = await historyCost(app.temporal, unbatchedIds);

  // Bare: the pool's emails, then bare starts.
  const pool = nodemailer.createTransport({ pool: true, url: services.endpoints.smtp.url, maxConnections: 5 });
  mark = services.sink.receipts.length;
  const bareSendStart = wallMs();
  let cpuMark = await cpuOf(pids);
  // At most 100 messages handed to the pool at once: the pool queues the rest in memory, and
  // 10,000 queued at once starve the sink's own event loop until its greetings time out.
  await inLanes(size, 100, async (i) => {
    await pool.sendMail({ from: 'Bench <bench@waymark.local>', ...bareEmail(`bare-wb-${i}@bare-wb.test`, emailBytes) });
  });
  await until(() => services.sink.since(mark, '@bare-wb.test').length >= size, 'the bare emails', 10 * 60_000);
  const bareSendMs = Math.max(...services.sink.since(mark, '@bare-wb.test').map((r) => r.at)) - bareSendStart;
  pool.close();
  note(`winback: CPU during the bare pool: ${await cpuSince(pids, cpuMark)}`);
  // Bare starts, before the campaign and again after it: the Temporal server's cost per start
  // grows with the executions it holds (in memory, 2.3 → 4.1 ms of its CPU a start from none to
  // 18,000), and the campaign's starts come between the two.
  const bareStarts = async (label: string): Promise<number> => {
    const marked = await cpuOf(pids);
    const started = performance.now();
    await inLanes(size, lanes, async (i) => {
      await app.temporal.workflow.start('emptyWorkflow', { taskQueue: bare.taskQueue, workflowId: `bench-bare-wb-${label}/${i}`, args: [] });
    });
    const ms = performance.now() - started;
    note(`winback: CPU during the bare starts ${label} the campaign: ${await cpuSince(pids, marked)}`);
    await waitUntilClosed(app.temporal, Array.from({ length: size }, (_, i) => `bench-bare-wb-${label}/${i}`));
    return ms;
  };
  const bareBeforeMs = await bareStarts('before');
  note(`winback: bare pool ${size} emails in ${Math.round(bareSendMs)} ms, ${size} bare starts in ${Math.round(bareBeforeMs)} ms; launching`);

  // The campaign, from the launch request on.
  mark = services.sink.receipts.length;
  cpuMark = await cpuOf(pids);
  const t0 = wallMs();
  const launch = await runCampaign(app, journeyId, { tags: ['winback'] }, budgetMs);
  const received = () => services.sink.since(mark, '@bench.test').filter((r) => r.to.startsWith('wb-0'));
  const startedIds = ids.slice(0, launch.progress.started);
  // Durable and waiting: the launch returned (every start call answered, every registry entry
  // written), and each run is either asleep in its start delay until its 7-day wait ends
  // (persisted by Temporal, waiting: no task is due before then) or past its first workflow
  // task (a run that started without a delay). Checked on the last runs started.
  const last = startedIds.slice(-lanes).map((id) => journeyWorkflowId(journeyId, id));
  const asleep = await inStartDelay(app.temporal, last);
  await waitUntilSettled(app.temporal, last.filter((id) => !asleep.has(id)), 5 * 60_000);
  const durableMs = wallMs() - t0;
  note(`winback: CPU from the launch until every run is durable: ${await cpuSince(pids, cpuMark)}`);
  // Where the wait for durable runs goes: their first workflow tasks queued for a worker (≤ 500
  // sampled; a run asleep in its start delay has none yet).
  const every = Math.max(1, Math.ceil(startedIds.length / 500));
  const sampledIds = startedIds.filter((_, i) => i % every === 0).map((id) => journeyWorkflowId(journeyId, id));
  const sleeping = await inStartDelay(app.temporal, sampledIds);
  const waits = await firstTaskWaits(app.temporal, sampledIds.filter((id) => !sleeping.has(id)));
  note(`winback: ${sleeping.size} of ${sampledIds.length} sampled runs asleep in their start delay; first workflow task of the others waited p50 ${Math.round(percentile(waits, 50))} ms, p90 ${Math.round(percentile(waits, 90))} ms, max ${Math.round(Math.max(0, ...waits))} ms (${waits.length} runs)`);
  const left = Math.max(0, budgetMs - (wallMs() - t0));
  await until(() => received().length >= launch.progress.started, 'the campaign emails', left, 250).catch(() => undefined);
  const mails = received();
  const complete = !launch.cancelled && mails.length >= size;
  const inboxMs = mails.length > 0 ? Math.max(...mails.map((r) => r.at)) - t0 : Number.NaN;
  note(`winback: ${launch.progress.started} started, ${mails.length} emails, last ${Math.round(inboxMs)} ms after the launch request`);

  // After: the batched runs' own histories, plus the launch workflow's, shared by the audience.
  const sampled = startedIds.filter((_, i) => i % Math.max(1, Math.floor(startedIds.length / sample)) === 0).slice(0, sample);
  const runs = await historyCost(app.temporal, sampled.map((id) => journeyWorkflowId(journeyId, id)));
  const launchCost = await historyCost(app.temporal, [`campaign/${launch.campaignId}`]);
  const share = Math.max(1, launch.progress.started);
  const after = { events: runs.events + launchCost.events / share, actions: runs.actions + launchCost.actions / share };
  ctx.liveCustomers.push(...startedIds);
  const bareAfterMs = await bareStarts('after');
  const bareStartMs = (bareBeforeMs + bareAfterMs) / 2;
  note(`winback: ${size} bare starts before the campaign ${Math.round(bareBeforeMs)} ms, after it ${Math.round(bareAfterMs)} ms`);

  const measured = complete ? `${size.toLocaleString('en')} customers` : `${size.toLocaleString('en')} customers, INCOMPLETE: ${mails.length.toLocaleString('en')} emails within ${budgetMs / 1000} s`;
  return [
    {
      case: `win-back campaign (coupon + email, then 7 days' wait), ${measured}: launch request until every email is in the inbox (baseline: bare nodemailer pool, as many emails of the same size)`,
      value: round(inboxMs / 1000, 2),
      unit: 's',
      baseline: round(bareSendMs / 1000, 2),
      goal: '≤ 2 × baseline',
      ok: complete && inboxMs <= 2 * bareSendMs,
    },
    {
      case: `win-back campaign, ${measured}: launch request until every run is durable and waiting — started (asleep in its start delay until the wait ends, or past its first workflow task) and registered (baseline: as many bare workflow starts, ${lanes} in flight, the mean of ${round(bareBeforeMs / 1000, 1)} s before the campaign and ${round(bareAfterMs / 1000, 1)} s after it)`,
      value: round(durableMs / 1000, 2),
      unit: 's',
      baseline: round(bareStartMs / 1000, 2),
      goal: '≤ 1.25 × baseline',
      ok: !launch.cancelled && durableMs <= 1.25 * bareStartMs,
    },
    {
      case: `win-back campaign: Temporal history events per customer, so far (run ${round(runs.events)} + launch workflow ${round(launchCost.events / share, 2)}; baseline: the run started on its own, ${sample} sampled)`,
      value: round(after.events, 2),
      unit: 'events',
      baseline: round(before.events, 2),
    },
    {
      case: `win-back campaign: billable Temporal actions per customer, so far (run ${round(runs.actions)} + launch workflow ${round(launchCost.actions / share, 2)}; rule in bench/actions.ts; baseline: the run started on its own)`,
      value: round(after.actions, 2),
      unit: 'actions',
      baseline: round(before.actions, 2),
      goal: '≤ baseline / 3',
      ok: after.actions <= before.actions / 3,
    },
  ];
}

/**
 * The runs of `workflowIds` asleep in Temporal's start delay: started with a first-task backoff
 * that has not run out and no workflow task yet. Such a run is durable (its start is in the
 * history) and waiting: nothing is due before its wait ends.
 */
async function inStartDelay(client: BenchContext['app']['temporal'], workflowIds: readonly string[]): Promise<Set<string>> {
  const asleep = new Set<string>();
  await inLanes(workflowIds.length, lanes, async (i) => {
    const id = workflowIds[i] ?? '';
    const events = (await client.workflow.getHandle(id).fetchHistory()).events ?? [];
    const backoff = Number(events[0]?.workflowExecutionStartedEventAttributes?.firstWorkflowTaskBackoff?.seconds ?? 0);
    if (backoff > 0 && !events.some((e) => e.workflowTaskScheduledEventAttributes)) asleep.add(id);
  });
  return asleep;
}
