// Where a run is, as it is reported to the run record (`journeyRuns`): built from the
// interpreter state by the journey workflow (at every wait and at the end) and by a campaign's
// batched first touch (the prefix up to the first wait, run in an activity). One builder for
// both, so a run started at its wait by a campaign reports exactly what it would have reported
// itself.
import type { Command, HistoryEntry, JourneyState } from './interpreter/types.ts';
import type { RunRecord } from './run.ts';

/** What a run waits on (the status query and the progress record). */
export type RunWaiting =
  | { kind: 'timer'; until: number; reason: string }
  | { kind: 'event'; eventType: string; until: number }
  | { kind: 'action'; action: string }
  | { kind: 'entry'; until: number }
  | null;

/**
 * Where a run is, as it reports it: the fields of the run record it knows (`RunRecord`), plus
 * what the record is computed from (what it waits on, its goal and counted events, entry and
 * completion).
 */
export type RunProgress = Pick<RunRecord, 'runKey' | 'workflowId' | 'journeyId' | 'version' | 'customerId' | 'nodeId' | 'variables' | 'visited' | 'history'> & {
  /** The entry's first record (replaces what an earlier entry left). */
  first: boolean;
  campaignId?: string;
  waiting: RunWaiting;
  goalEvent?: string | undefined;
  /** Event types the run's conditions count (the definition's `trackedEvents`). */
  trackedEvents?: string[] | undefined;
  enteredAt: number;
  /** When the run reached its current step (workflow time). */
  since: number;
  completion?: JourneyState['completion'];
};

/** What the pending command waits on. */
export function waitingOn(pending: Command): RunWaiting {
  switch (pending.type) {
    case 'wait':
      return { kind: 'timer', until: pending.until, reason: pending.reason };
    case 'waitForEvent':
      return { kind: 'event', eventType: pending.eventType, until: pending.until };
    case 'action':
      return { kind: 'action', action: pending.kind };
    case 'complete':
      return null;
  }
}

/** Step ids a `step()` trace passed through (entered), for per-step statistics. */
export function traceNodes(trace: readonly HistoryEntry[]): string[] {
  return trace.filter((entry) => entry.outcome === 'entered').map((entry) => entry.nodeId);
}

/** The progress record of a run in `state`. `now` stands in when the current step has no entry. */
export function runProgress(
  run: {
    runKey: string;
    first: boolean;
    workflowId: string;
    journeyId: string;
    version: number;
    customerId: string;
    campaignId?: string | undefined;
    goalEvent?: string | undefined;
    trackedEvents: readonly string[];
  },
  state: JourneyState,
  visited: readonly string[],
  now: number,
): RunProgress {
  const nodeId = state.status === 'running' ? (state.current?.nodeId ?? null) : null;
  const entered = state.history.findLast((entry) => entry.nodeId === nodeId && entry.outcome === 'entered');
  return {
    runKey: run.runKey,
    first: run.first,
    workflowId: run.workflowId,
    journeyId: run.journeyId,
    version: run.version,
    customerId: run.customerId,
    ...(run.campaignId ? { campaignId: run.campaignId } : {}),
    nodeId,
    waiting: waitingOn(state.pending),
    goalEvent: run.goalEvent,
    ...(run.trackedEvents.length > 0 ? { trackedEvents: [...run.trackedEvents] } : {}),
    variables: state.variables,
    visited: [...visited],
    history: state.history,
    enteredAt: state.enteredAt,
    since: entered?.at ?? now,
    ...(state.completion ? { completion: state.completion } : {}),
  };
}
