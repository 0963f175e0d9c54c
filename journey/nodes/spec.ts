import { z } from 'zod';
import type { CheckContext, CompileErrorCode } from '../compile/errors.ts';
import type { CustomerProfile } from '../customer.ts';
import type { CustomerEvent } from '../event.ts';
import type { JourneyDefinition } from '../definition.ts';
import { NodeId, NodeLabel, Position } from '../ids.ts';
import type { BlockingCommand, CompleteReason, JourneyState, StepInput } from '../interpreter/types.ts';

/** Where a kind sits in the editor's palette. */
export type NodeCategory = 'trigger' | 'flow' | 'action';

/** A named exit of a step. Optional exits may stay unconnected (e.g. an action's `failed`). */
export interface ExitSpec {
  id: string;
  label: string;
  optional?: boolean;
  /** A more specific error than "not connected" when this exit is left unconnected. */
  whenUnconnected?: { code: CompileErrorCode; hint: string };
}

/** What a step sees while the interpreter runs it. */
export interface RunContext {
  readonly nodeId: string;
  readonly now: number;
  /** How many times this run has entered this step, counting this time (1 on the first). */
  readonly visit: number;
  /** How many times the current send was deferred by the provider side (frequency caps). */
  readonly deferrals: number;
  readonly state: JourneyState;
  readonly definition: JourneyDefinition;
}

/** Changes a step asks the interpreter to make to the run state. */
export interface Effects {
  variables?: Record<string, string>;
  customer?: CustomerProfile;
  /** The split arm the customer was assigned to (recorded against the split step). */
  arm?: string;
}

/** What running a step decided. */
export type NodeOutcome =
  /** `recordAs`: what the run's history says instead of the exit (a step skipped on purpose). */
  | { type: 'follow'; exit: string; effects?: Effects; recordAs?: string }
  | { type: 'block'; command: BlockingCommand; deferrals?: number; effects?: Effects }
  | { type: 'complete'; reason: CompleteReason; effects?: Effects }
  | { type: 'ignore' };

/** Inputs that reach the step the run is blocked on. */
export type ResumeInput = Extract<StepInput, { type: 'timerFired' | 'eventReceived' | 'actionResult' }>;

/**
 * How the engine runs an action kind, read by the workflow, the worker and the simulator: which
 * Temporal activity (its type name is recorded in run histories: never rename one), under which
 * retry policy, and what the forecast simulates.
 */
export interface ActionSpec<A extends string = string> {
  readonly activity: A;
  /**
   * `message`: a send to a person, retried with backoff for up to three days, heartbeating its
   * ledger lease; `effect`: a record or a call, retried for up to a day.
   */
  readonly retry: 'message' | 'effect';
  /** What the forecast does: a send on a channel it models, a coupon, a task, a profile update, or a notification it only counts. */
  readonly simulate: 'email' | 'sms' | 'coupon' | 'task' | 'update' | 'notify';
  /**
   * Its `ok` outcome carries variables (a coupon code, a task id): where the run goes next is
   * known only once they are, so its activity cannot write the run's next progress record.
   */
  readonly variables?: true;
}

/** Trigger kinds only: what routing needs to find the journeys an event lets a customer into. */
export interface TriggerSpec<C> {
  /** The event type or segment the journey list files a live journey under. */
  routes(config: C): { eventType?: string; segment?: string };
  /** Does `event` let its customer in at `now`? Kinds that events never start leave it out. */
  enters?(config: C, event: CustomerEvent, now: number): boolean;
}

/**
 * One node kind, described once: the editor's palette and forms, the compiler's checks and the
 * interpreter all read this.
 */
export interface NodeSpec<K extends string = string, C = unknown> {
  readonly kind: K;
  readonly displayName: string;
  readonly description: string;
  readonly category: NodeCategory;
  readonly configSchema: z.ZodType<C>;
  /** A fresh config for a step just dropped on the canvas. */
  defaults(): C;
  exits(config: C): ExitSpec[];
  /** A one-line summary for cards and the CLI, e.g. "Wait 7 days". */
  summary(config: C): string;
  /** True when the step always pauses for some time, so a loop through it cannot spin. */
  pauses?(config: C): boolean;
  /** Event types that conditions in this step count, so the run remembers their times. */
  countedEvents?(config: C): string[];
  check?(config: C, ctx: CheckContext): void;
  enter(config: C, ctx: RunContext): NodeOutcome;
  resume?(config: C, ctx: RunContext, input: ResumeInput): NodeOutcome;
  /** Trigger kinds only: how events find the journey. */
  readonly trigger?: TriggerSpec<C>;
  /** Action kinds only: how the engine runs the step's side effect. */
  readonly action?: ActionSpec | undefined;
}

/**
 * Declares a node kind from its config schema; adds the graph-node schema built from it.
 * Curried so the config type is fixed before the spec's object literal is checked.
 *
 * @example export const exitNode = defineNode(z.object({}))({ kind: 'exit', ... })
 */
export function defineNode<S extends z.ZodType>(configSchema: S) {
  return <const K extends string, const A extends ActionSpec | undefined = undefined>(spec: Omit<NodeSpec<K, z.output<S>>, 'configSchema' | 'action'> & { action?: A }) => {
    const node = z.object({
      id: NodeId,
      kind: z.literal(spec.kind),
      config: configSchema,
      position: Position,
      label: NodeLabel.optional(),
    });
    return { ...spec, action: spec.action as A, configSchema, node };
  };
}

/** A trigger only starts the run: its single `next` exit leads to the first real step. */
export const triggerExits: ExitSpec[] = [{ id: 'next', label: 'next' }];
