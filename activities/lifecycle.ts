import type { LifecycleReport } from '../store/lifecycle.ts';

/**
 * The daily lifecycle run (Temporal Schedule → `lifecycleDailyWorkflow`): the base model from
 * the profiles and everyone re-scored at the run's time (no event reading), so customers
 * who became at risk, dormant or churned by the passage of time alone change and record their
 * events, once per customer and day. The change events take the event pipeline's route stage
 * (`runtime/pipeline.ts`): a `stage_changed` wakes the runs waiting for it or whose goal it is,
 * a `segment_entered` starts the journeys its segment triggers. The composition root injects
 * the runner; a retried activity records nothing new and starts nobody twice.
 */

export type DailyLifecycleResult = LifecycleReport & { started: number; signalled: number };

/** Runs the daily lifecycle at a time and routes its changes. */
export type LifecycleRunner = (at: Date) => Promise<DailyLifecycleResult>;

/** The lifecycle activities, bound to the runner the composition root wires. */
export function createLifecycleActivities(runner: () => LifecycleRunner) {
  return {
    /** The daily run at `at` (the workflow's time, epoch ms). */
    runDailyLifecycle: async (at: number): Promise<DailyLifecycleResult> => runner()(new Date(at)),
  };
}
