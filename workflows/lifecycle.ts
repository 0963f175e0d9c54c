// The daily lifecycle run, started by a Temporal Schedule: the full recompute of RFM, value
// tiers, CLV, churn risk, stages and segments, which also sweeps customers whose stage changed
// by the passage of time alone.
import { proxyActivities } from '@temporalio/workflow';
import type { DailyLifecycleResult, JourneyActivities } from '../activities/index.ts';

const lifecycle = proxyActivities<JourneyActivities>({
  // 100,000 customers take minutes on FerretDB: generous, retried from scratch (idempotent).
  startToCloseTimeout: '2 hours',
  retry: { initialInterval: '1 minute', backoffCoefficient: 2, maximumInterval: '30 minutes', maximumAttempts: 5 },
});

/** Runs the full recompute as of the workflow's start time. */
export async function lifecycleDailyWorkflow(): Promise<DailyLifecycleResult> {
  return lifecycle.runDailyLifecycle(Date.now());
}
