import type { ActionCommand, ActionKind, JourneySettings, RunProgress } from '../journey/index.ts';

/**
 * What the journey workflow passes to an action activity: the interpreter's command as is,
 * plus the journey settings that apply at send time (quiet hours, send days, frequency caps and
 * the journey's priority among the journeys sharing them).
 */
export interface ActionRequest<K extends ActionKind = ActionKind> {
  action: Extract<ActionCommand, { kind: K }>;
  journeyId: string;
  journeyName: string;
  version: number;
  customerId: string;
  settings: Pick<JourneySettings, 'timezone' | 'quietHours' | 'sendDays' | 'frequencyCaps' | 'priority'>;
  /**
   * The run's progress record as it will be if the action ends `ok` with no variables, when
   * that is a wait or the end: the activity writes it after such an outcome, so the run records
   * no progress of its own for the step (workflows/ARCHITECTURE.md, "Progress written by the
   * action", says why no `patched()` is needed).
   */
  progress?: RunProgress;
}

/**
 * How an action ended when it did not fail: `ok` (with variables such as the coupon code for
 * later messages) or `deferred` until a frequency cap or quiet hours allow the send. Permanent
 * failures are thrown as non-retryable `ApplicationFailure`s (see errors.ts). `recorded`: the
 * activity wrote the request's `progress` record.
 */
export type ActionOutcome =
  | { outcome: 'ok'; variables?: Record<string, string>; duplicate?: boolean; recorded?: boolean }
  | { outcome: 'deferred'; until: number };

export type { JourneyStarter, StartRequest, StartResult } from '../runtime/runtime.ts';
