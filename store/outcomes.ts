import type { Db, Filter } from 'mongodb';
import { LifecycleStage } from '../journey/customer.ts';
import type { JourneyDefinition } from '../journey/definition.ts';
import { compareArms, emptyOutcomeMetrics, mergeOutcomeMetrics, outcomeMetrics } from '../journey/lifecycle/outcomes.ts';
import type { ArmOutcome, Entrant, OutcomeEvent, OutcomeGoal, OutcomeMetrics } from '../journey/lifecycle/outcomes.ts';
import { HOLDOUT_ARM, SplitConfig, splitArm } from '../journey/nodes/split.ts';
import { DAY } from '../journey/time.ts';
import { couponsCollection } from './coupons.ts';
import { eventsCollection } from './events.ts';
import type { EventDocument } from './events.ts';
import { getJourney, getVersion } from './journeys.ts';
import { runsCollection } from './runs.ts';

/**
 * Outcome figures of a journey or a segment, read from the database page by page; the maths
 * (metrics, lift, intervals) is journey/lifecycle/outcomes.ts and lift.ts.
 *
 * Who entered:
 * - a journey: its run records (`journeyRuns`, one per workflow id: the latest entry of each
 *   customer, one per year for date triggers), entered at `startedAt`; the arm at each split
 *   step the run passed is the split's own stable assignment (`splitArm`) under the run's version;
 * - a segment: its `segment_entered` events, each one an entry at the event's time.
 *
 * Per page of entrants (`pageSize`, default 2,000) there are two reads per thousand entrants —
 * the entrants' events of the types the figures need (goal, `order_completed`, `coupon_redeemed`,
 * `stage_changed`) and their coupons — both streamed and folded per entrant; only events inside an entrant's goal
 * window are kept. No aggregation pipeline (FerretDB lacks most of it), nothing loaded whole;
 * pages are summed with `mergeOutcomeMetrics`.
 *
 * What an entrant brings from before the entry: the stage they were in (the `to` of their last
 * `stage_changed` at or before entry; unknown without one, so not counted for win-back) and how
 * many orders they had placed (`order_completed` events before entry).
 */

export interface OutcomeGoalUsed extends OutcomeGoal {
  /** Where the goal came from: the journey's settings, the request, or the default. */
  source: 'journey' | 'request' | 'default';
}

export interface OutcomeReport {
  goal: OutcomeGoalUsed;
  metrics: OutcomeMetrics;
  /** Entrants whose goal window has not closed yet at `now` (they may still convert). */
  windowOpen: number;
}

export interface SplitOutcome {
  nodeId: string;
  arms: ArmOutcome[];
}

export interface JourneyOutcomeReport extends OutcomeReport {
  splits: SplitOutcome[];
  /** Where the figures come from: the journey's outcome counters, or a scan of its entrants. */
  source: 'counters' | 'scan';
}

/** What the caller may set instead of the journey's goal (or the default `order_completed` in 30 days). */
export interface GoalOverride {
  eventType?: string | undefined;
  windowDays?: number | undefined;
}

export interface OutcomeOptions extends GoalOverride {
  now: Date;
  /** Entrants per page (default 2,000). */
  pageSize?: number;
}

export const defaultOutcomeGoal: OutcomeGoal = { eventType: 'order_completed', filter: [], windowDays: 30 };

const orderType = 'order_completed';
const redeemedType = 'coupon_redeemed';
const stageType = 'stage_changed';

/** One entry being assembled from the reads. */
interface Draft {
  entrant: Entrant & { events: OutcomeEvent[] };
  /** When the stage at entry was last seen changing (before or at entry). */
  stageSeenAt: number;
  /** Split step id → arm (journeys). */
  arms: ReadonlyMap<string, string>;
}

function resolveGoal(configured: OutcomeGoal | undefined, override: GoalOverride): OutcomeGoalUsed {
  const base = configured ?? defaultOutcomeGoal;
  const eventType = override.eventType ?? base.eventType;
  return {
    eventType,
    // A different goal event drops the configured filter: it was written for the other event.
    filter: eventType === base.eventType ? base.filter : [],
    windowDays: override.windowDays ?? base.windowDays,
    source: override.eventType !== undefined || override.windowDays !== undefined ? 'request' : configured === undefined ? 'default' : 'journey',
  };
}

/** The accumulating figures of a report: the whole group, and per split step and arm. */
class Totals {
  metrics = emptyOutcomeMetrics();
  windowOpen = 0;
  readonly splits = new Map<string, Map<string, OutcomeMetrics>>();

  constructor(readonly goal: OutcomeGoal) {}

  add(drafts: ReadonlyArray<{ entrant: Entrant; arms: ReadonlyMap<string, string> }>, now: number): void {
    const entrants = drafts.map((d) => d.entrant);
    this.metrics = mergeOutcomeMetrics(this.metrics, outcomeMetrics(entrants, this.goal));
    this.windowOpen += entrants.filter((e) => e.enteredAt + this.goal.windowDays * DAY > now).length;
    const byStep = new Map<string, Map<string, Entrant[]>>();
    for (const { entrant, arms } of drafts) {
      for (const [nodeId, arm] of arms) {
        const byArm = byStep.get(nodeId) ?? new Map<string, Entrant[]>();
        byStep.set(nodeId, byArm);
        const list = byArm.get(arm) ?? [];
        byArm.set(arm, list);
        list.push(entrant);
      }
    }
    for (const [nodeId, byArm] of byStep) {
      const totals = this.splits.get(nodeId) ?? new Map<string, OutcomeMetrics>();
      for (const [arm, list] of byArm) totals.set(arm, mergeOutcomeMetrics(totals.get(arm) ?? emptyOutcomeMetrics(), outcomeMetrics(list, this.goal)));
      this.splits.set(nodeId, totals);
    }
  }

  splitOutcomes(): SplitOutcome[] {
    return [...this.splits.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([nodeId, byArm]) => ({ nodeId, arms: compareArms(byArm, HOLDOUT_ARM) }));
  }
}

/**
 * Ids per `$in` read: the bootstrap's FerretDB patch pushes a `$in` of at most 1,000 strings
 * down to SQLite's index; a longer list is filtered in FerretDB's handler, over every document.
 */
const inChunk = 1_000;

/** The documents of `read` over `ids`, `inChunk` ids per read. */
async function* inChunks<T>(ids: readonly string[], read: (chunk: string[]) => AsyncIterable<T>): AsyncGenerator<T> {
  for (let i = 0; i < ids.length; i += inChunk) yield* read(ids.slice(i, i + inChunk));
}

/**
 * Fills the drafts of one page from the entrants' events and coupons: streamed reads by the
 * `customerId` indexes, a thousand entrants per read.
 */
async function fillPage(db: Db, drafts: readonly Draft[], goal: OutcomeGoal): Promise<void> {
  const byCustomer = new Map<string, Draft[]>();
  for (const draft of drafts) {
    const list = byCustomer.get(draft.entrant.customerId) ?? [];
    byCustomer.set(draft.entrant.customerId, list);
    list.push(draft);
  }
  const ids = [...byCustomer.keys()];
  const windowEnd = (d: Draft) => d.entrant.enteredAt + goal.windowDays * DAY;
  const kept = new Set([goal.eventType, orderType, redeemedType]);

  const types = [...new Set([goal.eventType, orderType, redeemedType, stageType])];
  const events = (chunk: string[]) =>
    eventsCollection(db).find({ customerId: { $in: chunk }, type: { $in: types } }, { projection: { customerId: 1, type: 1, at: 1, properties: 1 }, batchSize: 5_000 });
  for await (const doc of inChunks(ids, events)) {
    const at = Date.parse(doc.at);
    for (const draft of byCustomer.get(doc.customerId) ?? []) {
      const { entrant } = draft;
      if (doc.type === stageType && at <= entrant.enteredAt && at >= draft.stageSeenAt) {
        const stage = LifecycleStage.safeParse(doc.properties['to']);
        if (stage.success) {
          entrant.stageAtEntry = stage.data;
          draft.stageSeenAt = at;
        }
      }
      if (doc.type === orderType && at < entrant.enteredAt) entrant.ordersBeforeEntry++;
      if (kept.has(doc.type) && at >= entrant.enteredAt && at <= windowEnd(draft)) {
        entrant.events.push({ type: doc.type, at, properties: doc.properties });
      }
    }
  }

  const earliest = drafts.reduce((min, d) => Math.min(min, d.entrant.enteredAt), Infinity);
  const coupons = (chunk: string[]) =>
    couponsCollection(db).find({ customerId: { $in: chunk }, issuedAt: { $gte: new Date(earliest).toISOString() } }, { projection: { customerId: 1, issuedAt: 1 }, batchSize: 5_000 });
  for await (const coupon of inChunks(ids, coupons)) {
    const at = Date.parse(coupon.issuedAt);
    for (const draft of byCustomer.get(coupon.customerId) ?? []) {
      if (at >= draft.entrant.enteredAt && at <= windowEnd(draft)) draft.entrant.couponsIssued++;
    }
  }
}

function draftOf(customerId: string, enteredAt: number, arms: ReadonlyMap<string, string> = new Map()): Draft {
  return { entrant: { customerId, enteredAt, ordersBeforeEntry: 0, couponsIssued: 0, events: [] }, stageSeenAt: -Infinity, arms };
}

/** The split steps of a version, by id. */
function splitsOf(definition: JourneyDefinition): Map<string, SplitConfig> {
  const splits = new Map<string, SplitConfig>();
  for (const [nodeId, node] of Object.entries(definition.nodes)) {
    if (node.kind !== 'split') continue;
    const config = SplitConfig.safeParse(node.config);
    if (config.success) splits.set(nodeId, config.data);
  }
  return splits;
}

/** What the entrant pass reads of a run record. */
export interface EntrantRun {
  _id: string;
  customerId: string;
  startedAt: string;
  version: number;
  visited: readonly string[];
}

/** One entrant of a journey with what its reads found: the run, the entrant, its arms. */
export interface FilledEntrant {
  run: EntrantRun;
  entrant: Entrant;
  arms: ReadonlyMap<string, string>;
}

/** What the outcomes read of a published version: its split steps and goal. */
interface VersionFacts {
  splits: Map<string, SplitConfig>;
  goal: OutcomeGoal | undefined;
}

/** Per database and `journeyId@version` (versions never change once published). */
const versionFacts = new WeakMap<Db, Map<string, VersionFacts>>();

/** A version's split steps and goal, read once per process; null when there is no such version. */
async function factsOf(db: Db, journeyId: string, version: number): Promise<VersionFacts | null> {
  let cache = versionFacts.get(db);
  if (cache === undefined) versionFacts.set(db, (cache = new Map()));
  const key = `${journeyId}@${version}`;
  const known = cache.get(key);
  if (known !== undefined) return known;
  const record = await getVersion(db, journeyId, version);
  if (record === null) return null;
  const facts = { splits: splitsOf(record.definition), goal: record.definition.settings.goal };
  cache.set(key, facts);
  return facts;
}

/** The split steps of a journey's versions, each version read once per process. */
export function splitCache(db: Db, journeyId: string): (version: number) => Promise<Map<string, SplitConfig>> {
  return async (version) => (await factsOf(db, journeyId, version))?.splits ?? new Map<string, SplitConfig>();
}

/**
 * The entrants of the given runs of a journey, filled from their events and coupons (the reads
 * of `fillPage`, a thousand customers per read): what the scan folds and the outcome counters
 * (store/outcomeRollup.ts) store per run.
 */
export async function fillEntrants(
  db: Db,
  journeyId: string,
  runs: readonly EntrantRun[],
  goal: OutcomeGoal,
  splitsAt: (version: number) => Promise<Map<string, SplitConfig>> = splitCache(db, journeyId),
): Promise<FilledEntrant[]> {
  const drafts: Array<Draft & { run: EntrantRun }> = [];
  for (const run of runs) {
    const arms = new Map<string, string>();
    for (const [nodeId, config] of await splitsAt(run.version)) {
      if (run.visited.includes(nodeId)) arms.set(nodeId, splitArm(config, journeyId, nodeId, run.customerId));
    }
    drafts.push({ ...draftOf(run.customerId, Date.parse(run.startedAt), arms), run });
  }
  if (drafts.length > 0) await fillPage(db, drafts, goal);
  return drafts.map(({ run, entrant, arms }) => ({ run, entrant, arms }));
}

/**
 * Every entrant of a journey, filled, a page at a time: one pass over the journey's runs (an
 * index search on `journeyId`). Keyset pages (`_id > last`, sorted) would read every run of the
 * journey again per page on FerretDB, which sorts in its handler.
 */
export async function* journeyEntrants(db: Db, journeyId: string, goal: OutcomeGoal, pageSize = 2_000): AsyncGenerator<FilledEntrant[]> {
  const splitsAt = splitCache(db, journeyId);
  const runs = runsCollection(db).find({ journeyId }, { projection: { customerId: 1, startedAt: 1, version: 1, visited: 1 }, batchSize: pageSize });
  let page: EntrantRun[] = [];
  for await (const run of runs) {
    page.push(run);
    if (page.length >= pageSize) {
      yield await fillEntrants(db, journeyId, page, goal, splitsAt);
      page = [];
    }
  }
  if (page.length > 0) yield await fillEntrants(db, journeyId, page, goal, splitsAt);
}

/** The goal of a journey's latest published version (null: the journey does not exist). */
export async function journeyGoal(db: Db, journeyId: string): Promise<OutcomeGoal | null | undefined> {
  const journey = await getJourney(db, journeyId);
  if (journey === null) return null;
  return journey.latestVersion > 0 ? (await factsOf(db, journeyId, journey.latestVersion))?.goal : undefined;
}

/**
 * The journey's own goal with the request's overrides applied, or null when the journey does
 * not exist.
 */
export async function resolveJourneyGoal(db: Db, journeyId: string, override: GoalOverride): Promise<OutcomeGoalUsed | null> {
  const configured = await journeyGoal(db, journeyId);
  if (configured === null) return null;
  return resolveGoal(configured, override);
}

/**
 * Outcomes of a journey by a scan: every recorded entry (latest per customer), its arms at
 * split steps, and what the entrants did within the goal window. Exact for any goal and window;
 * O(entrants). Null when the journey does not exist.
 */
export async function scanJourneyOutcomes(db: Db, journeyId: string, options: OutcomeOptions): Promise<JourneyOutcomeReport | null> {
  const goal = await resolveJourneyGoal(db, journeyId, options);
  if (goal === null) return null;
  const totals = new Totals(goal);
  for await (const page of journeyEntrants(db, journeyId, goal, options.pageSize)) {
    totals.add(page, options.now.getTime());
  }
  return { goal, metrics: totals.metrics, windowOpen: totals.windowOpen, splits: totals.splitOutcomes(), source: 'scan' };
}

/**
 * Outcomes of a segment: every entry into it (`segment_entered`), and what the entrant did
 * within the goal window (`order_completed` in 30 days unless the caller says otherwise).
 */
export async function segmentOutcomes(db: Db, segmentId: string, options: OutcomeOptions): Promise<OutcomeReport> {
  const goal = resolveGoal(undefined, options);
  const totals = new Totals(goal);
  const pageSize = options.pageSize ?? 2_000;
  let after: string | null = null;
  for (;;) {
    const filter: Filter<EventDocument> = { type: 'segment_entered', 'properties.segment': segmentId };
    if (after !== null) filter._id = { $gt: after };
    const page = await eventsCollection(db).find(filter, { projection: { customerId: 1, at: 1 } }).sort({ _id: 1 }).limit(pageSize).toArray();
    const drafts = page.map((event) => draftOf(event.customerId, Date.parse(event.at)));
    if (drafts.length > 0) {
      await fillPage(db, drafts, goal);
      totals.add(drafts, options.now.getTime());
    }
    const last = page.at(-1);
    if (last === undefined || page.length < pageSize) break;
    after = last._id;
  }
  return { goal, metrics: totals.metrics, windowOpen: totals.windowOpen };
}
