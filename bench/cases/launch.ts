// Case 1 — campaign launch: journey runs started per second by a campaign, against bare
// `client.workflow.start` calls of an empty workflow at the campaign's concurrency (16 starts in
// flight, as the starter's `startMany` runs them) on the same Temporal server.
import { seedCustomers } from '../app.ts';
import { waitUntilClosed, waitUntilSettled } from '../bare.ts';
import { runCampaign, waitUntilWaiting } from '../campaign.ts';
import type { BenchContext } from '../context.ts';
import { snapshotMemory } from '../context.ts';
import type { BenchRow } from '../core.ts';
import { launchJourney } from '../journeys.ts';
import { inLanes, note, perSecond, round } from '../stats.ts';

const journeyId = 'bench-launch';
const lanes = 16;

/**
 * Launches a campaign for 10,000 customers (quick: 1,000; see sizes.ts) and measures it until it is done or
 * its time budget runs out (then it is cancelled: the rate is over the runs started so far).
 * The bare starts run in two halves, before and after, so drifting load weighs on both alike.
 */
export async function benchLaunch(ctx: BenchContext): Promise<BenchRow[]> {
  const { app, bare } = ctx;
  const { launchCustomers: size, launchBudgetMs: budgetMs, launchBareStarts: bareCount } = ctx.sizes;
  await app.publish(launchJourney(journeyId));
  const ids = await seedCustomers(app.db, { prefix: 'ln', count: size, tags: ['launch'] });

  const bareStarts = async (from: number, count: number): Promise<number> => {
    const t0 = performance.now();
    await inLanes(count, lanes, async (i) => {
      await app.temporal.workflow.start('emptyWorkflow', { taskQueue: bare.taskQueue, workflowId: `bench-bare-empty/${from + i}`, args: [] });
    });
    return performance.now() - t0;
  };
  const half = bareCount / 2;
  const bareMs = await bareStarts(0, half);
  await waitUntilClosed(app.temporal, Array.from({ length: half }, (_, i) => `bench-bare-empty/${i}`));
  note('launch: bare starts (first half) done; launching the campaign');
  const launch = await runCampaign(app, journeyId, { tags: ['launch'] }, budgetMs);
  note(`launch: ${launch.progress.started} started in ${launch.workflowMs} ms${launch.cancelled ? ' (cancelled at the budget)' : ''}`);
  const bareMsAfter = await bareStarts(half, bareCount - half);
  const lastEmpty = app.temporal.workflow.getHandle(`bench-bare-empty/${bareCount - 1}`);
  await waitUntilSettled(app.temporal, [lastEmpty.workflowId], 10 * 60_000);
  await lastEmpty.result();
  ctx.bareHistory['emptyWorkflow'] = (await lastEmpty.describe()).historyLength;

  const { started, failed } = launch.progress;
  if (failed > 0) throw new Error(`the campaign failed to start ${failed} runs`);
  const journeyRate = perSecond(started, launch.workflowMs);
  const bareRate = perSecond(bareCount, bareMs + bareMsAfter);
  const waiting = await waitUntilWaiting(app, journeyId, 'wait', started, ctx.sizes.settleMs);
  ctx.liveCustomers.push(...ids.slice(0, started));
  const last = ctx.memory.at(-1);
  await snapshotMemory(ctx, `+ ${waiting} waiting on a timer`, (last?.waiting ?? 0) + waiting, last?.bareWaiting ?? 0);
  const measured = launch.cancelled ? `first ${round(launch.workflowMs / 1000, 0)} s (${started.toLocaleString('en')} started, then cancelled)` : 'whole launch';
  return [
    {
      case: `campaign launch: runs started/s, ${size.toLocaleString('en')}-customer campaign, ${measured} (baseline: ${bareCount.toLocaleString('en')} bare starts, ${lanes} in flight)`,
      value: round(journeyRate),
      unit: 'runs/s',
      baseline: round(bareRate),
      goal: '≥ 0.8 × baseline',
      ok: journeyRate >= 0.8 * bareRate,
    },
  ];
}
