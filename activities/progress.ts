import type { Db } from 'mongodb';
import type { JourneyState, RunProgress } from '../journey/index.ts';
import type { RunStatus } from '../journey/run.ts';
import { erasedAmong } from '../store/erasures.ts';
import { recordFirstRuns, recordRun, registrySlot, writeRegistry } from '../store/runs.ts';
import type { RunUpdate, StartState } from '../store/runs.ts';
import { activityNow } from './clock.ts';

function runStatus(completion: JourneyState['completion']): RunStatus {
  if (completion === undefined) return 'running';
  switch (completion.reason) {
    case 'goal':
      return 'converted';
    case 'cancelled':
      return 'cancelled';
    case 'failed':
    case 'loopLimit':
      return 'failed';
    case 'exit':
    case 'holdout':
    case 'notEligible':
      return 'completed';
  }
}

/** The run registry entry of a run's progress (store/runs.ts): what the event pipeline may signal it with; null once it ended. */
function progressRow(p: RunProgress, at: string) {
  const waitingFor = [
    ...(p.waiting?.kind === 'event' ? [p.waiting.eventType] : []),
    ...(p.goalEvent !== undefined && p.completion === undefined ? [p.goalEvent] : []),
  ];
  const waitsFor = [...new Set([...waitingFor, ...(p.trackedEvents ?? [])])].sort();
  const since = new Date(p.enteredAt).toISOString();
  const entry = p.completion === undefined ? { workflowId: p.workflowId, waitsFor, since, at } : null;
  return { progress: p, waitingFor, registry: { customerId: p.customerId, slot: registrySlot(p.journeyId, p.customerId, p.workflowId), entry } };
}

/** The event types a run in this progress can use (its registry entry's `waitsFor`; none once it ended). */
export function usableEvents(progress: RunProgress): string[] {
  return progressRow(progress, '').registry.entry?.waitsFor ?? [];
}

/** Writes the runs' entries in the run registry (bulk). */
export async function registerProgress(db: Db, progress: readonly RunProgress[]): Promise<void> {
  const at = new Date(activityNow()).toISOString();
  await writeRegistry(db, progress.map((p) => progressRow(p, at).registry));
}

/**
 * Upserts runs' progress documents (with, by workflow id, the state a campaign's run starts from:
 * `startStates`; a campaign's first records count into the outcome figures unless `outcomes` is
 * false, when the second pass counts them) and (unless `registry` is false) their entries in the run
 * registry: one run's (the journey workflow's local activity, at every change of step) or a
 * campaign page's (the batched first touch, one registry write for the page). A run cancelled
 * because its customer was erased leaves no record behind (the erasure removed them).
 */
export async function recordRunProgress(
  db: Db,
  progress: RunProgress | readonly RunProgress[],
  options: { registry?: boolean; unlessRecorded?: boolean; startStates?: ReadonlyMap<string, StartState>; outcomes?: boolean } = {},
): Promise<void> {
  const all = Array.isArray(progress) ? (progress as readonly RunProgress[]) : [progress as RunProgress];
  const cancelled = all.filter((p) => p.completion?.reason === 'cancelled').map((p) => p.customerId);
  const erased = cancelled.length > 0 ? await erasedAmong(db, cancelled) : new Set<string>();
  const at = new Date(activityNow()).toISOString();
  const rows = all.filter((p) => !(p.completion?.reason === 'cancelled' && erased.has(p.customerId))).map((p) => progressRow(p, at));
  if (options.registry !== false) await writeRegistry(db, rows.map((r) => r.registry));
  const updates = rows.map(({ progress: p, waitingFor }): RunUpdate => ({
    runKey: p.runKey,
    first: p.first,
    workflowId: p.workflowId,
    journeyId: p.journeyId,
    version: p.version,
    customerId: p.customerId,
    campaignId: p.campaignId,
    status: runStatus(p.completion),
    nodeId: p.nodeId,
    waitingFor,
    waitingUntil: p.waiting !== null && 'until' in p.waiting ? new Date(p.waiting.until).toISOString() : undefined,
    variables: p.variables,
    visited: p.visited,
    history: p.history,
    reason: p.completion?.reason,
    startedAt: new Date(p.enteredAt).toISOString(),
    since: new Date(p.since).toISOString(),
    at,
    ...(options.startStates?.has(p.workflowId) ? { startState: options.startStates.get(p.workflowId) } : {}),
  }));
  if (options.unlessRecorded) {
    // A campaign page's first records: a few round trips for the whole page.
    for (const journeyId of new Set(updates.map((u) => u.journeyId))) {
      await recordFirstRuns(
        db,
        journeyId,
        updates.filter((u) => u.journeyId === journeyId),
        { outcomes: options.outcomes !== false },
      );
    }
    return;
  }
  for (const update of updates) await recordRun(db, update);
}
