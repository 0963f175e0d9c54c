// The daily sweep of yearly date triggers (birthday care), run by a Temporal Schedule: each
// due customer gets one run per year that waits until their local entry time.
import { proxyActivities } from '@temporalio/workflow';
import type { DateSweepPageResult, JourneyActivities } from '../activities/index.ts';
import type { DateSweepInput, DateSweepResult } from './definitions.ts';

const sweep = proxyActivities<JourneyActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Sweeps every live date-triggered journey (or the given ones) as of the workflow's start. */
export async function dateSweepWorkflow(input: DateSweepInput = {}): Promise<DateSweepResult> {
  const at = Date.now();
  const journeyIds = input.journeyIds ?? (await sweep.listDateJourneys());
  const total: DateSweepResult = { scheduled: 0, skipped: 0, failed: 0 };
  for (const journeyId of journeyIds) {
    let cursor: string | null = null;
    do {
      const page: DateSweepPageResult = await sweep.sweepDateJourneyPage({
        journeyId,
        at,
        horizonHours: input.horizonHours ?? 25,
        graceHours: input.graceHours ?? 2,
        cursor,
        limit: 200,
      });
      total.scheduled += page.scheduled;
      total.skipped += page.skipped;
      total.failed += page.failed;
      cursor = page.nextCursor;
    } while (cursor !== null);
  }
  return total;
}
