// History events and Temporal Cloud billable actions of workflow runs, counted from their
// histories. The counting rule (https://docs.temporal.io/cloud/actions), per history event:
//   workflow started (client start, signal-with-start, continue-as-new)   1
//   signal received                                                       1
//   activity scheduled                                                    1, and 1 per retry (attempt > 1)
//   timer started                                                         1
//   local activities: the markers one workflow task records               1 (however many)
//   child workflow started, search attributes upserted                    1
// Not counted: workflow tasks, completions, `patched()` markers, and what no history shows —
// queries (none are made here) and activity heartbeats (the send activities heartbeat every
// 3 s only while a send holds its lease: none for a send that takes less).
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

/** History events and billable actions, per run (an average when several runs were read). */
export interface HistoryCost {
  events: number;
  actions: number;
}

const localActivityMarker = 'core_local_activity';

/** The events and billable actions of one history, by the rule above. */
export function costOf(history: temporal.api.history.v1.IHistory): HistoryCost {
  const events = history.events ?? [];
  let actions = 0;
  let task = 0;
  let lastBilledTask = -1;
  for (const event of events) {
    if (event.workflowTaskCompletedEventAttributes) task += 1;
    if (event.workflowExecutionStartedEventAttributes) actions += 1;
    if (event.workflowExecutionSignaledEventAttributes) actions += 1;
    if (event.activityTaskScheduledEventAttributes) actions += 1;
    const attempt = event.activityTaskStartedEventAttributes?.attempt ?? 1;
    if (attempt > 1) actions += 1;
    if (event.timerStartedEventAttributes) actions += 1;
    if (event.startChildWorkflowExecutionInitiatedEventAttributes || event.upsertWorkflowSearchAttributesEventAttributes) actions += 1;
    if (event.markerRecordedEventAttributes?.markerName === localActivityMarker && lastBilledTask !== task) {
      actions += 1;
      lastBilledTask = task;
    }
  }
  return { events: events.length, actions };
}

/** Workflow tasks that recorded no command: a completed task followed by another task or by nothing. */
export function idleTasksOf(history: temporal.api.history.v1.IHistory): number {
  const events = history.events ?? [];
  const recordsNothing = (next: temporal.api.history.v1.IHistoryEvent | undefined) =>
    next === undefined ||
    Boolean(next.workflowTaskScheduledEventAttributes ?? next.activityTaskStartedEventAttributes ?? next.activityTaskCompletedEventAttributes ?? next.timerFiredEventAttributes ?? next.workflowExecutionSignaledEventAttributes);
  return events.filter((e, i) => e.workflowTaskCompletedEventAttributes && recordsNothing(events[i + 1])).length;
}

/** The average cost per run of `workflowIds` (their latest executions). */
export async function historyCost(client: Client, workflowIds: readonly string[]): Promise<HistoryCost> {
  if (workflowIds.length === 0) return { events: 0, actions: 0 };
  const costs = await Promise.all(workflowIds.map(async (id) => costOf(await client.workflow.getHandle(id).fetchHistory())));
  const sum = costs.reduce((a, c) => ({ events: a.events + c.events, actions: a.actions + c.actions }), { events: 0, actions: 0 });
  return { events: sum.events / costs.length, actions: sum.actions / costs.length };
}
