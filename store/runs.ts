import { MongoBulkWriteError, MongoServerError } from 'mongodb';
import type { Db, Filter } from 'mongodb';
import type { JourneyState } from '../journey/index.ts';
import type { RunRecord } from '../journey/run.ts';
import { paginate } from './documents.ts';
import { forgetRunOutcome, refreshEntryOutcomes, refreshRunOutcome } from './outcomeRollup.ts';
import { applyRunChange, applyRunChanges } from './rollups.ts';
import type { Page, PageRequest } from './documents.ts';

/**
 * Journey runs as reporting sees them: one document per workflow id (`journey/{journeyId}/
 * {customerId}`, plus `/{year}` for date triggers), holding the latest entry of that customer
 * into that journey. The journey workflow upserts it whenever it starts to wait and when it
 * ends. Temporal is the source of truth; this collection makes "how many customers are at each
 * step", "customers at this step" and "may this customer enter again" plain queries that
 * MongoDB and FerretDB both answer, and keyed by `_id` where it matters: FerretDB's SQLite
 * backend scans the whole collection for any other filter.
 */

export type RunRecordStatus = RunRecord['status'];

/**
 * The stored run record: the core's `RunRecord` with the workflow id as `_id`, and — from a
 * campaign's first pass until the run records a step of its own — the interpreter state its
 * batched first steps ended in, which the second pass starts the run from (`activities/campaign.ts`).
 */
export type RunDocument = Omit<RunRecord, 'workflowId'> & { _id: string; startState?: StartState };

/**
 * The interpreter state a campaign keeps for a run's start, without what the record or the
 * customer's document holds already (the customer's view, the steps' history): a few hundred
 * bytes, where the whole state would triple the record (every index of the collection is
 * computed from the whole document on FerretDB).
 */
export type StartState = Omit<JourneyState, 'customer' | 'history'>;

const name = 'journeyRuns';

/** The journeyRuns collection. */
export function runsCollection(db: Db) {
  return db.collection<RunDocument>(name);
}

/** Indexes of journeyRuns (ensured by the worker at start-up; add to `indexPlan()` in db.ts). */
export const runIndexes = [
  // Also the order of the customers at a step (`runsAtNode`: by `since`, then `_id`): on the
  // embedded FerretDB an index ending in the sort field and `_id` lets the patch read the page
  // through an index (see ARCHITECTURE.md, "Indexes").
  { key: { journeyId: 1, status: 1, nodeId: 1, since: 1, _id: 1 } },
  { key: { journeyId: 1, visited: 1 } },
  { key: { customerId: 1, startedAt: -1 } },
] as const;

/** Creates the indexes of journeyRuns (idempotent). */
export async function ensureRunIndexes(db: Db): Promise<void> {
  for (const index of runIndexes) await runsCollection(db).createIndex({ ...index.key });
}

/**
 * Where a run is now, written when it starts to wait and when it ends: the record without its
 * bookkeeping times; `first` marks an entry's first record (it replaces an earlier entry's).
 */
export type RunUpdate = Omit<RunRecord, 'updatedAt' | 'completedAt'> & {
  first: boolean;
  at: string;
  /** Written only when no record of this entry (`runKey`) exists yet: a retried batch's record. */
  unlessRecorded?: boolean;
  /** A campaign's first record of a run that has not started yet: the state it starts from. */
  startState?: StartState;
};

/**
 * Upserts a run's progress in one write (FerretDB's SQLite backend serialises writes, and every
 * run makes a few), then applies the difference it made to the journey's step counters
 * (`store/rollups.ts`) and, for a new entry or a split step passed, to its outcome counters
 * (`store/outcomeRollup.ts`). Idempotent: a retried or replayed write sets the same fields and
 * adds nothing to the counters.
 */
export async function recordRun(db: Db, update: RunUpdate): Promise<void> {
  const { set, unset } = runFields(update);
  let before: RunDocument | null;
  try {
    before = await runsCollection(db).findOneAndUpdate(
      // A write made for the run from outside it (a retried campaign batch recording where the
      // batched first steps ended) never overwrites what the run itself recorded since.
      update.unlessRecorded ? { _id: update.workflowId, runKey: { $ne: update.runKey } } : { _id: update.workflowId },
      {
        $set: set,
        ...(update.first ? {} : { $addToSet: { visited: { $each: update.visited } } }),
        ...(Object.keys(unset).length > 0 ? { $unset: unset } : {}),
      },
      { upsert: true, returnDocument: 'before' },
    );
  } catch (error) {
    // The upsert met the record of this very entry: it stays as the run left it.
    if (update.unlessRecorded && error instanceof MongoServerError && error.code === 11000) return;
    throw error;
  }
  const visited = update.first || before === null ? update.visited : [...new Set([...before.visited, ...update.visited])];
  await applyRunChange(db, update.journeyId, before, { status: update.status, nodeId: update.nodeId, visited });
  const run = { _id: update.workflowId, customerId: update.customerId, startedAt: update.startedAt, version: update.version, visited };
  const passed = update.first || before === null ? null : new Set(before.visited);
  await refreshRunOutcome(db, update.journeyId, run, passed === null, visited.filter((node) => passed?.has(node) !== true));
}

/**
 * The first records of many entries of one journey (a campaign page's batched first steps), each
 * written only when no record of the same entry (`runKey`) exists yet — a retried page never
 * replaces what a run recorded since: one read of the records, a bulk insert of the new ones (and
 * a bulk upsert of those replacing an earlier entry's record), one update of the journey's step
 * counters, whatever the page's size; and the new entrants' outcome figures, unless `outcomes`
 * is false (a campaign's first pass leaves them to its second, `refreshEntryOutcomes`).
 */
export async function recordFirstRuns(db: Db, journeyId: string, updates: readonly RunUpdate[], options: { outcomes?: boolean } = {}): Promise<void> {
  if (updates.length === 0) return;
  const existing = await getRuns(db, updates.map((u) => u.workflowId));
  const fresh = updates.filter((u) => existing.get(u.workflowId)?.runKey !== u.runKey);
  if (fresh.length === 0) return;
  // No record under the workflow id yet (most of a campaign's audience): an insert, which costs
  // FerretDB less than an upsert that must look for the document first (a quick win-back's 300
  // first records: 130 ms against 212 ms). An insert that meets a record written since the read
  // is made the upsert after all.
  const inserted = fresh.filter((u) => !existing.has(u.workflowId));
  const insertFailed = await writeIgnoringDuplicates(db, inserted.map((u) => ({ insertOne: { document: { _id: u.workflowId, ...runFields({ ...u, first: true }).set } as RunDocument } })));
  const upserted = [...fresh.filter((u) => existing.has(u.workflowId)), ...insertFailed.map((i) => inserted[i]).filter((u) => u !== undefined)];
  await writeIgnoringDuplicates(
    db,
    upserted.map((u) => {
      const { set, unset } = runFields({ ...u, first: true });
      return {
        updateOne: {
          filter: { _id: u.workflowId, runKey: { $ne: u.runKey } },
          update: { $set: set, ...(Object.keys(unset).length > 0 ? { $unset: unset } : {}) },
          upsert: true,
        },
      };
    }),
  );
  await applyRunChanges(
    db,
    journeyId,
    fresh.map((u) => ({ before: existing.get(u.workflowId) ?? null, after: { status: u.status, nodeId: u.nodeId, visited: u.visited } })),
  );
  if (options.outcomes === false) return;
  await refreshEntryOutcomes(
    db,
    journeyId,
    fresh.map((u) => ({ _id: u.workflowId, customerId: u.customerId, startedAt: u.startedAt, version: u.version, visited: u.visited })),
  );
}

/**
 * An unordered bulk write of run records; returns the indexes of the operations that met a
 * record already there (duplicate key: for an upsert, the record of its very entry, which
 * stays). Any other error is thrown.
 */
async function writeIgnoringDuplicates(db: Db, ops: Parameters<ReturnType<typeof runsCollection>['bulkWrite']>[0]): Promise<number[]> {
  if (ops.length === 0) return [];
  try {
    await runsCollection(db).bulkWrite(ops, { ordered: false });
    return [];
  } catch (error) {
    if (error instanceof MongoServerError && !(error instanceof MongoBulkWriteError) && error.code === 11000) return ops.map((_, i) => i);
    if (!(error instanceof MongoBulkWriteError)) throw error;
    const failures = [error.writeErrors].flat();
    if (!failures.every((w) => w.code === 11000)) throw error;
    return failures.map((w) => w.index);
  }
}

/** The fields a progress write sets and unsets. */
function runFields(update: RunUpdate): { set: Record<string, unknown>; unset: Record<string, ''> } {
  const set: Record<string, unknown> = {
    runKey: update.runKey,
    journeyId: update.journeyId,
    version: update.version,
    customerId: update.customerId,
    status: update.status,
    nodeId: update.nodeId,
    waitingFor: update.waitingFor,
    variables: update.variables,
    history: update.history,
    startedAt: update.startedAt,
    since: update.since,
    updatedAt: update.at,
  };
  if (update.campaignId !== undefined) set['campaignId'] = update.campaignId;
  if (update.waitingUntil !== undefined) set['waitingUntil'] = update.waitingUntil;
  if (update.reason !== undefined) {
    set['reason'] = update.reason;
    set['completedAt'] = update.at;
  }
  if (update.first) set['visited'] = update.visited;
  const unset: Record<string, ''> = {};
  // A run's own record drops the state a campaign kept for its start (it has started).
  if (update.startState === undefined) unset['startState'] = '';
  else set['startState'] = update.startState;
  if (update.waitingUntil === undefined) unset['waitingUntil'] = '';
  if (update.first && update.reason === undefined) Object.assign(unset, { reason: '', completedAt: '' });
  return { set, unset };
}

/**
 * Removes every run record of a customer (erasure), taking each out of its journey's step
 * and outcome counters. Returns how many were removed.
 */
export async function deleteCustomerRuns(db: Db, customerId: string): Promise<number> {
  let removed = 0;
  for (const run of await runsCollection(db).find({ customerId }, { projection: { _id: 1 } }).toArray()) {
    const before = await runsCollection(db).findOneAndDelete({ _id: run._id });
    if (before === null) continue;
    removed++;
    await applyRunChange(db, before.journeyId, before, null);
    await forgetRunOutcome(db, before._id);
  }
  return removed;
}

/** The run record of a workflow id (the latest entry under it), or null. */
export async function getRun(db: Db, workflowId: string): Promise<RunDocument | null> {
  return runsCollection(db).findOne({ _id: workflowId });
}

/** The run records of many workflow ids at once (one `_id $in` query), by workflow id. */
export async function getRuns(db: Db, workflowIds: readonly string[]): Promise<Map<string, RunDocument>> {
  if (workflowIds.length === 0) return new Map();
  const docs = await runsCollection(db).find({ _id: { $in: [...workflowIds] } }).toArray();
  return new Map(docs.map((doc) => [doc._id, doc]));
}

/** The runs of a customer, newest first, a page at a time. */
export async function pageRunsOfCustomer(db: Db, customerId: string, page: PageRequest): Promise<Page<RunDocument>> {
  return paginate(runsCollection(db), { customerId }, page, { field: 'startedAt', direction: -1 });
}

/** Running runs of a customer (cancellation on erasure). */
export async function runningRunsOfCustomer(db: Db, customerId: string): Promise<RunDocument[]> {
  return runsCollection(db).find({ customerId, status: 'running' }).toArray();
}

/** The latest run of a customer in a journey among the given workflow ids (date triggers have one per year). */
export async function latestRunOf(db: Db, workflowIds: readonly string[]): Promise<RunDocument | null> {
  const docs = await runsCollection(db).find({ _id: { $in: [...workflowIds] } }).toArray();
  return docs.sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0] ?? null;
}

/**
 * Customers currently at a step, longest-waiting first: a page read through the
 * `journeyId_1_status_1_nodeId_1_since_1__id_1` index, on MongoDB and (patched) FerretDB alike.
 */
export async function runsAtNode(db: Db, journeyId: string, nodeId: string, page: PageRequest): Promise<Page<RunDocument>> {
  const filter: Filter<RunDocument> = { journeyId, status: 'running', nodeId };
  return paginate(runsCollection(db), filter, page, { field: 'since' });
}

// --- The run registry -------------------------------------------------------------------------

/**
 * Which runs a customer has and what each can use, kept on the customer's own document under
 * `runs.<slot>` so the event pipeline finds them in the read it makes anyway (no query by
 * customer, which FerretDB would answer with a scan). A starter registers a run before starting
 * it (waiting for anything: it has not said what it waits for yet); the run's progress record
 * then narrows it to the events it can use (the event it waits for, its goal, the events its
 * conditions count) and removes it when the run ends. An entry left behind (a progress record
 * given up) is removed by the pipeline when Temporal answers that the run is gone.
 */
export interface RegistryEntry {
  workflowId: string;
  /** Event types the run can use; `*` for any (a run just started). */
  waitsFor: string[];
  /** When the run entered (or was about to): an event from well before cannot be part of it. */
  since?: string;
  at: string;
}

/** How much older than a run's entry an event may be and still reach it (clocks differ). */
const entrySlackMs = 3_600_000;

/** `waitsFor` of a run that may use any event. */
export const anyEvent = '*';

/** The registry field of a run: its journey, and the year of a date-triggered one. */
export function registrySlot(journeyId: string, customerId: string, workflowId: string): string {
  const plain = `journey/${journeyId}/${customerId}`;
  return workflowId.length > plain.length && workflowId.startsWith(`${plain}/`) ? `${journeyId}~${workflowId.slice(plain.length + 1)}` : journeyId;
}

/** The registry of a customer document (absent: no runs). */
export function registryOf(doc: { runs?: unknown }): Record<string, RegistryEntry> {
  const runs = doc.runs;
  return typeof runs === 'object' && runs !== null ? (runs as Record<string, RegistryEntry>) : {};
}

/**
 * The runs of a registry that can use an event of `type` that happened at `at`: those waiting for
 * the type (or anything) that entered no more than an hour after it (a history import's old
 * orders do not satisfy a run that began today).
 */
export function runsInterestedIn(registry: Record<string, RegistryEntry>, type: string, at?: string): Array<{ slot: string; workflowId: string; started: boolean }> {
  const happened = at === undefined ? Number.POSITIVE_INFINITY : Date.parse(at);
  return Object.entries(registry)
    .filter(([, entry]) => entry.waitsFor.includes(type) || entry.waitsFor.includes(anyEvent))
    .filter(([, entry]) => entry.since === undefined || happened >= Date.parse(entry.since) - entrySlackMs)
    .map(([slot, entry]) => ({ slot, workflowId: entry.workflowId, started: hasStarted(entry) }));
}

/**
 * Whether a registry entry was written by its run's progress, after the run started: a starter
 * registers a run as waiting for anything before starting it, and progress names what the run
 * waits for. Such a run may be woken by signal-with-start (runtime/temporal.ts, `wake`).
 */
export function hasStarted(entry: RegistryEntry): boolean {
  return !entry.waitsFor.includes(anyEvent);
}

/** The workflow ids of the customers' runs that have started (`hasStarted`), from their registries (one read). */
export async function startedRunsOf(db: Db, customerIds: readonly string[]): Promise<Set<string>> {
  const docs = await db.collection<{ _id: string; runs?: unknown }>('customers').find({ _id: { $in: [...new Set(customerIds)] } }, { projection: { runs: 1 } }).toArray();
  return new Set(docs.flatMap((doc) => Object.values(registryOf(doc)).filter(hasStarted).map((entry) => entry.workflowId)));
}

/** Sets (or with null removes) one run's entry. Never creates a customer. */
export async function setRegistryEntry(db: Db, customerId: string, slot: string, entry: RegistryEntry | null): Promise<void> {
  await writeRegistry(db, [{ customerId, slot, entry }]);
}

/** Sets or removes many entries (bulk, 500 per command). */
export async function writeRegistry(db: Db, writes: ReadonlyArray<{ customerId: string; slot: string; entry: RegistryEntry | null }>): Promise<void> {
  const ops = writes.map(({ customerId, slot, entry }) => ({
    updateOne: { filter: { _id: customerId }, update: entry === null ? { $unset: { [`runs.${slot}`]: '' as const } } : { $set: { [`runs.${slot}`]: entry } } },
  }));
  for (let i = 0; i < ops.length; i += 500) await db.collection<{ _id: string }>('customers').bulkWrite(ops.slice(i, i + 500), { ordered: false });
}
