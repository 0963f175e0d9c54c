import type { Db } from 'mongodb';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { CustomerProfile } from '../journey/customer.ts';
import { eventKey } from '../journey/event.ts';
import { stableHash } from '../journey/hash.ts';
import type { CustomerEvent, StoredEvent } from '../journey/event.ts';
import { customersCollection, toProfile } from '../store/customers.ts';
import type { CustomerDocument } from '../store/customers.ts';
import { erasedAmong } from '../store/erasures.ts';
import { foldEvents, readOrCreateCustomers, settleQueue, storeEvents, strandedEvents } from '../store/events.ts';
import type { EventStage, StoredItem } from '../store/events.ts';
import { eventEnters, liveTriggeredJourneys } from '../store/journeys.ts';
import type { PublishedJourney } from '../store/journeys.ts';
import { dailyLifecycle, foldAndRescore, readLifecycleContext, recomputeLifecycle, rescoreCustomers, sweepLifecycle, sweepSegmentChange } from '../store/lifecycle.ts';
import type { LifecycleChange, LifecycleContext, LifecycleReport, LifecycleRunOptions } from '../store/lifecycle.ts';
import type { ProfileCondition } from '../journey/condition.ts';
import { anyEvent, registryOf, runsInterestedIn, writeRegistry } from '../store/runs.ts';
import type { RegistryEntry } from '../store/runs.ts';
import type { JourneyRuntime } from './runtime.ts';

/**
 * The event pipeline: the one path every event takes, whoever produced it (the API, a history
 * import, Waymark's own task, coupon and consent events, the daily lifecycle run).
 *
 *   store → fold into the profile → rescore the lifecycle → route to journeys
 *
 * `ingest` stores a batch (the queue entry first, then the event: `store/events.ts`) and answers
 * once it is durable; the later stages run in batches in the background (or before answering,
 * with `wait`). Each stage is idempotent: a fold marks its events on the customer in the same
 * write; scoring is a function of the stored aggregates and records its change events under
 * deterministic ids; routing signals runs that drop an event id they have seen. An event's queue
 * entry is removed when its last stage is done, and says which stages are left when one fails;
 * a retry of the same event, or the sweeper for events nobody retries, finishes them.
 *
 * Batches are batches: one insert per collection, one fold and one rescoring per customer
 * (bulk writes of 32), then routing by the run registry (`store/runs.ts`) with bounded
 * concurrency, in order within each customer. Lifecycle changes an event causes, and those
 * the daily run finds, are stored as events of their own and take the same route stage.
 */

export interface PipelineDeps {
  db: Db;
  runtime: Pick<JourneyRuntime, 'routeEvent'>;
  /** The wall clock; tests pin it. */
  clock?: () => Date;
  logger?: Pick<Logger, 'warn' | 'error'>;
  /** Customers routed at once (default 16). */
  routeConcurrency?: number;
  /** Events per processing batch (default 1000). */
  batchSize?: number;
  /** Batches processed at once, customers split between them (default 2). */
  lanes?: number;
  /** How long journeys, settings and segments are cached, ms (default 2000). */
  cacheMs?: number;
}

/** What happened to one ingested event. */
export interface IngestResult {
  id: string;
  duplicate: boolean;
  /** Every stage was done when the call returned (always after `wait`, unless a stage failed: the sweeper finishes it). */
  finished: boolean;
}

/** Counters since the pipeline was created (benchmarks print them per event). */
export interface PipelineStats {
  events: number;
  batches: number;
  signalled: number;
  started: number;
  signalCalls: number;
  entryCalls: number;
  failedBatches: number;
}

interface Work {
  item: StoredItem;
  done: (ok: boolean) => void;
}

function cached<T>(load: () => Promise<T>, ms: number, clock: () => number): (() => Promise<T>) & { reset(): void } {
  let value: { at: number; promise: Promise<T> } | null = null;
  const get = () => {
    if (value === null || clock() - value.at >= ms) {
      const promise = load();
      value = { at: clock(), promise };
      promise.catch(() => {
        value = null;
      });
    }
    return value.promise;
  };
  return Object.assign(get, {
    reset: () => {
      value = null;
    },
  });
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list === undefined) groups.set(k, [item]);
    else list.push(item);
  }
  return groups;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Creates the pipeline. Call `startSweeper()` in long-running processes; `drain()` waits for work in flight. */
export function createEventPipeline(deps: PipelineDeps) {
  const { db, runtime } = deps;
  const clock = deps.clock ?? (() => new Date());
  const batchSize = deps.batchSize ?? 1000;
  const limit = pLimit(deps.routeConcurrency ?? 16);
  const cacheMs = deps.cacheMs ?? 2_000;
  const journeys = cached(() => liveTriggeredJourneys(db), cacheMs, () => Date.now());
  const lifecycleContext = cached<LifecycleContext>(() => readLifecycleContext(db), cacheMs, () => Date.now());
  const stats: PipelineStats = { events: 0, batches: 0, signalled: 0, started: 0, signalCalls: 0, entryCalls: 0, failedBatches: 0 };

  // Lanes: a customer's events always take the same lane, so they are processed in order, one
  // batch at a time, while another lane's batch overlaps its database round trips.
  const laneCount = Math.max(1, deps.lanes ?? 2);
  const lanes = Array.from({ length: laneCount }, () => ({ queue: [] as Work[], running: null as Promise<void> | null }));
  const laneOf = (customerId: string) => lanes[Math.abs(stableHash(customerId)) % laneCount] as (typeof lanes)[number];
  const queued = () => lanes.reduce((n, lane) => n + lane.queue.length, 0);
  const inFlight = new Set<string>();
  /**
   * Queue entries whose events this process is working on: how many keys the entry holds, how many
   * of them were taken up here and how many are still in a lane. When the last one is done the
   * entry goes (whole, or losing the keys taken up), by one write from one lane.
   */
  const entries = new Map<string, { size: number; seen: number; outstanding: number; keys: string[] }>();
  function taken(item: StoredItem): void {
    if (item.queue === undefined) return;
    const entry = entries.get(item.queue.id) ?? { size: item.queue.size, seen: 0, outstanding: 0, keys: [] };
    entries.set(item.queue.id, entry);
    entry.seen++;
    entry.outstanding++;
  }
  function sourcesOf(items: readonly StoredItem[], recorded: Iterable<StoredItem>) {
    const finished: string[] = [];
    const pull = new Map<string, string[]>();
    for (const item of items) {
      const entry = item.queue === undefined ? undefined : entries.get(item.queue.id);
      if (item.queue === undefined || entry === undefined) continue;
      entry.outstanding--;
      entry.keys.push(item.key);
      if (entry.outstanding > 0) continue;
      entries.delete(item.queue.id);
      if (entry.seen >= entry.size) finished.push(item.queue.id);
      else pull.set(item.queue.id, entry.keys);
    }
    // Change events recorded by this batch: a new one's entry holds only this batch's changes;
    // one recorded before and left unfinished loses its key from its old entry.
    for (const item of recorded) {
      if (item.queue === undefined) continue;
      if (item.status === 'new') finished.push(item.queue.id);
      else pull.set(item.queue.id, [...(pull.get(item.queue.id) ?? []), item.key]);
    }
    return { finished: [...new Set(finished)], pull };
  }
  /** Attempts in flight per customer, for reads that want what was just accepted applied. */
  const pendingByCustomer = new Map<string, Set<Promise<boolean>>>();
  let idle: Array<() => void> = [];

  /**
   * Stores change events for routing and returns those still to route (new, or stored earlier and
   * not routed); `into` collects what was stored, by key, for settling the queue afterwards.
   */
  function recorder(into: Map<string, StoredItem>) {
    return async (events: readonly CustomerEvent[], receivedAt: Date): Promise<StoredEvent[]> => {
      const items = (await storeEvents(db, events, receivedAt, ['route'])).filter((i) => i.status !== 'duplicate');
      for (const item of items) into.set(item.key, item);
      return items.map((i) => i.event);
    };
  }

  /** Routes a customer's events in order; updates `registry` with runs it started. Returns events routed. */
  async function routeCustomer(
    customer: CustomerProfile,
    registry: Record<string, RegistryEntry>,
    events: readonly StoredEvent[],
    live: readonly PublishedJourney[],
    now: number,
  ): Promise<void> {
    const stale: Array<{ customerId: string; slot: string; entry: null }> = [];
    for (const event of events) {
      const entries = live.filter((journey) => eventEnters(journey, event, now));
      const interested = runsInterestedIn(registry, event.type, event.at);
      if (entries.length === 0 && interested.length === 0) continue;
      const result = await runtime.routeEvent({ event, customer, entries, signal: interested.map((r) => r.workflowId), started: interested.filter((r) => r.started).map((r) => r.workflowId) });
      stats.signalCalls += interested.length;
      stats.entryCalls += entries.length;
      stats.signalled += result.signalled;
      stats.started += result.started;
      for (const journey of entries) {
        const workflowId = `journey/${journey.journeyId}/${customer.id}`;
        const at = new Date(now).toISOString();
        if (!Object.values(registry).some((e) => e.workflowId === workflowId)) registry[journey.journeyId] = { workflowId, waitsFor: [anyEvent], since: at, at };
      }
      for (const gone of result.gone) {
        const slot = interested.find((r) => r.workflowId === gone)?.slot;
        if (slot !== undefined) {
          delete registry[slot];
          stale.push({ customerId: customer.id, slot, entry: null });
        }
      }
    }
    if (stale.length > 0) await writeRegistry(db, stale);
  }

  /**
   * Routes events of many customers: `docs` holds each customer's document (profile and run
   * registry), `profiles` the profile as scored just now where there is one. Returns the
   * customers whose routing failed, with the error (their events keep `route` pending).
   */
  async function routeAll(
    byCustomer: Map<string, StoredEvent[]>,
    docs: Map<string, CustomerDocument>,
    profiles: Map<string, CustomerProfile>,
    now: number,
  ): Promise<Map<string, string>> {
    const failed = new Map<string, string>();
    if (byCustomer.size === 0) return failed;
    const live = await journeys();
    await Promise.all(
      [...byCustomer].map(([customerId, events]) =>
        limit(async () => {
          const doc = docs.get(customerId);
          if (doc === undefined) return; // erased meanwhile: nothing to route to
          try {
            const profile = profiles.get(customerId) ?? toProfile(doc);
            await routeCustomer(profile, { ...registryOf(doc as { runs?: unknown }) }, events, live, now);
          } catch (error) {
            failed.set(customerId, message(error));
            deps.logger?.warn({ customerId, error: message(error) }, 'routing failed; the event pipeline will retry');
          }
        }),
      ),
    );
    return failed;
  }

  async function readDocs(ids: readonly string[], known: Map<string, CustomerDocument>): Promise<Map<string, CustomerDocument>> {
    const missing = ids.filter((id) => !known.has(id));
    if (missing.length > 0) for (const doc of await customersCollection(db).find({ _id: { $in: missing } }).toArray()) known.set(doc._id, doc);
    return known;
  }

  /** Runs the stages each item has left. Returns the stages left per key after this attempt. */
  async function processBatch(items: readonly StoredItem[]): Promise<Map<string, EventStage[]>> {
    const now = clock();
    const left = new Map(items.map((i) => [i.key, [...i.pending]]));
    const errors = new Map<string, string>();
    const recorded = new Map<string, StoredItem>();
    const settle = (failure: string) =>
      settleQueue(db, new Map([...left].map(([key, pending]) => [key, { pending, error: errors.get(key) ?? failure }])), sourcesOf(items, recorded.values()), clock());
    const drop = (key: string, stage: EventStage) => left.set(key, (left.get(key) ?? []).filter((s) => s !== stage));
    let stage: EventStage = 'fold';
    try {
      const groups = (list: readonly StoredItem[]) =>
        [...groupBy(list, (i) => i.event.customerId)].map(([customerId, group]) => ({ customerId, events: group.map((i) => ({ key: i.key, event: i.event })) }));
      const options: LifecycleRunOptions = { record: recorder(recorded), context: lifecycleContext };
      // Fold and score: one conditional write per customer (the usual case).
      const both = items.filter((i) => i.pending.includes('fold') && i.pending.includes('score'));
      const combined = await foldAndRescore(db, groups(both), now, options);
      const docs = combined.docs;
      const profiles = combined.customers;
      const changed = [...combined.changes];
      for (const i of both) {
        drop(i.key, 'fold');
        drop(i.key, 'score');
      }
      // Fold only (a history import: scored once at its end).
      const foldOnly = items.filter((i) => i.pending.includes('fold') && !i.pending.includes('score'));
      if (foldOnly.length > 0) for (const [id, doc] of await foldEvents(db, groups(foldOnly), now)) docs.set(id, doc);
      for (const i of foldOnly) drop(i.key, 'fold');

      // Score only: an earlier attempt folded these and stopped.
      stage = 'score';
      const scoring = items.filter((i) => !i.pending.includes('fold') && i.pending.includes('score'));
      if (scoring.length > 0) {
        const scoreGroups = groupBy(scoring, (i) => i.event.customerId);
        await readDocs([...scoreGroups.keys()], docs);
        const scored = await rescoreCustomers(
          db,
          [...scoreGroups].flatMap(([customerId, group]) => {
            const doc = docs.get(customerId);
            return doc === undefined ? [] : [{ doc, events: group.map((i) => i.event) }];
          }),
          now,
          options,
        );
        for (const [id, profile] of scored.customers) profiles.set(id, profile);
        changed.push(...scored.changes);
      }
      for (const i of scoring) drop(i.key, 'score');
      const changes = changed.map((c) => ({ key: eventKey(c.event.customerId, c.event.id), event: c.event }));

      // Route: the events, then the changes they caused, in order per customer.
      stage = 'route';
      const routing = items.filter((i) => i.pending.includes('route'));
      const byCustomer = groupBy([...routing.map((i) => ({ key: i.key, event: i.event })), ...changes], (r) => r.event.customerId);
      await readDocs([...byCustomer.keys()], docs);
      const failed = await routeAll(
        new Map([...byCustomer].map(([id, list]) => [id, list.map((r) => r.event)])),
        docs,
        profiles,
        now.getTime(),
      );
      for (const [customerId, list] of byCustomer) {
        for (const r of list) {
          const error = failed.get(customerId);
          if (error !== undefined) errors.set(r.key, `route: ${error}`);
          if (!left.has(r.key)) left.set(r.key, error === undefined ? [] : ['route']);
          else if (error === undefined) drop(r.key, 'route');
        }
      }
    } catch (error) {
      stats.failedBatches++;
      deps.logger?.warn({ stage, events: items.length, error: message(error) }, 'event stage failed; a retry or the sweeper finishes it');
      // Stages not reached stay pending as they were.
      // Stages not reached stay pending as they were (a queue that cannot be written keeps the old entries).
      await settle(`${stage}: ${message(error)}`).catch(() => undefined);
      return left;
    }
    await settle('unknown');
    stats.events += items.length;
    stats.batches++;
    return left;
  }

  async function loop(lane: (typeof lanes)[number]): Promise<void> {
    await Promise.resolve(); // `running` is set before the loop can end
    while (lane.queue.length > 0) {
      const work = lane.queue.splice(0, batchSize);
      let left: Map<string, EventStage[]>;
      try {
        left = await processBatch(work.map((w) => w.item));
      } catch (error) {
        deps.logger?.error({ error: message(error) }, 'event batch failed');
        left = new Map(work.map((w) => [w.item.key, w.item.pending]));
      }
      for (const w of work) {
        inFlight.delete(w.item.key);
        w.done((left.get(w.item.key) ?? []).length === 0);
      }
    }
    lane.running = null;
    if (lanes.some((l) => l.running !== null)) return;
    const waiting = idle;
    idle = [];
    for (const resolve of waiting) resolve();
  }

  /** Queues stored items for their remaining stages; resolves per item when its attempt ends (true: all done). */
  function enqueue(items: readonly StoredItem[]): Array<Promise<boolean>> {
    const promises = items.map((item) => {
      taken(item);
      const promise = new Promise<boolean>((resolve) => {
        inFlight.add(item.key);
        laneOf(item.event.customerId).queue.push({ item, done: resolve });
      });
      const customerId = item.event.customerId;
      const pending = pendingByCustomer.get(customerId) ?? new Set<Promise<boolean>>();
      pendingByCustomer.set(customerId, pending.add(promise));
      void promise.then(() => {
        pending.delete(promise);
        if (pending.size === 0 && pendingByCustomer.get(customerId) === pending) pendingByCustomer.delete(customerId);
      });
      return promise;
    });
    for (const lane of lanes) if (lane.queue.length > 0) lane.running ??= loop(lane);
    return promises;
  }

  const pipeline = {
    stats: (): PipelineStats => ({ ...stats }),

    /** Journeys were published, paused or resumed: read them again for the next event. */
    journeysChanged(): void {
      journeys.reset();
    },

    /** Segments or lifecycle settings changed: read them again for the next event. */
    lifecycleChanged(): void {
      lifecycleContext.reset();
    },

    /**
     * Stores `events` (in order; an id already stored for the same customer is a duplicate) and
     * runs their other stages: answers once they are stored, or with `wait` once every stage
     * ran. A duplicate of an event whose stages are not all done resumes them. `stages` leaves
     * some out: a history import folds and routes each batch and rescores everyone once at the
     * end, so a history split over batches announces no state the customer was never in.
     */
    async ingest(events: readonly CustomerEvent[], options: { wait?: boolean; now?: Date; stages?: readonly EventStage[] } = {}): Promise<IngestResult[]> {
      // An erased customer's events are dropped before they are stored (a late event must not
      // bring the person back); they are answered as duplicates: nothing new was stored.
      const erased = await erasedAmong(db, new Set(events.map((e) => e.customerId)));
      if (erased.size > 0) {
        const kept = events.filter((e) => !erased.has(e.customerId));
        const results = kept.length === 0 ? [] : await pipeline.ingest(kept, options);
        let next = 0;
        return events.map((e) => (erased.has(e.customerId) ? { id: e.id ?? '', duplicate: true, finished: true } : (results[next++] as IngestResult)));
      }
      const items = await storeEvents(db, events, options.now ?? clock(), options.stages);
      const todo = items.filter((i) => i.status !== 'duplicate' && i.pending.length > 0 && !inFlight.has(i.key));
      const promises = enqueue(todo);
      // Backpressure: a client far ahead of the pipeline waits for it.
      const mustWait = options.wait === true || queued() > 20 * batchSize;
      const finished = new Map<string, boolean>();
      if (mustWait) (await Promise.all(promises)).forEach((done, i) => finished.set((todo[i] as StoredItem).key, done));
      return items.map((item) => ({
        id: item.event.id,
        duplicate: item.status === 'duplicate',
        finished: item.status === 'duplicate' || item.pending.length === 0 || finished.get(item.key) === true,
      }));
    },

    /**
     * Resolves when this process's events of `customerId` accepted so far have been through their
     * stages, or after `timeoutMs`: reads of a customer (profile, journeys, timeline) see what was
     * just accepted, without making the POST wait for it.
     */
    async settled(customerId: string, timeoutMs = 5_000): Promise<void> {
      const pending = pendingByCustomer.get(customerId);
      if (pending === undefined || pending.size === 0) return;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([Promise.all([...pending]).then(() => undefined), timeout]);
      clearTimeout(timer);
    },

    /** Creates a default profile for each of these customers that has none (a history import: events before profiles). */
    async prepareCustomers(ids: readonly string[], now: Date = clock()): Promise<void> {
      await readOrCreateCustomers(db, [...new Set(ids)], now);
    },

    /** Resolves when every event accepted so far has been through its stages (or failed them). */
    async drain(): Promise<void> {
      if (lanes.every((lane) => lane.running === null)) return;
      await new Promise<void>((resolve) => idle.push(resolve));
    },

    /**
     * Finishes events whose stages were left undone for `olderThanMs` (a crash, an outage);
     * returns how many it took up and how many it finished.
     */
    async sweep(options: { olderThanMs?: number; limit?: number } = {}): Promise<{ found: number; finished: number }> {
      const stranded = (await strandedEvents(db, new Date(clock().getTime() - (options.olderThanMs ?? 30_000)), options.limit ?? batchSize)).filter((i) => !inFlight.has(i.key));
      const results = await Promise.all(enqueue(stranded));
      return { found: stranded.length, finished: results.filter(Boolean).length };
    },

    /** Sweeps every `intervalMs` until the returned function is called. */
    startSweeper(intervalMs = 15_000): () => void {
      let busy = false;
      const timer = setInterval(() => {
        if (busy) return;
        busy = true;
        pipeline
          .sweep()
          .catch((error: unknown) => deps.logger?.warn({ error: message(error) }, 'event sweep failed'))
          .finally(() => {
            busy = false;
          });
      }, intervalMs);
      timer.unref();
      return () => clearInterval(timer);
    },

    /** Routes lifecycle change events recorded through `lifecycleOptions().record`, then settles their queue entries. */
    async routeChanges(changes: readonly LifecycleChange[], recorded: Map<string, StoredItem> = new Map()): Promise<void> {
      if (changes.length === 0) return;
      const byCustomer = groupBy(changes, (c) => c.event.customerId);
      const docs = await readDocs([...byCustomer.keys()], new Map());
      const profiles = new Map([...byCustomer].map(([id, list]) => [id, (list.at(-1) as LifecycleChange).customer]));
      const failed = await routeAll(new Map([...byCustomer].map(([id, list]) => [id, list.map((c) => c.event)])), docs, profiles, clock().getTime());
      const keys = changes.map((c) => eventKey(c.event.customerId, c.event.id));
      const items = keys.flatMap((key) => recorded.get(key) ?? []);
      const left = new Map(
        changes.map((c, i) => {
          const error = failed.get(c.event.customerId);
          return [keys[i] as string, { pending: error === undefined ? [] : ['route' as const], error: `route: ${error ?? ''}` }];
        }),
      );
      await settleQueue(db, left, sourcesOf([], items), clock());
      for (const key of keys) recorded.delete(key);
      stats.events += changes.length;
    },

    /** Options for the lifecycle's full recompute and daily sweep: their changes take the route stage. */
    lifecycleOptions(): LifecycleRunOptions {
      const recorded = new Map<string, StoredItem>();
      return { record: recorder(recorded), emit: (changes) => pipeline.routeChanges(changes, recorded) };
    },

    /** The full recompute (`full`) or the daily sweep at `now`, changes routed like any event. */
    /**
     * `daily`: the base model from the profiles, then everyone re-scored (the daily schedule);
     * `sweep`: re-scored with the stored base; `recompute`: everything rebuilt from the events
     * (repair, and the end of a history import).
     */
    async runLifecycle(now: Date, mode: 'recompute' | 'daily' | 'sweep' = 'recompute'): Promise<LifecycleReport & { started: number; signalled: number }> {
      const before = { ...stats };
      let report: LifecycleReport;
      if (mode === 'sweep') report = await sweepLifecycle(db, now, pipeline.lifecycleOptions());
      else {
        const { base: _base, ...rest } = await (mode === 'daily' ? dailyLifecycle : recomputeLifecycle)(db, now, pipeline.lifecycleOptions());
        report = rest;
      }
      return { ...report, started: stats.started - before.started, signalled: stats.signalled - before.signalled };
    },

    /**
     * After segment `segmentId` was saved with rule `condition`: its membership evaluated at once
     * for the customers whose membership can change (its members, and those the rule's indexes
     * or event tallies find; everyone when it names nothing to narrow by), `segment_entered` /
     * `segment_left` routed like any event.
     */
    async refreshSegment(segmentId: string, condition: ProfileCondition, now: Date): Promise<LifecycleReport & { started: number; signalled: number }> {
      pipeline.lifecycleChanged();
      const before = { ...stats };
      const report = await sweepSegmentChange(db, segmentId, condition, now, pipeline.lifecycleOptions());
      return { ...report, started: stats.started - before.started, signalled: stats.signalled - before.signalled };
    },
  };
  return pipeline;
}

export type EventPipeline = ReturnType<typeof createEventPipeline>;
