// The journey workflow: one per journey and customer. A thin loop that feeds the core's
// `step()` and maps its blocking command to a durable timer, a signal wait or an activity. All
// journey logic lives in journey/; nothing here decides where a customer goes.
import { ActivityFailure, condition, continueAsNew, log, patched, proxyActivities, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { actionSpecOf, migrateRun, runProgress, step, traceNodes, waitingOn } from '../journey/index.ts';
import type { ActionCommand, JourneyDefinition, JourneyState, RunProgress, StepInput, StepResult } from '../journey/index.ts';
import type { ActionOutcome, ActionRequest, JourneyActivities } from '../activities/index.ts';
import { customerEventSignal, exitJourneySignal, journeyStatusQuery, migrateSignal } from './definitions.ts';
import type { CustomerEventSignal, JourneyRunStatus, JourneyWorkflowInput, JourneyWorkflowResult, MigrateSignal } from './definitions.ts';

// Sends retry transient provider errors with backoff for up to three days, then take the
// failure path; permanent errors are non-retryable and take it at once. They heartbeat while
// they hold their ledger lease (activities/deliver.ts), so a dead worker's attempt is retried
// after 10 s and a cancelled one stops before handing anything over.
const messages = proxyActivities<JourneyActivities>({
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: '10 seconds',
  scheduleToCloseTimeout: '3 days',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});
const effects = proxyActivities<JourneyActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 day',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});
// The profile at entry: retried until the database answers (the run cannot begin without it).
const entry = proxyLocalActivities<JourneyActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
// Progress records are reporting: retried for a while, then given up (logged) so a slow
// database never stops a journey.
const reporting = proxyLocalActivities<JourneyActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

const seenLimit = 500;
/** How long an action may take for the run to keep the state its activity recorded (computed before it ran). */
const aheadForMs = 60_000;

/** Runs from before this change fire timers without reading the profile again. */
const profileOnWakePatch = 'profile-on-wake';
/**
 * Signals carry the event only (ids, not profiles: histories must not hold an address): the run
 * reads the profile after an event. Old signals carried it and are fed as before.
 */
const profileByIdPatch = 'profile-by-id';
/** A run moved to another version (a `migrate` signal) continues under that version. */
const migratePatch = 'journey-migrate';

/** The version a run follows: the one it entered with, or the one a migration moved it to. */
interface Followed {
  version: number;
  definition: JourneyDefinition;
}

/** Runs one customer through one journey version, from entry to exit. */
export async function journeyWorkflow(input: JourneyWorkflowInput): Promise<JourneyWorkflowResult> {
  const { workflowId, firstExecutionRunId } = workflowInfo();
  // Unique per entry (re-entry reuses the workflow id), stable across continue-as-new. The run
  // id's tail is random in UUID v4 and v7 alike (v7 begins with a timestamp).
  // A campaign's batched first steps fixed the key before the run existed (`prefix`).
  const runKey = input.prefix?.runKey ?? `${workflowId}#${firstExecutionRunId.slice(-12)}`;
  const inbox: CustomerEventSignal[] = [...(input.carried?.inbox ?? [])];
  const seen = [...(input.carried?.seenEventIds ?? []), ...(input.event ? [input.event.id] : [])];
  let exitRequested = false;
  let state: JourneyState | null = input.carried?.state ?? null;
  let visited: string[] = [];
  let journey: Followed = { version: input.version, definition: input.definition };
  // The latest migration asked for; applied at the run's next wait (never mid-action).
  let migration: MigrateSignal | null = null;

  // Signal-with-start delivers the starting event twice (argument and signal): drop repeats.
  setHandler(customerEventSignal, (signal) => {
    if (seen.includes(signal.event.id)) return;
    seen.push(signal.event.id);
    if (seen.length > seenLimit) seen.splice(0, seen.length - seenLimit);
    inbox.push(signal);
  });
  setHandler(exitJourneySignal, () => {
    exitRequested = true;
  });
  setHandler(migrateSignal, (signal) => {
    migration = signal;
  });
  setHandler(journeyStatusQuery, () => describe({ ...input, ...journey }, workflowId, state));

  let fed = 0; // inputs fed in this execution: a fresh continuation waits before continuing again
  const apply = (result: StepResult) => {
    fed += 1;
    state = result.state;
    visited = visited.concat(traceNodes(result.trace));
    return result.state;
  };
  const feed = (next: StepInput) => apply(step(journey.definition, state, next, Date.now()));

  let current: JourneyState;
  if (input.carried) {
    current = input.carried.state;
  } else {
    if (input.startAt !== undefined && input.startAt > Date.now()) {
      await condition(() => exitRequested, input.startAt - Date.now());
      if (exitRequested) return { reason: 'cancelled', variables: {} };
      // Events from before the entry time are not part of this run.
      inbox.length = 0;
    }
    // A date-triggered run reads the profile at its entry time; others may get it from the starter.
    const customer = (input.startAt === undefined ? input.customer : undefined) ?? (await entry.loadCustomer(input.customerId));
    if (customer === null) return { reason: 'notEligible', variables: {} };
    current = feed({ type: 'start', runId: runKey, journeyId: input.journeyId, customer, ...(input.event ? { event: input.event } : {}) });
  }

  // The batch that ran the first steps recorded where they ended: the run starts with its wait.
  let recorded = input.prefix && input.carried ? progressSignature(input.carried.state) : '';
  for (;;) {
    // Events first: a goal can end the run wherever it is, even before a pending send.
    while (current.status === 'running' && (exitRequested || inbox.length > 0)) {
      const signal = exitRequested ? undefined : inbox.shift();
      if (signal === undefined) {
        current = feed({ type: 'cancel' });
        continue;
      }
      const customer = signal.customer ?? (patched(profileByIdPatch) ? await entry.loadCustomer(input.customerId) : undefined);
      // Between the read and here the customer may have been erased: the exit signal follows.
      if (exitRequested) continue;
      current = feed({ type: 'eventReceived', event: signal.event, ...(customer ? { customer } : {}) });
    }
    // A run that ended meanwhile reports it (`ended`); one mid-action moves at its next wait.
    if (migration !== null && current.pending.type !== 'action' && patched(migratePatch)) {
      const signal: MigrateSignal = migration;
      migration = null;
      const moved = await migrate(input, journey, signal, current);
      if (moved !== null) {
        journey = { version: signal.version, definition: signal.definition };
        state = current = moved.state;
        visited = visited.concat(moved.visited);
        // Recorded again even when the run keeps its wait: the record now names the new version.
        recorded = 'moved';
        continue;
      }
    }
    const pending = current.pending;
    const written = await recordProgress({ ...input, ...journey }, runKey, current, visited, recorded);
    if (written !== null) {
      recorded = written;
      visited = [];
    }
    if (pending.type === 'complete') return { reason: pending.reason, ...(pending.nodeId ? { nodeId: pending.nodeId } : {}), variables: current.variables };
    if (pending.type === 'action') {
      const ahead = progressAhead({ ...input, ...journey }, runKey, current, visited, recorded);
      const done = await perform({ ...input, ...journey }, pending, ahead?.progress);
      // The activity recorded where an `ok` leads: take exactly that state, recorded. Unless the
      // action took long (retries): stepped again, a wait after it counts from its end.
      if (ahead !== null && done.recorded && Date.now() - ahead.at <= aheadForMs) {
        current = apply(ahead.result);
        recorded = progressSignature(current);
        visited = [];
      } else {
        current = feed(done.input);
      }
      continue;
    }
    const info = workflowInfo();
    if (fed > 0 && (info.continueAsNewSuggested || info.historyLength > (input.historyLimit ?? 10_000))) {
      const { event: _event, startAt: _startAt, customer: _customer, ...rest } = input;
      await continueAsNew<typeof journeyWorkflow>({ ...rest, ...journey, carried: { state: current, inbox, seenEventIds: seen } });
    }
    const remaining = pending.until - Date.now();
    const woken = remaining > 0 && (await condition(() => exitRequested || inbox.length > 0 || migration !== null, remaining));
    if (!woken) {
      // Events reach a run only when it can use them (the run registry), so the profile it holds
      // may be old by the time a timer fires: read it again before the next steps decide on it.
      const fresh = patched(profileOnWakePatch) ? await entry.loadCustomer(input.customerId) : null;
      current = feed({ type: 'timerFired', nodeId: pending.nodeId, ...(fresh === null ? {} : { customer: fresh }) });
    }
  }
}

/**
 * Applies a migration to a waiting run (journey/migrate.ts) and reports what it did to the
 * migration's record. Returns the moved state, or null when the run stays where it is.
 */
async function migrate(input: JourneyWorkflowInput, journey: Followed, signal: MigrateSignal, current: JourneyState): Promise<{ state: JourneyState; visited: string[] } | null> {
  const { workflowId } = workflowInfo();
  const result =
    signal.version <= journey.version
      ? ({ outcome: 'skipped', reason: 'alreadyOnVersion' } as const)
      : migrateRun(journey.definition, signal.definition, current, signal.mapping, Date.now());
  const report =
    result.outcome === 'moved'
      ? { outcome: 'moved' as const, from: result.from, to: result.to }
      : { outcome: 'skipped' as const, reason: result.reason, ...(current.current ? { from: current.current.nodeId } : {}) };
  try {
    await reporting.recordMigrationOutcome({ migrationId: signal.migrationId, workflowId, customerId: input.customerId, fromVersion: journey.version, ...report });
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    log.warn('migration outcome not recorded', { workflowId, migrationId: signal.migrationId, error: error.message });
  }
  return result.outcome === 'moved' ? { state: result.result.state, visited: traceNodes(result.result.trace) } : null;
}

/**
 * Where the pending action leads if it ends `ok` with no variables (the state `step()` would
 * reach now), with that state's progress record, when it is a wait or the end: the action's
 * activity writes that record. Null when the action leads to another action (nothing to record
 * yet) or its kind answers with variables (the state depends on them).
 *
 * No `patched()`: the workflow takes this state only on an outcome that says `recorded`, which
 * no earlier history holds, and replay compares an activity's type and id, not its input, so
 * recorded histories replay unchanged (workflows/replay.test.ts). A patch would cost what this
 * saves: its marker and the `TemporalChangeVersion` search-attribute upsert the SDK adds with
 * it (2 events, 1 billable action per run).
 */
function progressAhead(input: JourneyWorkflowInput, runKey: string, current: JourneyState, visited: string[], last: string): { result: StepResult; progress: RunProgress; at: number } | null {
  if (current.pending.type !== 'action' || actionSpecOf(current.pending.kind).variables) return null;
  const at = Date.now();
  const result = step(input.definition, current, { type: 'actionResult', nodeId: current.pending.nodeId, outcome: 'ok' }, at);
  if (result.state.pending.type === 'action') return null;
  return { result, progress: progressOf(input, runKey, result.state, visited.concat(traceNodes(result.trace)), last), at };
}

/**
 * Runs the activity of an action command and turns its outcome into the core's input;
 * `recorded` when it ended `ok` with no variables and wrote the `progress` it was given.
 */
async function perform(input: JourneyWorkflowInput, action: ActionCommand, progress?: RunProgress): Promise<{ input: StepInput; recorded: boolean }> {
  const { settings } = input.definition;
  const base = {
    journeyId: input.journeyId,
    journeyName: input.definition.name,
    version: input.version,
    customerId: input.customerId,
    settings: { timezone: settings.timezone, quietHours: settings.quietHours, frequencyCaps: settings.frequencyCaps, ...(settings.sendDays ? { sendDays: settings.sendDays } : {}), ...(settings.priority ? { priority: settings.priority } : {}) },
  };
  try {
    // Sent only when there is one: activity inputs of other steps stay as recorded histories have them.
    const outcome = await runAction({ ...base, ...(progress ? { progress } : {}) }, action);
    return outcome.outcome === 'ok'
      ? { input: { type: 'actionResult', nodeId: action.nodeId, outcome: 'ok', ...(outcome.variables ? { variables: outcome.variables } : {}) }, recorded: outcome.variables === undefined && outcome.recorded === true }
      : { input: { type: 'actionResult', nodeId: action.nodeId, outcome: 'deferred', until: outcome.until }, recorded: false };
  } catch (error) {
    // Permanent failures and exhausted retries take the step's failure path.
    if (!(error instanceof ActivityFailure)) throw error;
    const cause = error.cause;
    return { input: { type: 'actionResult', nodeId: action.nodeId, outcome: 'failed', error: cause?.message ?? error.message }, recorded: false };
  }
}

/**
 * Calls the activity the registry names for the action's kind, under its retry policy. The
 * activity names are those recorded in histories (sendEmail, callWebhook…), so replay is unchanged.
 */
function runAction(base: Omit<ActionRequest, 'action'>, action: ActionCommand): Promise<ActionOutcome> {
  const { activity, retry } = actionSpecOf(action.kind);
  const proxy = retry === 'message' ? messages : effects;
  // The worker registers each kind's handler under this name (activities/actions/index.ts).
  const run = proxy[activity] as (request: ActionRequest) => Promise<ActionOutcome>;
  return run({ ...base, action });
}

/** What a progress record depends on besides the steps passed: a change of it is recorded. */
function progressSignature(state: JourneyState): string {
  return JSON.stringify([state.pending, state.status]);
}

/**
 * Records where the run is (a local activity: one marker in the history) when it starts to
 * wait on a timer or an event, and when it ends, so per-step statistics are simple queries on
 * `journeyRuns`. Sends are momentary and not recorded on their own: the next record carries
 * the steps passed on the way.
 */
async function recordProgress(input: JourneyWorkflowInput, runKey: string, state: JourneyState, visited: string[], last: string): Promise<string | null> {
  const signature = progressSignature(state);
  if (state.pending.type === 'action' || (signature === last && visited.length === 0)) return null;
  const { workflowId } = workflowInfo();
  const progress = progressOf(input, runKey, state, visited, last);
  try {
    await reporting.recordRunProgress(progress);
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    log.warn('journey progress not recorded', { workflowId, nodeId: progress.nodeId, error: error.message });
  }
  return signature;
}

/** The progress record of the run in `state`, `last` being the signature of the latest one it wrote. */
function progressOf(input: JourneyWorkflowInput, runKey: string, state: JourneyState, visited: string[], last: string): RunProgress {
  return runProgress(
    {
      runKey,
      first: last === '' && input.carried === undefined,
      workflowId: workflowInfo().workflowId,
      journeyId: input.journeyId,
      version: input.version,
      customerId: input.customerId,
      campaignId: input.campaignId,
      goalEvent: input.definition.settings.goal?.eventType,
      trackedEvents: input.definition.trackedEvents,
    },
    state,
    visited,
    Date.now(),
  );
}

function describe(input: JourneyWorkflowInput, workflowId: string, state: JourneyState | null): JourneyRunStatus {
  const base = {
    workflowId,
    journeyId: input.journeyId,
    version: input.version,
    customerId: input.customerId,
    ...(input.definition.settings.goal ? { goalEvent: input.definition.settings.goal.eventType } : {}),
    historyLength: workflowInfo().historyLength,
  };
  if (state === null) {
    const waiting = input.startAt === undefined ? null : { kind: 'entry' as const, until: input.startAt };
    return { ...base, status: 'scheduled', nodeId: null, waiting, variables: {}, history: [], enteredAt: null };
  }
  return {
    ...base,
    status: state.status,
    ...(state.completion ? { completion: state.completion } : {}),
    nodeId: state.current?.nodeId ?? null,
    waiting: state.status === 'running' ? waitingOn(state.pending) : null,
    variables: state.variables,
    history: state.history,
    enteredAt: state.enteredAt,
  };
}
