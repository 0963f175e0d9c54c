// Signal, query and workflow-id definitions shared by the workflows and their clients (the API
// runtime, the worker, tests). Only Temporal's definition functions and the core's types here,
// so the API can import this file without pulling in workflow code.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CustomerProfile, HistoryEntry, JourneyDefinition, JourneyState, MigrationMapping, StoredEvent } from '../journey/index.ts';

/** Workflow type names, as registered by `workflows/index.ts`. */
export const workflowTypes = {
  journey: 'journeyWorkflow',
  campaign: 'campaignLaunchWorkflow',
  dateSweep: 'dateSweepWorkflow',
  lifecycle: 'lifecycleDailyWorkflow',
  migration: 'journeyMigrationWorkflow',
  /** Started only by a wake-up signal to a run id with no workflow (workflows/run-gone.ts). */
  runGone: 'journeyRunGoneWorkflow',
} as const;

/** A stored event as routed to runs (`StoredEvent` without when it was received): the run drops an id it has seen. */
export type RoutedEvent = Omit<StoredEvent, 'receivedAt'>;

/**
 * What the event signal carries: the event only (ids, not profiles: a history cannot be erased);
 * the run reads the profile after it. `customer` was sent by earlier versions and is still fed
 * when a recorded signal has it.
 */
export interface CustomerEventSignal {
  event: RoutedEvent;
  customer?: CustomerProfile;
}

/** Customer events for the run: wait-for-event steps and the goal read them. */
export const customerEventSignal = defineSignal<[CustomerEventSignal]>('customerEvent');

/** Why a run is stopped from outside. */
export type ExitRequestReason = 'removed' | 'erased' | 'journeyArchived';

/** Takes the customer out of the journey (the run completes as `cancelled`). */
export const exitJourneySignal = defineSignal<[{ reason: ExitRequestReason }]>('exitJourney');

/**
 * Moves a run to another version of its journey (a migration): the version's definition by value
 * and where the customers of each removed or overridden step go. Applied only while the run
 * waits; a run mid-action applies it at its next wait.
 */
export interface MigrateSignal {
  migrationId: string;
  version: number;
  definition: JourneyDefinition;
  mapping: MigrationMapping;
}

export const migrateSignal = defineSignal<[MigrateSignal]>('migrate');

/** Where a customer is in a journey, as the status query returns it. */
export interface JourneyRunStatus {
  workflowId: string;
  journeyId: string;
  version: number;
  customerId: string;
  /** `scheduled`: a date-triggered run waiting for the customer's local entry time. */
  status: 'scheduled' | 'running' | 'completed';
  completion?: JourneyState['completion'];
  nodeId: string | null;
  /** What the run waits on right now. */
  waiting:
    | { kind: 'timer'; until: number; reason: string }
    | { kind: 'event'; eventType: string; until: number }
    | { kind: 'action'; action: string }
    | { kind: 'entry'; until: number }
    | null;
  /** The journey goal's event, which exits the customer from any step. */
  goalEvent?: string;
  variables: Record<string, string>;
  history: HistoryEntry[];
  enteredAt: number | null;
  /** History events of this workflow execution so far (continue-as-new resets it). */
  historyLength: number;
}

/** Where the customer is in the journey: step, what it waits for, variables, steps taken. */
export const journeyStatusQuery = defineQuery<JourneyRunStatus>('journeyStatus');

/** What a journey run is started with. The definition travels by value: runs keep their version. */
export interface JourneyWorkflowInput {
  journeyId: string;
  version: number;
  definition: JourneyDefinition;
  customerId: string;
  /**
   * No longer sent: the run loads the profile by id (without address, number or name,
   * `journeyView`). Runs started by earlier versions carry it.
   */
  customer?: CustomerProfile;
  /** The event that started the run (event triggers; also delivered as a signal by signal-with-start). */
  event?: RoutedEvent;
  /** Date triggers: the run enters the journey at this instant (the customer's local time). */
  startAt?: number;
  /** The campaign that started the run, if any. */
  campaignId?: string;
  /** Continue-as-new after this many history events even if Temporal does not suggest it yet. */
  historyLimit?: number;
  /**
   * Set when a campaign ran the journey's first steps for a page of customers in one activity
   * (`activities/campaign-prefix.ts`) and starts the run at the wait that ended them, the state
   * in `carried`: the entry's key (every effect's key begins with it; fixed before the run
   * existed, from the workflow id and the campaign) and when the batch ran. The batch recorded
   * the run's progress at that wait and delivers the customer's events from `at` until the start.
   */
  prefix?: { runKey: string; at: number };
  /** Set by continue-as-new (and by a campaign's batched first steps): the interpreter state and undelivered events. */
  carried?: { state: JourneyState; inbox: CustomerEventSignal[]; seenEventIds: string[] };
}

/** How a journey run ended. */
export interface JourneyWorkflowResult {
  reason: NonNullable<JourneyState['completion']>['reason'];
  nodeId?: string;
  variables: Record<string, string>;
}

/** Progress of a campaign launch. */
export interface CampaignLaunchProgress {
  campaignId: string;
  status: 'scheduled' | 'counting' | 'running' | 'paused' | 'cancelled' | 'completed';
  /** Audience size when the launch began. */
  total: number;
  started: number;
  /** Already in the journey, or re-entry not allowed. */
  skipped: number;
  failed: number;
  /** Sent their first touch in a first pass, their runs not started yet (launches in two passes). */
  starting?: number;
  done: boolean;
}

export const campaignProgressQuery = defineQuery<CampaignLaunchProgress>('campaignProgress');
export const pauseCampaignSignal = defineSignal('pauseCampaign');
export const resumeCampaignSignal = defineSignal('resumeCampaign');
export const cancelCampaignSignal = defineSignal('cancelCampaign');

/** A campaign launch: which journey version, which audience, how fast. */
export interface CampaignLaunchInput {
  campaignId: string;
  journeyId: string;
  version: number;
  /** The audience filter (see store/customers.ts `AudienceFilter`), kept as plain JSON. */
  audience: Record<string, unknown>;
  ratePerSecond: number;
  /** Customers per start batch; at most `ratePerSecond` (default 100). */
  batchSize?: number;
  /** A scheduled campaign: when to begin (ISO date); the launch waits on a timer until then. */
  startAt?: string;
  /**
   * How many customers a launch may have emailed whose runs have not started yet, while pages
   * remain to be sent (see `workflows/campaign.ts`); default a minute of sending at the launch's
   * rate, at most 10,000. The API's launches set one page (runtime/temporal.ts `launchCampaign`).
   */
  holdStartsUpTo?: number;
  /** Set by continue-as-new. */
  carried?: { cursor: string | null; progress: CampaignLaunchProgress; paused: boolean; asOf: number };
}

/** The daily date-trigger sweep. Without `journeyIds`, every live date-triggered journey. */
export interface DateSweepInput {
  journeyIds?: string[];
  /** How far ahead of the sweep a run may be scheduled (default 25 hours). */
  horizonHours?: number;
  /** How far back a missed entry time is still honoured (default 2 hours). */
  graceHours?: number;
}

export interface DateSweepResult {
  scheduled: number;
  skipped: number;
  failed: number;
}

/**
 * The workflow id of a customer's run of a journey; yearly date triggers add the year, so a
 * customer enters once per year.
 *
 * @example journeyWorkflowId('win-back', 'c-42') // 'journey/win-back/c-42'
 * @example journeyWorkflowId('birthday-care', 'c-42', 2026) // 'journey/birthday-care/c-42/2026'
 */
export function journeyWorkflowId(journeyId: string, customerId: string, year?: number): string {
  return year === undefined ? `journey/${journeyId}/${customerId}` : `journey/${journeyId}/${customerId}/${year}`;
}

/**
 * The entry key of a run a campaign starts (the prefix of its effects' keys): fixed before the
 * run exists, so the campaign's batched first steps and the run use one key space. A campaign
 * enters a customer once, so it is unique per entry like a run id's.
 *
 * @example campaignRunKey('journey/win-back/c-42', 'cmp_3f1c…') // 'journey/win-back/c-42#cmp_3f1c…'
 */
export function campaignRunKey(workflowId: string, campaignId: string): string {
  return `${workflowId}#${campaignId}`;
}

/** Moving the waiting customers of a journey's older versions to `version`. */
export interface MigrationInput {
  migrationId: string;
  journeyId: string;
  version: number;
  definition: JourneyDefinition;
  mapping: MigrationMapping;
  /** Runs per page (default 100). */
  pageSize?: number;
  /** Set by continue-as-new. */
  carried?: { cursor: string | null; progress: MigrationSignalling };
}

/** What the migration workflow itself counts: runs it signalled, and runs it could not reach. */
export interface MigrationSignalling {
  signalled: number;
  /** Gone before the signal reached them (ended meanwhile). */
  ended: number;
  /** The signal failed for another reason. */
  failed: number;
  done: boolean;
}

export const migrationProgressQuery = defineQuery<MigrationSignalling>('migrationProgress');

/** The workflow id of a migration. */
export function migrationWorkflowId(migrationId: string): string {
  return `migration/${migrationId}`;
}

/** The workflow id of a campaign launch. */
export function campaignWorkflowId(campaignId: string): string {
  return `campaign/${campaignId}`;
}

/** The id of the Temporal Schedule that runs the daily date-trigger sweep. */
export const dateSweepScheduleId = 'waymark/date-sweep';

/** The id of the Temporal Schedule that runs the daily lifecycle recompute and sweep. */
export const lifecycleScheduleId = 'waymark/lifecycle-daily';
