import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from 'mongodb';
import { arbitrate, claimStaleAfter } from '../journey/index.ts';
import type { CapClaim, CapSlot, CapVerdict, Channel, FrequencyCap } from '../journey/index.ts';
import { addCapGrant, readCapBook } from '../store/capBook.ts';
import type { CapGrant } from '../store/capBook.ts';
import { getVersion } from '../store/journeys.ts';
import { abandonAfterMs, capRows } from '../store/messages.ts';
import type { MessageRecord } from '../store/messages.ts';
import { runningRunsOfCustomer } from '../store/runs.ts';
import type { ActionRequest } from './types.ts';

/** How often a grant is tried again when another send changed the book in between. */
const grantTries = 8;

/** The caps of this send's journey on its channel. */
export function capsOn(request: Pick<ActionRequest, 'settings'>, channel: Channel): FrequencyCap[] {
  return request.settings.frequencyCaps.filter((cap) => cap.channel === channel);
}

/**
 * Decides a capped send (ARCHITECTURE.md, "Priorities across journeys"): reads the customer's
 * cap book, the ledger rows of the channel and the runs waiting at a step of the channel, asks
 * the core's `arbitrate`, and records a grant in the book by compare-and-set. A send granted
 * before (a retry) goes on without asking again.
 */
export async function claimCapSlot(
  db: Db,
  input: { request: Omit<ActionRequest, 'action'> & { action: { idempotencyKey: string } }; channel: Channel; claim: MessageRecord; now: number },
): Promise<CapVerdict> {
  const { request, channel, claim, now } = input;
  const caps = capsOn(request, channel);
  if (caps.length === 0) return { type: 'grant' };
  const key = request.action.idempotencyKey;
  const holder = { journeyId: request.journeyId, journeyName: request.journeyName, ...(request.settings.priority ? { priority: request.settings.priority } : {}) };
  const me: CapClaim = { key, since: Date.parse(claim.createdAt), dueAt: now, ...holder };
  const longest = Math.max(...caps.map((cap) => cap.periodHours)) * 3_600_000;
  for (let attempt = 0; attempt < grantTries; attempt += 1) {
    const book = await readCapBook(db, request.customerId, channel);
    if (book.grants.some((grant) => grant.key === key)) return { type: 'grant' };
    const [rows, waiting] = await Promise.all([
      capRows(db, { customerId: request.customerId, channel, since: new Date(now - longest - abandonAfterMs) }),
      waitingRuns(db, request.customerId, channel, now),
    ]);
    const verdict = arbitrate(me, caps, capView(key, rows, book.grants, waiting), now);
    if (verdict.type === 'wait') return verdict;
    const grant: CapGrant = { key, at: new Date(now).toISOString(), ...holder };
    if (await addCapGrant(db, book, grant, new Date(now))) return verdict;
  }
  throw ApplicationFailure.retryable(`the frequency caps of customer ${request.customerId} are being decided by other sends`, 'CapBusy');
}

/**
 * The slots taken and the claims waiting, from the ledger rows, the book's grants and the runs
 * waiting at a step of the channel. A granted row holds its slot from its grant; a row outside
 * arbitration (a journey without caps on the channel, or written before the book existed) from
 * its claim; a pending row of a capped journey is a claim. A waiting run whose send already has a
 * row is that row's claim, not a second one.
 */
export function capView(
  key: string,
  rows: ReadonlyArray<Pick<MessageRecord, 'key' | 'journeyId' | 'status' | 'createdAt' | 'cap' | 'lease'>>,
  grants: readonly CapGrant[],
  waiting: readonly WaitingRun[],
): { slots: CapSlot[]; claims: CapClaim[] } {
  const granted = new Map(grants.map((grant) => [grant.key, grant]));
  const slots: CapSlot[] = [];
  const claims: CapClaim[] = [];
  for (const row of rows) {
    if (row.key === key) continue;
    const grant = granted.get(row.key);
    const journey = { journeyId: row.journeyId, journeyName: row.cap?.journeyName, priority: row.cap?.priority };
    if (grant !== undefined) slots.push({ key: row.key, at: Date.parse(grant.at), journeyId: grant.journeyId, journeyName: grant.journeyName, priority: grant.priority });
    else if (row.cap === undefined || row.status !== 'pending') slots.push({ key: row.key, at: Date.parse(row.createdAt), ...journey });
    else claims.push({ key: row.key, since: Date.parse(row.createdAt), dueAt: Date.parse(row.lease?.deferredUntil ?? row.createdAt), ...journey });
  }
  for (const run of waiting) {
    const prefix = `${run.runKey}:`;
    if (key.startsWith(prefix) || rows.some((row) => row.key.startsWith(prefix))) continue;
    claims.push({ key: run.runKey, since: run.since, dueAt: run.dueAt, journeyId: run.journeyId, journeyName: run.journeyName, priority: run.priority });
  }
  return { slots, claims };
}

/** A run of the customer waiting (quiet hours, a deferral) at a message step of the channel, due about now. */
export interface WaitingRun extends Omit<CapClaim, 'key'> {
  runKey: string;
}

async function waitingRuns(db: Db, customerId: string, channel: Channel, now: number): Promise<WaitingRun[]> {
  const runs = await runningRunsOfCustomer(db, customerId);
  const found: WaitingRun[] = [];
  for (const run of runs) {
    const until = run.waitingUntil === undefined ? NaN : Date.parse(run.waitingUntil);
    // Only runs due now: a run waiting longer will meet the slots as they are when it comes.
    if (run.nodeId === null || !(until <= now && until >= now - claimStaleAfter)) continue;
    const version = await getVersion(db, run.journeyId, run.version);
    const node = version?.definition.nodes[run.nodeId];
    if (version === null || node?.kind !== channel) continue;
    const { priority } = version.definition.settings;
    found.push({ runKey: run.runKey, since: Date.parse(run.since), dueAt: until, journeyId: run.journeyId, journeyName: version.definition.name, ...(priority ? { priority } : {}) });
  }
  return found;
}
