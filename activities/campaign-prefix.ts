// A campaign's batched first touch. The core is pure, so the launch runs each customer of a
// page through `step()` from the start up to their first wait (or the journey's end) inside
// its batch activity, performing the actions of that prefix itself with the same activity
// functions a run calls (coupons, emails through the worker's pooled SMTP transport, SMS,
// tasks…), many customers at once. Each effect keeps its own ledger key, built from the entry
// key the campaign fixed before the run exists (`campaignRunKey`), so a retried batch finds
// its rows and acts once; the run then starts at the wait with that state and key. Quiet hours
// and frequency caps end a prefix like a wait (the core answers them with one); an action that
// fails for a passing reason (SMTP down) is left to the run, which retries it with the send's
// own policy, under the same key.
import { heartbeat } from '@temporalio/activity';
import type { Db } from 'mongodb';
import { journeyView, runProgress, step, traceNodes } from '../journey/index.ts';
import type { ActionCommand, CustomerProfile, JourneyState, RunProgress, StepInput } from '../journey/index.ts';
import type { PublishedJourney } from '../store/journeys.ts';
import { activityNow } from './clock.ts';
import { isPermanent } from './errors.ts';
import type { ActionOutcome, ActionRequest } from './types.ts';

/**
 * Performs one action as the run's activity of that kind would (activities/index.ts binds them),
 * on `db` when given (a page's batching database, store/batching.ts).
 */
export type ActionPerformer = (request: ActionRequest, db?: Db) => Promise<ActionOutcome>;

/** Where a customer's first steps ended. */
export interface Prefix {
  customerId: string;
  /** The interpreter state the run starts with: a wait, an action left to the run, or the end. */
  state: JourneyState;
  /** The run's progress at that point, as the run would record it. */
  progress: RunProgress;
  /** The journey ended within the prefix: no run starts. */
  ended: boolean;
  /** Actions performed (or found in the ledger) in the prefix, by kind. */
  actions: Partial<Record<ActionCommand['kind'], number>>;
}

/** One customer entering: who, under which workflow id and entry key. */
export interface PrefixEntry {
  customer: CustomerProfile;
  workflowId: string;
  runKey: string;
}

/** What a campaign's first record of a run says about the journey (the rest is the customer's entry). */
export function prefixMeta(journey: PublishedJourney, campaignId: string) {
  const { definition } = journey;
  return { first: true, journeyId: journey.journeyId, version: journey.version, campaignId, goalEvent: definition.settings.goal?.eventType, trackedEvents: definition.trackedEvents };
}

/**
 * Runs one customer's journey from the start until it waits, ends, or meets an action that
 * failed for a passing reason (left pending for the run).
 */
export async function runPrefix(perform: ActionPerformer, journey: PublishedJourney, campaignId: string, entry: PrefixEntry): Promise<Prefix> {
  const { definition } = journey;
  const { customer } = entry;
  let result = step(definition, null, { type: 'start', runId: entry.runKey, journeyId: journey.journeyId, customer: journeyView(customer) }, activityNow());
  let visited = traceNodes(result.trace);
  const actions: Prefix['actions'] = {};
  while (result.state.status === 'running' && result.state.pending.type === 'action') {
    const action = result.state.pending;
    const input = await performAction(perform, journey, customer.id, action);
    if (input === null) break;
    actions[action.kind] = (actions[action.kind] ?? 0) + 1;
    result = step(definition, result.state, input, activityNow());
    visited = visited.concat(traceNodes(result.trace));
  }
  const { state } = result;
  const progress = runProgress({ ...prefixMeta(journey, campaignId), runKey: entry.runKey, workflowId: entry.workflowId, customerId: customer.id }, state, visited, activityNow());
  return { customerId: customer.id, state, progress, ended: state.status === 'completed', actions };
}

/**
 * Runs the prefixes of many customers, `lanes` at a time, each followed by `then` (record it,
 * start its run) in the same lane, so one customer's database work and another's start overlap;
 * heartbeats as each finishes. An error other than an action's (the database gone) fails the
 * batch once every lane has stopped: it is retried whole, and the ledger keeps it from acting
 * twice.
 */
export async function runPrefixes<E extends PrefixEntry>(
  perform: ActionPerformer,
  journey: PublishedJourney,
  campaignId: string,
  entries: readonly E[],
  then: (prefix: Prefix, entry: E) => Promise<void>,
  lanes = 32,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const lane = async () => {
    for (let i = next++; i < entries.length && failure === null; i = next++) {
      const entry = entries[i];
      if (entry === undefined) continue;
      try {
        await then(await runPrefix(perform, journey, campaignId, entry), entry);
      } catch (error) {
        failure ??= { error };
      }
      heartbeatSafely(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, entries.length) }, lane));
  if (failure !== null) throw (failure as { error: unknown }).error;
}

/**
 * An action's outcome as the core's input, as the journey workflow makes it: permanent failures
 * take the step's failure path; null when the action failed for a passing reason (the run
 * retries it).
 */
async function performAction(perform: ActionPerformer, journey: PublishedJourney, customerId: string, action: ActionCommand): Promise<StepInput | null> {
  const { settings } = journey.definition;
  const request = {
    journeyId: journey.journeyId,
    journeyName: journey.definition.name,
    version: journey.version,
    customerId,
    settings: { timezone: settings.timezone, quietHours: settings.quietHours, frequencyCaps: settings.frequencyCaps, ...(settings.priority ? { priority: settings.priority } : {}) },
    action,
  } as ActionRequest;
  try {
    const outcome = await perform(request);
    return outcome.outcome === 'ok'
      ? { type: 'actionResult', nodeId: action.nodeId, outcome: 'ok', ...(outcome.variables ? { variables: outcome.variables } : {}) }
      : { type: 'actionResult', nodeId: action.nodeId, outcome: 'deferred', until: outcome.until };
  } catch (error) {
    if (isPermanent(error)) return { type: 'actionResult', nodeId: action.nodeId, outcome: 'failed', error: error.message };
    return null;
  }
}

function heartbeatSafely(done: number): void {
  try {
    heartbeat({ prefixes: done });
  } catch {
    // outside an activity (tests, scripts)
  }
}
