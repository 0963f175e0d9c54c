/**
 * Test-only fault hooks for the fault suite (`test/faults.test.ts`); inert unless the variable
 * is set, and nothing in production sets it.
 *
 * `WAYMARK_FAULT_KILL_AFTER=email:3,sms:1` kills this worker process with SIGKILL right after the
 * provider accepted the 3rd email (1st SMS…) of this process and before the ledger records it:
 * the worst moment of the send window. Points: `email`, `sms` (after the provider's answer and the
 * local journal's note), `webhook` (after the receiver's 2xx), `coupon` and `task` (after the
 * insert), `campaignBatch` (after a page started its runs, before it settled their claims),
 * `campaignPrefix` (after a page's first pass sent its first touch, before it settled its claims).
 *
 * `WAYMARK_FAULT_FAIL_AFTER=campaignBatch:1` throws a retryable error instead of killing.
 */
export type FaultPoint = 'email' | 'sms' | 'webhook' | 'coupon' | 'task' | 'campaignBatch' | 'campaignPrefix';

const seen = new Map<FaultPoint, number>();

function threshold(variable: string, point: FaultPoint): number | undefined {
  const spec = process.env[variable];
  if (spec === undefined || spec === '') return undefined;
  for (const part of spec.split(',')) {
    const [name, count] = part.split(':');
    if (name === point) return Number(count ?? '1');
  }
  return undefined;
}

/** Counts a pass through `point` and acts when a fault is configured for this pass. */
export function faultPoint(point: FaultPoint): void {
  const kill = threshold('WAYMARK_FAULT_KILL_AFTER', point);
  const fail = threshold('WAYMARK_FAULT_FAIL_AFTER', point);
  if (kill === undefined && fail === undefined) return;
  const n = (seen.get(point) ?? 0) + 1;
  seen.set(point, n);
  if (n === kill) process.kill(process.pid, 'SIGKILL');
  if (n === fail) throw new Error(`fault injected at ${point} (pass ${n})`);
}
