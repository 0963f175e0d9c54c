import { randomUUID } from 'node:crypto';
import { isGrpcServiceError, ScheduleAlreadyRunning, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { Client, WorkflowIdReusePolicy } from '@temporalio/client';
import { encodeWorkflowIdReusePolicy } from '@temporalio/common';
import type { Db } from 'mongodb';
import type { CustomerProfile, JourneyDefinition, JourneyState } from '../journey/index.ts';
import { getCampaign } from '../store/campaigns.ts';
import { listJourneys } from '../store/journeys.ts';
import { countEffectResults } from '../store/messages.ts';
import type { PublishedJourney } from '../store/journeys.ts';
import { anyEvent, getRun, getRuns, latestRunOf, pageRunsOfCustomer, registrySlot, runningRunsOfCustomer, runsAtNode, startedRunsOf, writeRegistry } from '../store/runs.ts';
import { stepCounts } from '../store/rollups.ts';
import type { RunDocument } from '../store/runs.ts';
import {
  campaignProgressQuery,
  campaignRunKey,
  campaignWorkflowId,
  cancelCampaignSignal,
  customerEventSignal,
  dateSweepScheduleId,
  exitJourneySignal,
  journeyWorkflowId,
  lifecycleScheduleId,
  migrateSignal,
  migrationWorkflowId,
  pauseCampaignSignal,
  resumeCampaignSignal,
  workflowTypes,
} from '../workflows/definitions.ts';
import type { CampaignLaunchInput, CampaignLaunchProgress, CustomerEventSignal, ExitRequestReason, JourneyWorkflowInput, MigrateSignal, MigrationInput, RoutedEvent } from '../workflows/definitions.ts';
import type { AdmittedEntry, JourneyRuntime, StartRequest, StartResult } from './runtime.ts';
import type { CampaignProgress, JourneyRun } from '../api/wire/runs.ts';

export interface TemporalRuntimeDeps {
  client: Client;
  db: Db;
  taskQueue: string;
  /** The wall clock; tests pin it. */
  clock?: () => Date;
}

/** What starting one run did. */
export type StartOutcome = StartResult;

const DAY = 86_400_000;

/** gRPC's ALREADY_EXISTS: a signal-with-start refused by the id reuse policy (the run has closed). */
const alreadyExists = 6;

/**
 * How long a run started in `state` may sleep in Temporal's start delay instead of on a timer:
 * until its timed wait ends (a wait step, a holdout, an event wait's timeout), or 0. Quiet hours
 * and deferred sends (caps, rate limits) keep their timer: a send pending at its step is counted
 * as a claim on the customer's cap book while it waits (ARCHITECTURE.md, "Priorities").
 */
export function startDelayOf(state: JourneyState, now: number): number {
  const { pending } = state;
  if (state.status !== 'running') return 0;
  if (pending.type === 'waitForEvent' || (pending.type === 'wait' && pending.reason !== 'quietHours' && pending.reason !== 'deferred')) return Math.max(0, pending.until - now);
  return 0;
}

/**
 * Re-entry policy → Temporal's workflow-id reuse policy. A running run is never replaced (the
 * conflict policy is FAIL, or signal-with-start signals it). `never` and `cooldown` are also
 * checked against `journeyRuns`, which outlives the namespace's retention.
 */
export function reusePolicy(definition: JourneyDefinition, year?: number): WorkflowIdReusePolicy {
  if (year !== undefined) return 'REJECT_DUPLICATE'; // one run per customer and year
  return definition.settings.reEntry.policy === 'never' ? 'REJECT_DUPLICATE' : 'ALLOW_DUPLICATE';
}

/**
 * `JourneyRuntime` on Temporal: one workflow per journey and customer, events by signal (and
 * signal-with-start for event triggers), campaigns and the date sweep as workflows, per-step
 * numbers from the `journeyRuns` collection the workflows keep up to date.
 */
export function createTemporalRuntime(deps: TemporalRuntimeDeps) {
  const { client, db, taskQueue } = deps;
  const now = () => (deps.clock ?? (() => new Date()))().getTime();

  /**
   * May this customer enter (again), given the record of their last entry (which outlives
   * Temporal's retention)? A campaign starts each customer once, whatever the re-entry policy:
   * a retried batch whose earlier attempt started a run that has finished since finds that
   * run's record carrying its campaign id.
   */
  function allowedAfter(journey: PublishedJourney, last: RunDocument | null | undefined, campaignId?: string): boolean {
    if (campaignId !== undefined && last?.campaignId === campaignId) return false;
    const reEntry = journey.definition.settings.reEntry;
    if (reEntry.policy === 'afterExit' || last === null || last === undefined) return true;
    if (reEntry.policy === 'never') return false;
    return last.completedAt !== undefined && Date.parse(last.completedAt) + reEntry.cooldownDays * DAY <= now();
  }

  async function mayEnter(journey: PublishedJourney, customerId: string, campaignId?: string): Promise<boolean> {
    if (journey.definition.settings.reEntry.policy === 'afterExit' && campaignId === undefined) return true;
    return allowedAfter(journey, await getRun(db, journeyWorkflowId(journey.journeyId, customerId)), campaignId);
  }

  function workflowInput(request: StartRequest, event?: RoutedEvent): JourneyWorkflowInput {
    return {
      journeyId: request.journey.journeyId,
      version: request.journey.version,
      definition: request.journey.definition,
      // Ids, not profiles: the run loads what it needs (the input stays in the history, where
      // an erasure cannot reach).
      customerId: request.customerId,
      ...(event ? { event } : {}),
      ...(request.startAt === undefined ? {} : { startAt: request.startAt }),
      ...(request.campaignId === undefined ? {} : { campaignId: request.campaignId }),
      ...(request.prefix === undefined
        ? {}
        : { prefix: { runKey: request.prefix.runKey, at: request.prefix.at }, carried: { state: request.prefix.state, inbox: [], seenEventIds: [] } }),
    };
  }

  /** Starts a run (conflict policy FAIL: a running run is left alone and reported as skipped). */
  async function launch(request: StartRequest, registered = false): Promise<StartOutcome> {
    const workflowId = journeyWorkflowId(request.journey.journeyId, request.customerId, request.year);
    if (!registered) await register([{ journeyId: request.journey.journeyId, customerId: request.customerId, workflowId, scheduled: request.startAt !== undefined }]);
    // A campaign's run whose first steps ended at a timed wait sleeps in the start delay: its
    // first workflow task comes when the wait ends (or when `wake` delivers a signal), no timer.
    const delay = request.prefix === undefined ? 0 : startDelayOf(request.prefix.state, now());
    try {
      await client.workflow.start(workflowTypes.journey, {
        taskQueue,
        workflowId,
        args: [workflowInput(request)],
        workflowIdReusePolicy: reusePolicy(request.journey.definition, request.year),
        workflowIdConflictPolicy: 'FAIL',
        ...(delay > 0 ? { startDelay: delay } : {}),
      });
      return 'started';
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return 'skipped';
      throw error;
    }
  }

  /** Starts a run unless one is running or re-entry forbids it. */
  async function start(request: StartRequest): Promise<StartOutcome> {
    if (request.year === undefined && !(await mayEnter(request.journey, request.customerId, request.campaignId))) return 'skipped';
    return launch(request);
  }

  /** The run records of the requests that re-entry checks need, in one query. */
  async function recordsOf(requests: readonly StartRequest[], all = false): Promise<Map<string, RunDocument>> {
    const checked = requests.filter((r) => r.year === undefined && (all || r.journey.definition.settings.reEntry.policy !== 'afterExit' || r.campaignId !== undefined));
    return getRuns(db, checked.map((r) => journeyWorkflowId(r.journey.journeyId, r.customerId)));
  }

  /** Which campaign requests may enter now, with their workflow id and entry key (see `JourneyStarter.admit`). */
  async function admit(requests: ReadonlyArray<StartRequest & { campaignId: string }>): Promise<Array<AdmittedEntry | null>> {
    const records = await recordsOf(requests, true);
    return requests.map((r) => {
      const workflowId = journeyWorkflowId(r.journey.journeyId, r.customerId, r.year);
      const runKey = campaignRunKey(workflowId, r.campaignId);
      const last = r.year === undefined ? records.get(workflowId) : undefined;
      if (last?.status === 'running') {
        if (last.runKey !== runKey) return null;
        return last.startState === undefined ? { workflowId, runKey } : { workflowId, runKey, kept: { state: last.startState, visited: last.visited, history: last.history, startedAt: last.startedAt } };
      }
      return r.year !== undefined || allowedAfter(r.journey, last, r.campaignId) ? { workflowId, runKey } : null;
    });
  }

  /** Starts many runs, 16 at a time, with one query for all re-entry checks (none for admitted prefixes). */
  async function startMany(requests: readonly StartRequest[]): Promise<Array<StartOutcome | { error: unknown }>> {
    const records = await recordsOf(requests.filter((r) => r.prefix === undefined));
    const results: Array<StartOutcome | { error: unknown }> = new Array(requests.length);
    const checked = (r: StartRequest) => r.prefix !== undefined || r.year !== undefined || allowedAfter(r.journey, records.get(journeyWorkflowId(r.journey.journeyId, r.customerId)), r.campaignId);
    const registering = requests.filter((r) => r.prefix === undefined && checked(r));
    await register(registering.map((r) => ({ journeyId: r.journey.journeyId, customerId: r.customerId, workflowId: journeyWorkflowId(r.journey.journeyId, r.customerId, r.year), scheduled: r.startAt !== undefined })));
    let next = 0;
    const lane = async () => {
      for (let i = next++; i < requests.length; i = next++) {
        const request = requests[i];
        if (request === undefined) continue;
        try {
          results[i] = checked(request) ? await launch(request, true) : 'skipped';
        } catch (error) {
          results[i] = { error };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(16, requests.length) }, lane));
    return results;
  }

  /** Delivers events to runs just started (they may sit in their start delay), 16 signals at a time; returns how many reached a running run. */
  async function deliver(deliveries: ReadonlyArray<{ workflowId: string; events: readonly RoutedEvent[] }>): Promise<number> {
    const signals = deliveries.flatMap((d) => d.events.map((event) => ({ workflowId: d.workflowId, event })));
    let delivered = 0;
    let next = 0;
    const lane = async () => {
      for (let i = next++; i < signals.length; i = next++) {
        const signal = signals[i];
        if (signal !== undefined && (await wake(signal.workflowId, customerEventSignal, [{ event: signal.event }]))) delivered += 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(16, signals.length) }, lane));
    return delivered;
  }

  /**
   * Signals a migration to a page of runs on record, 20 at a time: a run that has started (its
   * registry entry says so) is woken, since it may sit in its start delay; others get a plain
   * signal. Each: `signalled`, `ended` (not running) or `failed`.
   */
  async function migrateRuns(workflowIds: readonly string[], signal: MigrateSignal): Promise<Array<'signalled' | 'ended' | 'failed'>> {
    const records = await getRuns(db, workflowIds);
    const started = await startedRunsOf(db, [...records.values()].map((r) => r.customerId));
    const results: Array<'signalled' | 'ended' | 'failed'> = [];
    for (let i = 0; i < workflowIds.length; i += 20) {
      const page = workflowIds.slice(i, i + 20);
      const reached = await Promise.allSettled(page.map((id) => (started.has(id) ? wake : signalIfRunning)(id, migrateSignal, [signal])));
      results.push(...reached.map((r) => (r.status === 'rejected' ? 'failed' : r.value ? 'signalled' : 'ended')));
    }
    return results;
  }

  /** Signals a workflow; false when it is not running. */
  async function signalIfRunning<A extends unknown[]>(workflowId: string, signal: { name: string; type: 'signal' } & object, args: A): Promise<boolean> {
    try {
      await client.workflow.getHandle(workflowId).signal(signal.name, ...args);
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }

  /**
   * Signals a run that exists and may sit in its start delay; false when it is not running.
   * Signal-with-start, because only it ends the delay (a plain signal is kept until the delay
   * ends): on a running run it is a signal; the id reuse policy REJECT_DUPLICATE refuses it when
   * the run has closed. Where no workflow has the id at all (a run whose history was purged),
   * what starts is `journeyRunGoneWorkflow`, which ends at once: a signal never starts a journey.
   * Only for ids whose run was started (a run record or a registry entry written by its progress):
   * on an id whose start is about to happen, that empty workflow would take its place.
   */
  async function wake<A extends unknown[]>(workflowId: string, signal: { name: string; type: 'signal' } & object, args: A): Promise<boolean> {
    const { namespace, identity, loadedDataConverter } = client.options;
    try {
      // The client's own signalWithStart does not tell whether it started a workflow: the service's answer does.
      const response = await client.workflowService.signalWithStartWorkflowExecution({
        namespace,
        identity,
        requestId: randomUUID(),
        workflowId,
        workflowType: { name: workflowTypes.runGone },
        taskQueue: { name: taskQueue },
        workflowIdReusePolicy: encodeWorkflowIdReusePolicy('REJECT_DUPLICATE'),
        signalName: signal.name,
        signalInput: { payloads: args.map((arg) => loadedDataConverter.payloadConverter.toPayload(arg)) },
      });
      return !response.started;
    } catch (error) {
      if (isGrpcServiceError(error) && error.code === alreadyExists) return false;
      throw error;
    }
  }

  // Journeys change rarely and events are many: the list of journey ids is cached briefly.
  let journeyIds: { at: number; ids: Array<{ id: string; date: boolean }> } | null = null;
  async function knownJourneys(): Promise<Array<{ id: string; date: boolean }>> {
    if (journeyIds !== null && now() - journeyIds.at < 2_000) return journeyIds.ids;
    const ids: Array<{ id: string; date: boolean }> = [];
    let cursor: string | null = null;
    do {
      const page = await listJourneys(db, {}, { limit: 200, ...(cursor === null ? {} : { cursor }) });
      for (const journey of page.items) if (journey.latestVersion > 0) ids.push({ id: journey.id, date: journey.entry?.kind === 'date' });
      cursor = page.nextCursor;
    } while (cursor !== null);
    journeyIds = { at: now(), ids };
    return ids;
  }

  /**
   * Every workflow id a customer may have a live run under: the deterministic ids of every
   * published journey (this year's, last year's and next year's for date triggers). They reach
   * a run started a moment ago, before it recorded anything, and need no lookup.
   */
  async function candidateRuns(customerId: string, onlyJourney?: string): Promise<string[]> {
    const year = new Date(now()).getUTCFullYear();
    const ids = new Set<string>();
    for (const journey of await knownJourneys()) {
      if (onlyJourney !== undefined && journey.id !== onlyJourney) continue;
      ids.add(journeyWorkflowId(journey.id, customerId));
      if (journey.date) for (const y of [year - 1, year, year + 1]) ids.add(journeyWorkflowId(journey.id, customerId, y));
    }
    if (onlyJourney !== undefined) ids.add(journeyWorkflowId(onlyJourney, customerId));
    return [...ids];
  }

  async function exitRuns(customerId: string, reason: ExitRequestReason, onlyJourney?: string): Promise<number> {
    const ids = new Set(await candidateRuns(customerId, onlyJourney));
    // Runs on record too (e.g. of a journey deleted since), found by a slower query.
    for (const run of await runningRunsOfCustomer(db, customerId)) if (onlyJourney === undefined || run.journeyId === onlyJourney) ids.add(run._id);
    // A run whose registry entry its progress wrote has started and may sit in its start delay:
    // it is woken. The other ids (no run, or one about to start) get a plain signal.
    const started = await startedRunsOf(db, [customerId]);
    const results = await Promise.all([...ids].map((id) => (started.has(id) ? wake : signalIfRunning)(id, exitJourneySignal, [{ reason }])));
    return results.filter(Boolean).length;
  }

  /**
   * Delivers an event to a journey whose trigger it may fire: signal-with-start (a running run
   * is signalled, else one starts with the event). `known`: the registry lists a run under that
   * id, so it is signalled first (one call); the run's memo tells whether this event started it.
   */
  async function enter(journey: PublishedJourney, event: RoutedEvent, customer: CustomerProfile, known: boolean, started: boolean): Promise<StartOutcome | 'signalled'> {
    const workflowId = journeyWorkflowId(journey.journeyId, customer.id);
    const signal: CustomerEventSignal = { event };
    if (known && (await (started ? wake : signalIfRunning)(workflowId, customerEventSignal, [signal]))) return 'signalled';
    // Re-entry refused: a run may still be running (registered a moment ago elsewhere): deliver to it.
    if (!(await mayEnter(journey, customer.id))) return (await signalIfRunning(workflowId, customerEventSignal, [signal])) ? 'signalled' : 'skipped';
    // Registered first, so an event right behind this one reaches the run before it records what it waits for.
    await register([{ journeyId: journey.journeyId, customerId: customer.id, workflowId }]);
    try {
      const handle = await client.workflow.signalWithStart(workflowTypes.journey, {
        taskQueue,
        workflowId,
        args: [workflowInput({ journey, customerId: customer.id, customer }, event)],
        signal: customerEventSignal,
        signalArgs: [signal],
        workflowIdReusePolicy: reusePolicy(journey.definition),
        // Tells which of two concurrent events started the run (the other one signalled it).
        memo: { startedBy: event.id },
      });
      const { memo } = await handle.describe();
      return memo?.['startedBy'] === event.id ? 'started' : 'signalled';
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      // Re-entry is refused by the id reuse policy (or another event started the run a moment ago).
      return (await signalIfRunning(workflowId, customerEventSignal, [signal])) ? 'signalled' : 'skipped';
    }
  }

  /** Registers runs about to start as waiting for anything (see store/runs.ts, the run registry). */
  async function register(runs: ReadonlyArray<{ journeyId: string; customerId: string; workflowId: string; scheduled?: boolean }>): Promise<void> {
    const at = new Date(now()).toISOString();
    await writeRegistry(
      db,
      runs.map((r) => ({
        customerId: r.customerId,
        slot: registrySlot(r.journeyId, r.customerId, r.workflowId),
        // A run scheduled for later (date triggers) drops events from before its entry.
        entry: { workflowId: r.workflowId, waitsFor: r.scheduled === true ? [] : [anyEvent], since: at, at },
      })),
    );
  }

  const campaign = (campaignId: string) => client.workflow.getHandle(campaignWorkflowId(campaignId));

  async function progressFromLedger(campaignId: string, running: boolean): Promise<CampaignProgress> {
    const counts = await countEffectResults(db, 'campaignStart', `campaign:${campaignId}:`);
    const record = await getCampaign(db, campaignId);
    const failed = Object.entries(counts).filter(([result]) => !['started', 'skipped', 'pending'].includes(result)).reduce((n, [, c]) => n + c, 0);
    return { audience: record?.audienceCount ?? 0, started: counts['started'] ?? 0, skipped: counts['skipped'] ?? 0, failed, done: !running };
  }

  const runtime: JourneyRuntime = {
    async routeEvent({ event, customer, entries, signal, started = [] }) {
      const entering = new Set(entries.map((j) => journeyWorkflowId(j.journeyId, customer.id)));
      const others = signal.filter((id) => !entering.has(id));
      const routed: RoutedEvent = { id: event.id, type: event.type, customerId: event.customerId, at: event.at, properties: event.properties };
      // A run whose registry entry its progress wrote has started (it may sit in its start delay): woken.
      const reach = (id: string) => (started.includes(id) ? wake : signalIfRunning)(id, customerEventSignal, [{ event: routed }]);
      const [entered, signalled] = await Promise.all([
        Promise.all(entries.map((journey) => {
          const id = journeyWorkflowId(journey.journeyId, customer.id);
          return enter(journey, routed, customer, signal.includes(id), started.includes(id));
        })),
        Promise.all(others.map(reach)),
      ]);
      return {
        signalled: signalled.filter(Boolean).length + entered.filter((o) => o === 'signalled').length,
        started: entered.filter((o) => o === 'started').length,
        gone: others.filter((_, i) => !signalled[i]),
      };
    },
    async startJourney({ journey, customer }) {
      return { started: (await start({ journey, customerId: customer.id, customer })) === 'started' };
    },
    async cancelCustomerJourneys(customerId) {
      return { cancelled: await exitRuns(customerId, 'erased') };
    },
    async removeFromJourney(journeyId, customerId) {
      return (await exitRuns(customerId, 'removed', journeyId)) > 0;
    },
    async describeRun(journeyId, customerId) {
      const year = new Date(now()).getUTCFullYear();
      const ids = [journeyWorkflowId(journeyId, customerId), ...[year - 1, year, year + 1].map((y) => journeyWorkflowId(journeyId, customerId, y))];
      const run = await latestRunOf(db, ids);
      return run === null ? null : toJourneyRun(run);
    },
    async customerRuns(customerId, page) {
      const result = await pageRunsOfCustomer(db, customerId, page);
      return { items: result.items.map(toJourneyRun), nextCursor: result.nextCursor };
    },
    async nodeStats(journeyId) {
      const counts = await stepCounts(db, journeyId);
      return counts.map((c) => ({ nodeId: c.nodeId, entered: c.entered, waiting: c.waiting, exited: Math.max(0, c.entered - c.waiting), converted: c.converted }));
    },
    async customersAtNode(journeyId, nodeId, page) {
      const result = await runsAtNode(db, journeyId, nodeId, page);
      return { items: result.items.map((r) => ({ customerId: r.customerId, version: r.version, since: r.since })), nextCursor: result.nextCursor };
    },
    async launchCampaign({ campaignId, journey, segment, ratePerSecond, startAt }) {
      // Pages of 250 (at most a second's worth): each page is one audience query, which scans the
      // customers on FerretDB, so fewer pages launch a large audience faster. A page's runs start
      // once the page after it has been sent, beside the sends (a hold of 1: a launch holds at
      // least a page): the embedded dev server yields the cores to the sends (embedded/temporal.ts
      // `temporalNice`), and a Temporal cluster has cores of its own. Holding every start back
      // until the whole audience was emailed put the starts after the sends instead of beside
      // them (README, "The dev server yields").
      const input: CampaignLaunchInput = { campaignId, journeyId: journey.journeyId, version: journey.version, audience: { ...segment }, ratePerSecond, batchSize: 250, holdStartsUpTo: 1, ...(startAt === undefined ? {} : { startAt }) };
      try {
        await client.workflow.start(workflowTypes.campaign, {
          taskQueue,
          workflowId: campaignWorkflowId(campaignId),
          args: [input],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        });
      } catch (error) {
        // Launching the same campaign twice is a no-op: one launch per campaign id.
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
    },
    async startMigration({ migrationId, journey, mapping }) {
      const input: MigrationInput = { migrationId, journeyId: journey.journeyId, version: journey.version, definition: journey.definition, mapping };
      try {
        await client.workflow.start(workflowTypes.migration, { taskQueue, workflowId: migrationWorkflowId(migrationId), args: [input], workflowIdReusePolicy: 'REJECT_DUPLICATE' });
      } catch (error) {
        // The same migration twice is one migration.
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
    },
    async campaignProgress(campaignId) {
      const handle = campaign(campaignId);
      let status: string;
      try {
        status = (await handle.describe()).status.name;
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return null;
        throw error;
      }
      if (status === 'COMPLETED') return toCampaignProgress(await handle.result());
      try {
        return toCampaignProgress(await handle.query(campaignProgressQuery));
      } catch {
        // No worker to answer (restarting, or the launch was terminated): count the ledger.
        return progressFromLedger(campaignId, status === 'RUNNING');
      }
    },
    async pauseCampaign(campaignId) {
      await campaign(campaignId).signal(pauseCampaignSignal);
    },
    async resumeCampaign(campaignId) {
      await campaign(campaignId).signal(resumeCampaignSignal);
    },
    async cancelCampaign(campaignId) {
      await campaign(campaignId).signal(cancelCampaignSignal);
    },
  };

  /**
   * Creates the daily date-trigger sweep's Schedule unless it exists (00:05 UTC; a missed day
   * is caught up within a day; overlapping sweeps are skipped).
   */
  async function ensureDateSweepSchedule(): Promise<void> {
    try {
      await client.schedule.create({
        scheduleId: dateSweepScheduleId,
        spec: { calendars: [{ hour: 0, minute: 5, comment: 'daily at 00:05 UTC' }] },
        action: { type: 'startWorkflow', workflowType: workflowTypes.dateSweep, taskQueue, args: [{}] },
        policies: { overlap: 'SKIP', catchupWindow: '1 day' },
      });
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    }
  }

  /**
   * Creates the daily lifecycle Schedule unless it exists (03:00 UTC, after the date sweep and
   * outside most working hours): the full recompute of RFM, stages and segments, which also
   * catches customers who became at risk or dormant by the passage of time alone and starts
   * their segment-triggered journeys. A missed day is caught up within a day; a run still going
   * at the next one (a large base on FerretDB) makes the next one skip.
   */
  async function ensureLifecycleSchedule(): Promise<void> {
    try {
      await client.schedule.create({
        scheduleId: lifecycleScheduleId,
        spec: { calendars: [{ hour: 3, minute: 0, comment: 'daily at 03:00 UTC' }] },
        action: { type: 'startWorkflow', workflowType: workflowTypes.lifecycle, taskQueue, args: [] },
        policies: { overlap: 'SKIP', catchupWindow: '1 day' },
      });
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    }
  }

  return { ...runtime, starter: { start, startMany, admit, deliver, migrateRuns }, ensureDateSweepSchedule, ensureLifecycleSchedule };
}

function toCampaignProgress(progress: CampaignLaunchProgress): CampaignProgress {
  return { audience: progress.total, started: progress.started, skipped: progress.skipped, failed: progress.failed, ...(progress.starting ? { starting: progress.starting } : {}), done: progress.done };
}

function toJourneyRun(run: RunDocument): JourneyRun {
  return {
    journeyId: run.journeyId,
    version: run.version,
    customerId: run.customerId,
    status: run.status,
    nodeId: run.nodeId,
    waitingFor: run.waitingFor,
    ...(run.waitingUntil === undefined ? {} : { waitingUntil: run.waitingUntil }),
    variables: run.variables,
    history: (run.history ?? []).map((h) => ({
      nodeId: h.nodeId,
      at: new Date(h.at).toISOString(),
      ...(h.outcome === 'entered' ? {} : { exit: h.outcome }),
    })),
    startedAt: run.startedAt,
  };
}
