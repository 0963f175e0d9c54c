import { heartbeat } from '@temporalio/activity';
import type { Db } from 'mongodb';
import { journeyView, runProgress } from '../journey/index.ts';
import type { CustomerProfile, JourneyState, RunProgress, StoredEvent } from '../journey/index.ts';
import { changedSince, countAudience, customersCollection, pageAudience, toProfile } from '../store/customers.ts';
import { eventsReceivedSince } from '../store/events.ts';
import type { AudienceFilter } from '../store/customers.ts';
import { getVersion } from '../store/journeys.ts';
import type { PublishedJourney } from '../store/journeys.ts';
import { claimEffect, claimEffects, settleEffect, settleEffects } from '../store/messages.ts';
import { batchingDb } from '../store/batching.ts';
import type { StartState } from '../store/runs.ts';
import { prefixMeta, runPrefixes } from './campaign-prefix.ts';
import type { ActionPerformer, Prefix } from './campaign-prefix.ts';
import { activityNow } from './clock.ts';
import { recordRunProgress, registerProgress, usableEvents } from './progress.ts';
import { refreshEntryOutcomes } from '../store/outcomeRollup.ts';
import { faultPoint } from './fault.ts';
import { permanent } from './errors.ts';
import type { JourneyStarter, StartResult } from './types.ts';

/** One batch of a campaign launch: where to continue and how many customers to start. */
export interface CampaignBatchInput {
  campaignId: string;
  journeyId: string;
  version: number;
  audience: AudienceFilter;
  /** The launch time: the audience is evaluated as of then, on every page. */
  asOf: number;
  cursor: string | null;
  limit: number;
  /**
   * The page, as `readCampaignPage` read it (the launch reads the next page while this one
   * runs): these customers, instead of reading `limit` from `cursor`.
   */
  customerIds?: string[];
}

/** Where a page of a campaign's audience begins and how many it holds. */
export type CampaignPageRequest = Pick<CampaignBatchInput, 'audience' | 'asOf' | 'cursor' | 'limit'>;

/** A page of a campaign's audience: who is in it, and where the next one begins (null: the last). */
export interface CampaignPage {
  customerIds: string[];
  nextCursor: string | null;
}

export interface CampaignBatchResult {
  started: number;
  skipped: number;
  failed: number;
  nextCursor: string | null;
}

/** Loads a published version once per process: versions are immutable. */
export function versionCache(db: Db) {
  const cache = new Map<string, Promise<PublishedJourney>>();
  return (journeyId: string, version: number): Promise<PublishedJourney> => {
    const key = `${journeyId}@${version}`;
    let found = cache.get(key);
    if (found === undefined) {
      found = getVersion(db, journeyId, version).then((record) => {
        if (record === null) throw permanent('InvalidConfig', `journey ${journeyId} has no version ${version}`);
        return { journeyId, version, definition: record.definition };
      });
      found.catch(() => cache.delete(key));
      cache.set(key, found);
    }
    return found;
  };
}

/** Counts a campaign's audience as of the launch. */
export async function countCampaignAudience(db: Db, audience: AudienceFilter, asOf: number): Promise<number> {
  return countAudience(db, audience, new Date(asOf));
}

/**
 * Reads one page of a campaign's audience (as of the launch): the customers' ids and where the
 * next page begins. The launch reads the next page while the previous one is still running.
 */
export async function readCampaignPage(db: Db, request: CampaignPageRequest): Promise<CampaignPage> {
  const page = await pageAudience(db, request.audience, new Date(request.asOf), { limit: request.limit, ...(request.cursor === null ? {} : { cursor: request.cursor }) });
  return { customerIds: page.items.map((c) => c.id), nextCursor: page.nextCursor };
}

/** The customers of a page read before, in its order (one read; a customer erased since is left out). */
async function customersById(db: Db, ids: readonly string[]): Promise<CustomerProfile[]> {
  const found = new Map<string, CustomerProfile>();
  for (const doc of await customersCollection(db).find({ _id: { $in: [...ids] } }).toArray()) found.set(doc._id, toProfile(doc));
  return ids.flatMap((id) => found.get(id) ?? []);
}

/** A page's customers with their campaign claims, and the outcomes already settled. */
interface ClaimedPage {
  /** Claims already settled (an earlier attempt): counted as they were; and where the next page begins. */
  settled: CampaignBatchResult;
  /** Of those, the ones a second pass settled (`secondPassMark`): an earlier attempt of the page's second pass. */
  settledBySecondPass: Omit<CampaignBatchResult, 'nextCursor'>;
  /** Customers whose claim is pending; `created`: this call made the claim. */
  pending: Array<{ customer: CustomerProfile; created: boolean }>;
  /** When each customer's claim was first made: an earlier attempt may have acted from then on. */
  claimedAt: Map<string, number>;
}

const claimKey = (campaignId: string, customerId: string) => `campaign:${campaignId}:${customerId}`;

/** What a second pass writes on the claims it settles (`settledBy`). */
const secondPassMark = 'startPage';

/**
 * Reads a page (from the cursor, or the customers the launch read) and claims each customer's
 * start in the effect ledger (`campaign:{campaignId}:{customerId}`, one round trip for the page).
 */
async function claimPage(db: Db, journey: PublishedJourney, input: CampaignBatchInput): Promise<ClaimedPage> {
  const page =
    input.customerIds === undefined
      ? await pageAudience(db, input.audience, new Date(input.asOf), { limit: input.limit, ...(input.cursor === null ? {} : { cursor: input.cursor }) })
      : { items: await customersById(db, input.customerIds), nextCursor: null };
  const claims = await claimEffects(
    db,
    page.items.map((c) => ({ key: claimKey(input.campaignId, c.id), kind: 'campaignStart', customerId: c.id, journeyId: journey.journeyId })),
    new Date(activityNow()),
  );
  const claimed: ClaimedPage = {
    settled: { started: 0, skipped: 0, failed: 0, nextCursor: page.nextCursor },
    settledBySecondPass: { started: 0, skipped: 0, failed: 0 },
    pending: [],
    claimedAt: new Map(),
  };
  for (const customer of page.items) {
    const claim = claims.get(claimKey(input.campaignId, customer.id));
    if (claim !== undefined) claimed.claimedAt.set(customer.id, Date.parse(claim.effect.createdAt));
    if (claim === undefined || claim.effect.status === 'pending') {
      claimed.pending.push({ customer, created: claim?.created ?? false });
      continue;
    }
    const outcome = claim.effect.result === 'started' || claim.effect.result === 'skipped' ? claim.effect.result : 'failed';
    claimed.settled[outcome] += 1;
    if (claim.effect.settledBy === secondPassMark) claimed.settledBySecondPass[outcome] += 1;
  }
  return claimed;
}

/**
 * Settles the claims of customers whose outcome is known and counts them into `result`; a
 * customer left `waiting` (a second pass starts their run) stays pending. Temporal or the
 * network being down leaves the claim pending too, and the page's activity retries.
 */
async function settleOutcomes(
  db: Db,
  campaignId: string,
  pending: ClaimedPage['pending'],
  outcomes: ReadonlyArray<PageOutcome | undefined>,
  result: CampaignBatchResult & { waiting?: number },
  settledBy?: string,
): Promise<void> {
  const settlements: Array<{ key: string; status: 'done' | 'failed'; result: string }> = [];
  let unavailable: unknown = null;
  pending.forEach(({ customer, created }, i) => {
    const outcome = outcomes[i] ?? { error: new Error('no outcome') };
    if (outcome === 'waiting') {
      result.waiting = (result.waiting ?? 0) + 1;
      return;
    }
    if (typeof outcome === 'object') {
      if (isUnavailable(outcome.error)) unavailable ??= outcome.error;
      else {
        settlements.push({ key: claimKey(campaignId, customer.id), status: 'failed', result: outcome.error instanceof Error ? outcome.error.message : String(outcome.error) });
        result.failed += 1;
      }
      return;
    }
    // A pending record we did not create: an earlier attempt may have started this run.
    const counted = outcome === 'skipped' && !created ? 'started' : outcome;
    settlements.push({ key: claimKey(campaignId, customer.id), status: 'done', result: counted });
    result[counted] += 1;
  });
  heartbeatSafely(result);
  await settleEffects(db, settlements, new Date(activityNow()), settledBy);
  if (unavailable !== null) throw unavailable;
}

/** A customer's outcome on a page: started, skipped, failed, or (first pass) waiting for the second pass to start their run. */
type PageOutcome = StartResult | { error: unknown } | 'waiting';

/**
 * Starts one page of a campaign's audience in one activity: the launches recorded before the two
 * passes (`workflows/campaign.ts`) and a campaign without a batched first touch. Each customer's
 * start goes through the effect ledger (`campaign:{campaignId}:{customerId}`, claimed and
 * settled in one round trip per page), so a retried batch, a restarted worker or a replayed
 * launch counts a customer once and never starts them twice. A claim left pending by an earlier
 * attempt (it died or failed between the starts and the settlement) is started again through the
 * starter, which skips a customer whose run is still going (workflow-id conflict) or whose latest
 * run carries this campaign's id (it finished since: re-entry `afterExit` would otherwise start
 * it again).
 */
export async function startCampaignBatch(
  db: Db,
  starter: JourneyStarter,
  loadVersion: ReturnType<typeof versionCache>,
  input: CampaignBatchInput,
  prefix?: PrefixDeps,
): Promise<CampaignBatchResult> {
  const journey = await loadVersion(input.journeyId, input.version);
  const page = await claimPage(db, journey, input);
  const result = page.settled;
  const customers = page.pending.map((p) => p.customer);
  // The starter skips a customer whose latest run this campaign started (a retried batch).
  const outcomes =
    prefix === undefined
      ? await starter.startMany(customers.map((customer) => ({ journey, customerId: customer.id, customer, campaignId: input.campaignId })))
      : await whileAlive(() => startWithPrefixes(prefix, starter, journey, input.campaignId, customers, page.claimedAt));
  faultPoint('campaignBatch');
  await settleOutcomes(db, input.campaignId, page.pending, outcomes, result);
  return result;
}

/** The first pass's account of a page: outcomes settled so far, and how many runs wait for the second pass. */
export interface CampaignPrefixResult extends CampaignBatchResult {
  waiting: number;
}

/**
 * The first pass of a page (a launch sends before it starts, `workflows/campaign.ts`): claims
 * the page's customers, runs their first steps up to the first wait (emails, coupons… all sent
 * here) and records where each ended — the interpreter state kept in the run record
 * (`startState`). A customer whose steps ended the journey, or who may not enter, is settled
 * now; the others stay pending (`waiting`) for `startCampaignPage`. Retried, it acts once: the
 * ledger holds every effect under the entry's key, and a record already written is kept.
 */
export async function prefixCampaignPage(
  db: Db,
  starter: JourneyStarter,
  loadVersion: ReturnType<typeof versionCache>,
  input: CampaignBatchInput,
  deps: PrefixDeps,
): Promise<CampaignPrefixResult> {
  const journey = await loadVersion(input.journeyId, input.version);
  const page = await claimPage(db, journey, input);
  const result: CampaignPrefixResult = { ...page.settled, waiting: 0 };
  const outcomes = await whileAlive(async () => (await prefixPage({ ...deps, secondPass: true }, starter, journey, input.campaignId, page.pending.map((p) => p.customer))).outcomes);
  faultPoint('campaignPrefix');
  await settleOutcomes(db, input.campaignId, page.pending, outcomes, result);
  return result;
}

/**
 * The second pass of a page: starts the runs its first pass left waiting, each at the state its
 * record keeps (no step is run again), registers them, hands them the events their customers
 * sent since their claim was first made (the first pass emailed them from then on), and settles
 * the claims. A pending customer without a kept state (a first pass of an older build, a record
 * the run replaced since) goes through the whole first touch again, which the ledger makes safe.
 */
export async function startCampaignPage(
  db: Db,
  starter: JourneyStarter,
  loadVersion: ReturnType<typeof versionCache>,
  input: CampaignBatchInput,
  deps: PrefixDeps,
): Promise<CampaignBatchResult> {
  const journey = await loadVersion(input.journeyId, input.version);
  const page = await claimPage(db, journey, input);
  // The claims the first pass settled were counted by it; those an earlier attempt of this pass
  // settled count here (that attempt's answer never reached the launch: the worker died after
  // the settle, say).
  const result: CampaignBatchResult = { ...page.settledBySecondPass, nextCursor: null };
  const customers = page.pending.map((p) => p.customer);
  const outcomes = await whileAlive(async () => {
    const { campaignId } = input;
    const admitted = await starter.admit(customers.map((customer) => ({ journey, customerId: customer.id, campaignId })));
    const outcomes: Array<StartResult | { error: unknown }> = customers.map(() => 'skipped');
    const kept: Array<{ index: number; run: PrefixedRun; startedAt: string }> = [];
    const again: Array<{ index: number; customer: CustomerProfile }> = [];
    admitted.forEach((entry, index) => {
      const customer = customers[index];
      if (entry === null || customer === undefined) return;
      if (entry.kept === undefined) return void again.push({ index, customer });
      const { visited } = entry.kept;
      const state: JourneyState = { ...entry.kept.state, customer: journeyView(customer), history: entry.kept.history };
      const meta = { ...prefixMeta(journey, campaignId), runKey: entry.runKey, workflowId: entry.workflowId, customerId: customer.id };
      kept.push({ index, run: { customerId: customer.id, runKey: entry.runKey, state, progress: runProgress(meta, state, visited, activityNow()) }, startedAt: entry.kept.startedAt });
    });
    // The entrants' outcome figures, which the first pass left to this one, counted while
    // Temporal is busy with the starts (not while emails go out, nor after the starts). A retried
    // pass counts them again, which changes nothing: the figures are recomputed from the runs,
    // events and coupons.
    const [started] = await Promise.all([
      startPrefixed(deps.db, starter, journey, campaignId, kept.map((k) => k.run), page.claimedAt, activityNow()),
      refreshEntryOutcomes(
        deps.db,
        journey.journeyId,
        kept.map(({ run, startedAt }) => ({ _id: run.progress.workflowId, customerId: run.customerId, startedAt, version: journey.version, visited: run.progress.visited })),
      ),
    ]);
    kept.forEach(({ index }, i) => void (outcomes[index] = started[i] ?? { error: new Error('no outcome') }));
    if (again.length > 0) {
      const redone = await startWithPrefixes(deps, starter, journey, campaignId, again.map((a) => a.customer), page.claimedAt);
      again.forEach(({ index }, i) => void (outcomes[index] = redone[i] ?? { error: new Error('no outcome') }));
    }
    return outcomes;
  });
  faultPoint('campaignBatch');
  await settleOutcomes(db, input.campaignId, page.pending, outcomes, result, secondPassMark);
  return result;
}

/** What a campaign's batched first touch needs: the actions, and the database the runs write to. */
export interface PrefixDeps {
  perform: ActionPerformer;
  db: Db;
  /** A second pass follows (`startCampaignPage`): the entrants' outcome figures are left to it. */
  secondPass?: boolean;
}

/**
 * Runs `work` while telling Temporal the activity is alive on a clock of its own: the customers
 * of a page move through their steps together, so none may finish for a while (the batch's
 * heartbeat timeout is 15 s).
 */
async function whileAlive<T>(work: () => Promise<T>): Promise<T> {
  const alive = setInterval(() => heartbeatSafely({ phase: 'page' }), 3_000);
  try {
    return await work();
  } finally {
    clearInterval(alive);
  }
}

function heartbeatSafely(details: unknown): void {
  try {
    heartbeat(details);
  } catch {
    // outside an activity (tests, scripts)
  }
}

/** What a first pass keeps of a run's state for its start (the second pass puts back the customer's view and the history). */
function keptForStart(state: JourneyState): StartState {
  const { customer: _customer, history: _history, ...kept } = state;
  return kept;
}

/** A run whose first steps ran: where they ended, to start it there. */
interface PrefixedRun {
  customerId: string;
  runKey: string;
  state: JourneyState;
  progress: RunProgress;
}

/**
 * The batched first touch of a page's customers (activities/campaign-prefix.ts), a few round
 * trips for the whole page:
 * 1. admits the customers (one read of their run records);
 * 2. runs every customer's prefix at once on a batching database (store/batching.ts), so each
 *    step — ledger claims, coupons, customer reads — is one round trip for the page;
 * 3. records where each prefix ended (one read and one bulk write of run records, kept when a
 *    run recorded its entry since: a retried page), with the state a waiting run starts from.
 * A customer whose prefix ended the journey counts as started, without a run; one not admitted
 * as skipped; the others wait for their start.
 */
async function prefixPage(
  deps: PrefixDeps,
  starter: JourneyStarter,
  journey: PublishedJourney,
  campaignId: string,
  customers: readonly CustomerProfile[],
): Promise<{ outcomes: Array<'started' | 'skipped' | 'waiting'>; waiting: Array<{ index: number; run: PrefixedRun }> }> {
  const { db } = deps;
  const page = batchingDb(db, { batchUpdates: ['messages'] });
  const perform: ActionPerformer = (request) => deps.perform(request, page);
  const admitted = await starter.admit(customers.map((customer) => ({ journey, customerId: customer.id, campaignId })));
  const entries = customers.flatMap((customer, i) => {
    const entry = admitted[i];
    return entry === null || entry === undefined ? [] : [{ customer, ...entry, index: i }];
  });
  const outcomes: Array<'started' | 'skipped' | 'waiting'> = customers.map(() => 'skipped');
  const prefixes: Array<{ prefix: Prefix; entry: (typeof entries)[number] }> = [];
  await runPrefixes(perform, journey, campaignId, entries, async (prefix, entry) => void prefixes.push({ prefix, entry }), Math.max(1, entries.length));
  const ended = prefixes.filter((p) => p.prefix.ended);
  const waiting = prefixes.filter((p) => !p.prefix.ended);
  await recordRunProgress(db, ended.map((p) => p.prefix.progress), { unlessRecorded: true });
  // The waiting runs' outcome figures are left to the second pass (`startCampaignPage`) when
  // there is one: the sends do not wait for them.
  await recordRunProgress(
    db,
    waiting.map((p) => p.prefix.progress),
    { registry: false, unlessRecorded: true, startStates: new Map(waiting.map((p) => [p.entry.workflowId, keptForStart(p.prefix.state)])), outcomes: !deps.secondPass },
  );
  for (const { entry } of ended) outcomes[entry.index] = 'started';
  for (const { entry } of waiting) outcomes[entry.index] = 'waiting';
  return {
    outcomes,
    waiting: waiting.map(({ prefix, entry }) => ({ index: entry.index, run: { customerId: prefix.customerId, runKey: entry.runKey, state: prefix.state, progress: prefix.progress } })),
  };
}

/**
 * Starts runs at the state their first steps ended in, 16 at a time as a bare launch makes them,
 * with nothing else awaited per start; then writes the started runs' registry entries (one bulk
 * write) — after their starts, so the event pipeline never finds an entry whose run is not
 * running yet and drops it — and hands the runs the events their customers sent since `since`,
 * or since their claim was first made when that was earlier (a retried page, or the first pass:
 * it may have emailed them then, and their answers reached no run).
 */
async function startPrefixed(
  db: Db,
  starter: JourneyStarter,
  journey: PublishedJourney,
  campaignId: string,
  runs: readonly PrefixedRun[],
  claimedAt: ReadonlyMap<string, number>,
  since: number,
): Promise<Array<StartResult | { error: unknown }>> {
  const at = activityNow();
  const started = await starter.startMany(runs.map((run) => ({ journey, customerId: run.customerId, campaignId, prefix: { runKey: run.runKey, at, state: run.state } })));
  const live = runs.flatMap((run, i) => (typeof started[i] === 'string' ? [run.progress] : []));
  await registerProgress(db, live);
  await deliverEventsSince(db, starter, live, (customerId) => Math.min(since, claimedAt.get(customerId) ?? since));
  return started;
}

/** Both passes in one: the first touch of a page, then its starts (a launch of one activity per page). */
async function startWithPrefixes(
  deps: PrefixDeps,
  starter: JourneyStarter,
  journey: PublishedJourney,
  campaignId: string,
  customers: readonly CustomerProfile[],
  claimedAt: ReadonlyMap<string, number>,
): Promise<Array<StartResult | { error: unknown }>> {
  const batchAt = activityNow();
  const { outcomes, waiting } = await prefixPage(deps, starter, journey, campaignId, customers);
  const started = await startPrefixed(deps.db, starter, journey, campaignId, waiting.map((w) => w.run), claimedAt, batchAt);
  const all: Array<StartResult | { error: unknown }> = outcomes.map((o) => (o === 'waiting' ? { error: new Error('no outcome') } : o));
  waiting.forEach(({ index }, i) => void (all[index] = started[i] ?? { error: new Error('no outcome') }));
  return all;
}

/**
 * Events a customer sent between the batch and their run's start reached no run (the registry
 * entry was written after the start): of the customers whose documents changed since the
 * earliest `since` of the page (every event is folded into its customer, one read for the
 * page), each one's events since their own `since` that the run can use are signalled to it.
 * The run drops an id it has seen.
 */
async function deliverEventsSince(db: Db, starter: JourneyStarter, runs: readonly RunProgress[], sinceOf: (customerId: string) => number): Promise<void> {
  if (runs.length === 0) return;
  const earliest = Math.min(...runs.map((r) => sinceOf(r.customerId)));
  const changed = new Set(await changedSince(db, runs.map((r) => r.customerId), new Date(earliest)));
  const deliveries: Array<{ workflowId: string; events: Array<Omit<StoredEvent, 'receivedAt'>> }> = [];
  for (const run of runs) {
    if (!changed.has(run.customerId)) continue;
    const usable = new Set(usableEvents(run));
    const events = (await eventsReceivedSince(db, run.customerId, new Date(sinceOf(run.customerId)))).filter((e) => usable.has(e.type));
    if (events.length > 0) deliveries.push({ workflowId: run.workflowId, events: events.map(({ receivedAt: _received, ...event }) => event) });
  }
  if (deliveries.length > 0) await starter.deliver(deliveries);
}

/**
 * Runs `start` at most once for `key`. A settled record answers with its recorded result
 * (`fresh: false`): a retried campaign batch counts the customer as before. A pending record
 * (a crash between the start and the record) starts again; the starter's conflict policy
 * turns that into `skipped` when the first start went through, so it is counted as started.
 */
export async function startOnce(
  db: Db,
  key: string,
  kind: string,
  customerId: string,
  journeyId: string,
  start: () => Promise<StartResult>,
): Promise<{ outcome: 'started' | 'skipped' | 'failed'; fresh: boolean }> {
  const { effect, created } = await claimEffect(db, { key, kind, customerId, journeyId }, new Date(activityNow()));
  if (effect.status !== 'pending') {
    return { outcome: effect.result === 'started' || effect.result === 'skipped' ? effect.result : 'failed', fresh: false };
  }
  let outcome: StartResult;
  try {
    outcome = await start();
  } catch (error) {
    if (isUnavailable(error)) throw error;
    await settleEffect(db, key, 'failed', error instanceof Error ? error.message : String(error), new Date(activityNow()));
    return { outcome: 'failed', fresh: true };
  }
  // A pending record we did not create means an earlier attempt may have started the run.
  const result = outcome === 'skipped' && !created ? 'started' : outcome;
  await settleEffect(db, key, 'done', result, new Date(activityNow()));
  return { outcome: result, fresh: true };
}

/** Temporal or the network is down: let the activity retry rather than count failures. */
function isUnavailable(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null && 'code' in error ? (error as { code: unknown }).code : undefined;
  const name = error instanceof Error ? error.name : '';
  return code === 14 || code === 4 || name === 'ServiceError' || name === 'ConnectionError';
}
