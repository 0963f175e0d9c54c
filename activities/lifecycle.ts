import type { Db } from 'mongodb';
import { entryJourneysFor } from '../store/journeys.ts';
import { recomputeLifecycle } from '../store/lifecycle.ts';
import type { LifecycleChange, LifecycleReport } from '../store/lifecycle.ts';
import type { JourneyStarter } from './types.ts';

/**
 * The daily lifecycle run (Temporal Schedule → `lifecycleDailyWorkflow`): the full recompute,
 * which also does the daily sweep's work (everyone re-scored at the run's time, so customers
 * who became at risk, dormant or churned by the passage of time alone change and record their
 * events, once per customer and day). Each recorded `segment_entered` starts the journeys whose
 * segment trigger it fires, through the same starter as campaigns (workflow id per journey and
 * customer, re-entry policy): a retried activity records nothing new and starts nobody twice.
 */

export type DailyLifecycleResult = LifecycleReport & { started: number };

async function startEntries(db: Db, starter: JourneyStarter, changes: readonly LifecycleChange[]): Promise<number> {
  let started = 0;
  for (const { event, customer } of changes) {
    if (event.type !== 'segment_entered') continue;
    const journeys = await entryJourneysFor(db, event);
    const results = await starter.startMany(journeys.map((journey) => ({ journey, customerId: customer.id, customer })));
    started += results.filter((r) => r === 'started').length;
  }
  return started;
}

/** The lifecycle activities, bound to the database and the journey starter. */
export function createLifecycleActivities(db: Db, starter: () => JourneyStarter) {
  return {
    /** Full recompute + sweep at `at` (the workflow's time, epoch ms). */
    runDailyLifecycle: async (at: number): Promise<DailyLifecycleResult> => {
      let started = 0;
      const { base: _base, ...report } = await recomputeLifecycle(db, new Date(at), {
        emit: async (changes) => {
          started += await startEntries(db, starter(), changes);
        },
      });
      return { ...report, started };
    },
  };
}
