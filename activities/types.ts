import type { ActionCommand, ActionKind, JourneySettings } from '../journey/index.ts';
import type { PublishedJourney } from '../store/journeys.ts';
import type { CustomerProfile } from '../journey/index.ts';

/**
 * What the journey workflow passes to an action activity: the interpreter's command as is,
 * plus the journey settings that apply at send time (quiet hours, frequency caps).
 */
export interface ActionRequest<K extends ActionKind = ActionKind> {
  action: Extract<ActionCommand, { kind: K }>;
  journeyId: string;
  journeyName: string;
  version: number;
  customerId: string;
  settings: Pick<JourneySettings, 'timezone' | 'quietHours' | 'frequencyCaps'>;
}

/**
 * How an action ended when it did not fail: `ok` (with variables such as the coupon code for
 * later messages) or `deferred` until a frequency cap or quiet hours allow the send. Permanent
 * failures are thrown as non-retryable `ApplicationFailure`s (see errors.ts).
 */
export type ActionOutcome =
  | { outcome: 'ok'; variables?: Record<string, string>; duplicate?: boolean }
  | { outcome: 'deferred'; until: number };

/** What starting a run did: a new run, or none (already in the journey, re-entry not allowed). */
export type StartResult = 'started' | 'skipped';

/**
 * Starts journey runs for campaigns and the date sweep. Implemented on the Temporal client by
 * runtime/temporal.ts (workflow ids, re-entry policy) and injected by the worker, so
 * activities never import workflow code.
 */
export interface JourneyStarter {
  start(input: StartRequest): Promise<StartResult>;
  /** Starts many customers on one journey; re-entry is checked with one query for all. */
  startMany(requests: readonly StartRequest[]): Promise<Array<StartResult | { error: unknown }>>;
}

/** One run to start. */
export interface StartRequest {
  journey: PublishedJourney;
  customerId: string;
  /** The profile as read now (saves the run a lookup at entry). */
  customer?: CustomerProfile;
  /** Yearly date triggers: the year in the workflow id. */
  year?: number;
  /** Date triggers: when the run enters the journey. */
  startAt?: number;
  campaignId?: string;
}
