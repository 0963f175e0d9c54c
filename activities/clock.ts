import { Context } from '@temporalio/activity';

/**
 * The activities' "now", in epoch ms. Temporal's time-skipping test server moves the server
 * clock (and so the attempt's scheduled time) ahead of the wall clock; in production the
 * scheduled time lies slightly in the past. The later of the two is right in both: caps,
 * quiet hours and ledger timestamps agree with the workflow's timeline.
 */
export function activityNow(): number {
  let scheduled = 0;
  try {
    scheduled = Context.current().info.currentAttemptScheduledTimestampMs;
  } catch {
    // Called outside an activity (unit tests, scripts): the wall clock alone.
  }
  return Math.max(Date.now(), scheduled);
}
