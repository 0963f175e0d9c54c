import type { CustomerProfile } from '../journey/customer.ts';
import type { HistoryEntry, JourneyState, MigrationMapping } from '../journey/index.ts';
import type { MigrateSignal, RoutedEvent } from '../workflows/definitions.ts';
import type { AudienceFilter } from '../store/customers.ts';
import type { Page, PageRequest } from '../store/documents.ts';
import type { PublishedJourney } from '../store/journeys.ts';
import type { StartState } from '../store/runs.ts';
import type { CampaignProgress, JourneyRun, NodeOccupant, NodeStats } from '../api/wire/runs.ts';

/**
 * The only way to reach running journeys (the API, the event pipeline, the worker's starters). The production implementation talks to
 * Temporal (one workflow per journey and customer, `journey/{journeyId}/{customerId}`);
 * tests pass `createFakeRuntime()`, which records every call.
 *
 * The API decides *which* journeys an event may start (published, not paused, trigger
 * matches) and passes their compiled definitions by value; the runtime decides *how*
 * (signal-with-start, ID reuse per the re-entry policy).
 */
export interface JourneyRuntime {
  /**
   * Delivers an event that the pipeline stored, folded and scored: signals the runs in
   * `signal` (the customer's runs that the run registry says can use it: wait steps, goals,
   * counted events) and signal-with-starts each of `entries` — the live journeys whose
   * trigger this event fires, filters and entry window already checked (event triggers on the
   * type, property filters and age; segment triggers on `segment_entered` for their segment) —
   * so an event never starts two runs and is never lost between a start and the first wait.
   * Re-entry policy and the journey's audience filter are the runtime's to apply. `gone` lists
   * the runs of `signal` that Temporal says are not running (their registry entries are stale).
   * `started`: the runs of `signal` known to have started (their registry entries were written
   * by their progress, not by a starter about to start them): one of them may sit in its start
   * delay, so it is reached by signal-with-start, which ends the delay.
   */
  routeEvent(input: {
    event: RoutedEvent;
    customer: CustomerProfile;
    entries: readonly PublishedJourney[];
    signal: readonly string[];
    started?: readonly string[];
  }): Promise<{ signalled: number; started: number; gone: string[] }>;

  /** Starts one customer on a journey with an `api` trigger; a running run is left alone. */
  startJourney(input: { journey: PublishedJourney; customer: CustomerProfile }): Promise<{ started: boolean }>;

  /** Cancels every running journey of a customer (the customer was erased). */
  cancelCustomerJourneys(customerId: string): Promise<{ cancelled: number }>;

  /** Takes one customer out of one journey; false when they were not in it. */
  removeFromJourney(journeyId: string, customerId: string): Promise<boolean>;

  /** The customer's run of a journey (latest one), or null if they never entered it. */
  describeRun(journeyId: string, customerId: string): Promise<JourneyRun | null>;

  /** The runs of a customer, running ones first, a page at a time. */
  customerRuns(customerId: string, page: PageRequest): Promise<Page<JourneyRun>>;

  /** Per-node counts of a journey across its versions. */
  nodeStats(journeyId: string): Promise<NodeStats[]>;

  /** Customers currently at a node, a page at a time. */
  customersAtNode(journeyId: string, nodeId: string, page: PageRequest): Promise<Page<NodeOccupant>>;

  /**
   * Starts the campaign-launch workflow: it pages through `segment`, starts `journey` for each
   * customer at no more than `ratePerSecond`, and never starts a customer twice.
   */
  launchCampaign(input: {
    campaignId: string;
    journey: PublishedJourney;
    segment: AudienceFilter;
    ratePerSecond: number;
    /** A scheduled launch: the workflow waits on a durable timer until then (cancellable). */
    startAt?: string;
  }): Promise<void>;

  /** Progress of a launch, or null if the runtime does not know the campaign. */
  campaignProgress(campaignId: string): Promise<CampaignProgress | null>;
  pauseCampaign(campaignId: string): Promise<void>;
  resumeCampaign(campaignId: string): Promise<void>;
  cancelCampaign(campaignId: string): Promise<void>;

  /**
   * Starts a migration (workflows/migration.ts): every running run of `journey`'s older versions
   * is signalled the version and the mapping, and moves at its next wait. Starting the same
   * migration id twice starts it once.
   */
  startMigration(input: { migrationId: string; journey: PublishedJourney; mapping: MigrationMapping }): Promise<void>;
}

/** What starting a run did: a new run, or none (already in the journey, re-entry not allowed). */
export type StartResult = 'started' | 'skipped';

/**
 * Starts journey runs for campaigns and the date sweep. Implemented on the Temporal client by
 * `runtime/temporal.ts` (workflow ids, re-entry policy, the run registry) and injected by the
 * worker, so activities never import workflow code.
 */
export interface JourneyStarter {
  start(input: StartRequest): Promise<StartResult>;
  /**
   * Starts many customers on one journey; re-entry is checked with one query for all (requests
   * with a `prefix` were admitted and registered by their caller, and are only started).
   */
  startMany(requests: readonly StartRequest[]): Promise<Array<StartResult | { error: unknown }>>;
  /**
   * Which of a campaign's `requests` may enter now, read in one query: re-entry allows it and
   * no run of theirs is running — except the campaign's own entry, still running: a retried
   * batch finishes what its earlier attempt began (its effects are in the ledger under that
   * key). Each admitted entry comes with its workflow id and its key (`campaignRunKey`), and
   * with the state its first steps ended in when a first pass kept it (`RunDocument.startState`,
   * the run not started yet); null: not admitted.
   */
  admit(requests: ReadonlyArray<StartRequest & { campaignId: string }>): Promise<Array<AdmittedEntry | null>>;
  /** Delivers events to runs just started (a signal-with-start each: it ends a start delay); a run that is not running is skipped. */
  deliver(deliveries: ReadonlyArray<{ workflowId: string; events: readonly RoutedEvent[] }>): Promise<number>;
  /**
   * Signals a migration to runs on record (workflows/migration.ts), reaching a run in its start
   * delay at once: for each, `signalled`, `ended` (not running) or `failed`.
   */
  migrateRuns(workflowIds: readonly string[], signal: MigrateSignal): Promise<Array<'signalled' | 'ended' | 'failed'>>;
}

/** A campaign's customer admitted to enter (see `JourneyStarter.admit`). */
export interface AdmittedEntry {
  workflowId: string;
  runKey: string;
  /** The state its first steps ended in, kept by a first pass for the start, with the steps they passed, their history and when the entry began. */
  kept?: { state: StartState; visited: string[]; history: HistoryEntry[]; startedAt: string };
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
  /**
   * A campaign's batched first steps ran up to this state (a wait, or an action left to the
   * run): the run starts there, with the entry key they used (`workflows/definitions.ts`,
   * `JourneyWorkflowInput.prefix`).
   */
  prefix?: { runKey: string; at: number; state: JourneyState };
}
