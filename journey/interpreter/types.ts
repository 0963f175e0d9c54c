import { z } from 'zod';
import { PropertyFilter } from '../condition.ts';
import { JourneyCustomer } from '../customer.ts';
import { CustomerEvent, EventType } from '../event.ts';
import { ActionCommand } from '../nodes/registry.ts';

/** Why a run is paused on a timer. */
export const WaitReason = z.enum(['duration', 'timeWindow', 'dateAttribute', 'quietHours', 'deferred', 'holdout']);
export type WaitReason = z.infer<typeof WaitReason>;

/** Why a run ended. `goal` is a conversion; `loopLimit` means a safety bound stopped it. */
export const CompleteReason = z.enum(['exit', 'goal', 'failed', 'cancelled', 'holdout', 'notEligible', 'loopLimit']);
export type CompleteReason = z.infer<typeof CompleteReason>;

/** Pause until `until` (epoch ms) on a durable timer, then send `timerFired` for `nodeId`. */
export const WaitCommand = z.object({ type: z.literal('wait'), nodeId: z.string(), until: z.number(), reason: WaitReason });

/** Wait for a matching event (send `eventReceived`), or until `until` (send `timerFired`). */
export const WaitForEventCommand = z.object({
  type: z.literal('waitForEvent'),
  nodeId: z.string(),
  eventType: EventType,
  filter: z.array(PropertyFilter),
  until: z.number(),
});

// Action commands are declared by their kinds (`actionCommand` in nodes/action.ts) and gathered
// by the registry.
export { ActionCommand };
export type ActionKind = ActionCommand['kind'];

/** The run is over. */
export const CompleteCommand = z.object({ type: z.literal('complete'), reason: CompleteReason, nodeId: z.string().optional() });

/** What the workflow must do next. `step()` returns these; the last one is the single blocking one. */
export const Command = z.discriminatedUnion('type', [WaitCommand, WaitForEventCommand, ActionCommand, CompleteCommand]);
export type Command = z.infer<typeof Command>;
export type BlockingCommand = Exclude<Command, { type: 'complete' }>;

const StartInput = z.object({
  type: z.literal('start'),
  /** The workflow id; idempotency keys start with it. */
  runId: z.string().min(1),
  journeyId: z.string().min(1),
  customer: JourneyCustomer,
  /** The event that started the run, for event triggers. */
  event: CustomerEvent.optional(),
});
/** A timer fired; `customer`: the profile as read when it fired (the run's copy may be old). */
const TimerFiredInput = z.object({ type: z.literal('timerFired'), nodeId: z.string(), customer: JourneyCustomer.optional() });
const EventReceivedInput = z.object({ type: z.literal('eventReceived'), event: CustomerEvent, customer: JourneyCustomer.optional() });
const actionResultFields = { type: z.literal('actionResult'), nodeId: z.string() };
const ActionResultInput = z.discriminatedUnion('outcome', [
  z.object({ ...actionResultFields, outcome: z.literal('ok'), variables: z.record(z.string(), z.string()).optional() }),
  /** A permanent failure (invalid address, no consent): the step's `failed` exit is taken. */
  z.object({ ...actionResultFields, outcome: z.literal('failed'), error: z.string() }),
  /** Frequency cap or provider-side quiet hours: retry the same send at `until`. */
  z.object({ ...actionResultFields, outcome: z.literal('deferred'), until: z.number() }),
]);
/** Operations or the customer stopped the run (e.g. a paused campaign was cancelled). */
const CancelInput = z.object({ type: z.literal('cancel') });

/** What happened that the run should react to. */
export const StepInput = z.discriminatedUnion('type', [StartInput, TimerFiredInput, EventReceivedInput, ActionResultInput, CancelInput]);
export type StepInput = z.infer<typeof StepInput>;

/** History outcomes that mean "still on this step" rather than "left it". */
export const waitingOutcomes: ReadonlySet<string> = new Set(['entered', 'waiting', 'acting', 'quietHours', 'deferred']);

/** One line of the "where is this customer" view. */
export const HistoryEntry = z.object({
  at: z.number(),
  nodeId: z.string(),
  kind: z.string(),
  /** `entered`; `waiting`, `acting`, `quietHours` or `deferred`; the exit taken (`sent`, `else`, an arm id…); or how the run ended (`goal`, `exit`…). */
  outcome: z.string(),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

/**
 * A run's state: small JSON, carried through continue-as-new. `pending` is the command the run
 * is blocked on (or the final `complete`).
 */
export const JourneyState = z.object({
  schemaVersion: z.literal(1),
  runId: z.string(),
  journeyId: z.string(),
  customer: JourneyCustomer,
  enteredAt: z.number(),
  status: z.enum(['running', 'completed']),
  /** The step the run is on, its visit number and how often its send was deferred. */
  current: z.object({ nodeId: z.string(), visit: z.number().int(), deferrals: z.number().int() }).nullable(),
  pending: Command,
  visits: z.record(z.string(), z.number().int()),
  variables: z.record(z.string(), z.string()),
  /** Split step id → arm the customer was assigned to (`holdout` for the holdout group). */
  arms: z.record(z.string(), z.string()),
  /** Event type → recent event times, for event-count conditions. */
  eventTimes: z.record(z.string(), z.array(z.number())),
  history: z.array(HistoryEntry),
  completion: z.object({ reason: CompleteReason, at: z.number(), nodeId: z.string().optional() }).optional(),
});
export type JourneyState = z.infer<typeof JourneyState>;

/** What `step()` returns. `trace` lists the history entries this call added (for per-step metrics). */
export interface StepResult {
  state: JourneyState;
  commands: Command[];
  trace: HistoryEntry[];
}
