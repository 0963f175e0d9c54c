import { eventMatches, evaluateCondition } from '../condition.ts';
import type { CustomerEvent } from '../event.ts';
import type { JourneyDefinition } from '../definition.ts';
import { own } from '../ids.ts';
import { limits } from '../limits.ts';
import { enterNode, resumeNode } from '../nodes/registry.ts';
import type { Effects, NodeOutcome, ResumeInput, RunContext } from '../nodes/spec.ts';
import { DAY } from '../time.ts';
import type { Command, CompleteReason, HistoryEntry, JourneyState, StepInput, StepResult } from './types.ts';

/** A mutable working copy of the state for the duration of one `step()` call. */
interface Run {
  definition: JourneyDefinition;
  state: JourneyState;
  now: number;
  trace: HistoryEntry[];
}

function record(run: Run, nodeId: string, outcome: string): void {
  const kind = own(run.definition.nodes, nodeId)?.kind ?? 'unknown';
  run.trace.push({ at: run.now, nodeId, kind, outcome });
}

function finish(run: Run): StepResult {
  const { state, trace } = run;
  const history = trace.length === 0 ? state.history : state.history.concat(trace).slice(-limits.history);
  const next = { ...state, history };
  return { state: next, commands: [next.pending], trace };
}

function complete(run: Run, reason: CompleteReason, nodeId?: string): StepResult {
  if (nodeId !== undefined) record(run, nodeId, reason);
  run.state.status = 'completed';
  run.state.completion = { reason, at: run.now, ...(nodeId === undefined ? {} : { nodeId }) };
  run.state.pending = { type: 'complete', reason, ...(nodeId === undefined ? {} : { nodeId }) };
  return finish(run);
}

function applyEffects(run: Run, nodeId: string, effects: Effects | undefined): void {
  if (!effects) return;
  if (effects.variables) run.state.variables = { ...run.state.variables, ...effects.variables };
  if (effects.customer) run.state.customer = effects.customer;
  if (effects.arm !== undefined) run.state.arms = { ...run.state.arms, [nodeId]: effects.arm };
}

function blockedOutcome(command: Command): string {
  switch (command.type) {
    case 'wait':
      return command.reason === 'quietHours' || command.reason === 'deferred' ? command.reason : 'waiting';
    case 'waitForEvent':
      return 'waiting';
    case 'action':
      return 'acting';
    case 'complete':
      return command.reason;
  }
}

function context(run: Run, nodeId: string): RunContext {
  const current = run.state.current;
  const sameNode = current?.nodeId === nodeId;
  return {
    nodeId,
    now: run.now,
    visit: sameNode ? current.visit : 0,
    deferrals: sameNode ? current.deferrals : 0,
    state: run.state,
    definition: run.definition,
  };
}

/**
 * Applies a step's outcome and keeps going through instant steps (triggers, branches, splits,
 * sends that return at once) until the run blocks or ends. Bounded by `limits`.
 */
function settle(run: Run, nodeId: string, first: NodeOutcome): StepResult {
  let at = nodeId;
  let outcome = first;
  for (let steps = 0; steps < limits.stepsPerInput; steps++) {
    switch (outcome.type) {
      case 'ignore':
        return finish(run);
      case 'complete':
        applyEffects(run, at, outcome.effects);
        return complete(run, outcome.reason, at);
      case 'block':
        applyEffects(run, at, outcome.effects);
        record(run, at, blockedOutcome(outcome.command));
        run.state.pending = outcome.command;
        if (run.state.current && outcome.deferrals !== undefined) run.state.current = { ...run.state.current, deferrals: outcome.deferrals };
        return finish(run);
      case 'follow': {
        applyEffects(run, at, outcome.effects);
        record(run, at, outcome.recordAs ?? outcome.exit);
        const target = own(own(run.definition.wiring, at), outcome.exit);
        // Only optional exits (an action's `failed`) may be unconnected in a compiled journey.
        if (target === undefined) return complete(run, outcome.exit === 'failed' ? 'failed' : 'exit', at);
        const arrived = arrive(run, at, target);
        if ('done' in arrived) return arrived.done;
        at = target;
        outcome = arrived.outcome;
        break;
      }
    }
  }
  return complete(run, 'loopLimit', at);
}

/** Puts the run on `target` as its next visit there and enters it (or ends the run when it cannot). */
function arrive(run: Run, from: string, target: string): { outcome: NodeOutcome } | { done: StepResult } {
  const node = own(run.definition.nodes, target);
  if (!node) return { done: complete(run, 'failed', from) };
  const visit = (own(run.state.visits, target) ?? 0) + 1;
  run.state.visits = { ...run.state.visits, [target]: visit };
  run.state.current = { nodeId: target, visit, deferrals: 0 };
  record(run, target, 'entered');
  if (visit > limits.visitsPerNode) return { done: complete(run, 'loopLimit', target) };
  return { outcome: enterNode(node, context(run, target)) };
}

/**
 * Moves a running run to step `nodeId` of `definition` (another version of its journey: a
 * migration) and runs it from there until it blocks, as if it had just arrived: the step counts
 * as the next visit, so effect keys (`runId:nodeId:visit`) never repeat one used before.
 * `note` is recorded first (e.g. where the run was moved from). State, variables and visits are kept.
 */
export function enterStep(definition: JourneyDefinition, state: JourneyState, nodeId: string, now: number, note?: HistoryEntry): StepResult {
  const run: Run = { definition, state: { ...state }, now, trace: note ? [note] : [] };
  const arrived = arrive(run, nodeId, nodeId);
  return 'done' in arrived ? arrived.done : settle(run, nodeId, arrived.outcome);
}

function trackEvent(run: Run, event: CustomerEvent): void {
  if (!run.definition.trackedEvents.includes(event.type)) return;
  const parsed = Date.parse(event.at);
  const at = Number.isNaN(parsed) ? run.now : parsed;
  const times = [...(own(run.state.eventTimes, event.type) ?? []), at].slice(-limits.eventTimesPerType);
  run.state.eventTimes = { ...run.state.eventTimes, [event.type]: times };
}

function start(definition: JourneyDefinition, input: Extract<StepInput, { type: 'start' }>, now: number): StepResult {
  const state: JourneyState = {
    schemaVersion: 1,
    runId: input.runId,
    journeyId: input.journeyId,
    customer: input.customer,
    enteredAt: now,
    status: 'running',
    current: null,
    pending: { type: 'complete', reason: 'exit' },
    visits: {},
    variables: {},
    arms: {},
    eventTimes: {},
    history: [],
  };
  const run: Run = { definition, state, now, trace: [] };
  const entry = definition.entryNodeId;
  state.visits = { [entry]: 1 };
  state.current = { nodeId: entry, visit: 1, deferrals: 0 };
  record(run, entry, 'entered');
  if (input.event) trackEvent(run, input.event);
  const filter = definition.settings.audienceFilter;
  if (filter && !evaluateCondition(filter, { customer: input.customer, now, eventTimes: state.eventTimes })) {
    return complete(run, 'notEligible', entry);
  }
  const node = own(definition.nodes, entry);
  return node ? settle(run, entry, enterNode(node, context(run, entry))) : complete(run, 'failed', entry);
}

function resume(run: Run, input: ResumeInput): StepResult {
  const nodeId = run.state.current?.nodeId;
  const node = nodeId === undefined ? undefined : own(run.definition.nodes, nodeId);
  if (nodeId === undefined || !node) return finish(run);
  return settle(run, nodeId, resumeNode(node, context(run, nodeId), input));
}

function goalReached(run: Run, event: CustomerEvent): boolean {
  const goal = run.definition.settings.goal;
  return goal !== undefined && run.now <= run.state.enteredAt + goal.windowDays * DAY && eventMatches(goal.eventType, goal.filter, event);
}

/**
 * Advances one customer's run by one input, purely: no clock (`now` is given), no I/O.
 * Returns the new state and the commands for the workflow; the last command is the one to
 * block on (`wait`, `waitForEvent`, `action`) or `complete`. An input that does not apply
 * (a stale timer, an unrelated event) returns the pending command unchanged, so the workflow
 * simply keeps waiting on it.
 *
 * @example
 * let { state, commands } = step(definition, null, { type: 'start', runId, journeyId, customer }, now);
 * // commands.at(-1) → { type: 'action', kind: 'email', idempotencyKey: `${runId}:welcome-email:1`, ... }
 */
export function step(definition: JourneyDefinition, state: JourneyState | null, input: StepInput, now: number): StepResult {
  if (input.type === 'start') {
    return state ? { state, commands: [state.pending], trace: [] } : start(definition, input, now);
  }
  if (!state) throw new Error(`A run must begin with a "start" input, not "${input.type}".`);
  if (state.status === 'completed') return { state, commands: [state.pending], trace: [] };
  const run: Run = { definition, state: { ...state }, now, trace: [] };
  const pending = state.pending;
  switch (input.type) {
    case 'cancel':
      return complete(run, 'cancelled', state.current?.nodeId);
    case 'eventReceived':
      if (input.customer) run.state.customer = input.customer;
      trackEvent(run, input.event);
      if (goalReached(run, input.event)) return complete(run, 'goal', state.current?.nodeId);
      return pending.type === 'waitForEvent' ? resume(run, input) : finish(run);
    case 'timerFired':
      if (input.customer) run.state.customer = input.customer;
      return (pending.type === 'wait' || pending.type === 'waitForEvent') && pending.nodeId === input.nodeId ? resume(run, input) : finish(run);
    case 'actionResult':
      return pending.type === 'action' && pending.nodeId === input.nodeId ? resume(run, input) : finish(run);
  }
}
