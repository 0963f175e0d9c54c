import type { ActionCommand, ActionKind, JourneySettings } from '../journey/index.ts';

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
}

/**
 * How an action ended when it did not fail: `ok` (with variables such as the coupon code for
 * later messages) or `deferred` until a frequency cap or quiet hours allow the send. Permanent
 * failures are thrown as non-retryable `ApplicationFailure`s (see errors.ts).
 */
export type ActionOutcome =
  | { outcome: 'ok'; variables?: Record<string, string>; duplicate?: boolean }
  | { outcome: 'deferred'; until: number };

export type { JourneyStarter, StartRequest, StartResult } from '../runtime/runtime.ts';
