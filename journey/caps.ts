import { z } from 'zod';
import { HOUR, MINUTE } from './time.ts';
import { JourneyPriority, priorityRank } from './settings.ts';
import type { FrequencyCap } from './settings.ts';

/**
 * Arbitration of frequency caps shared across journeys (see ARCHITECTURE.md, "Priorities across
 * journeys"). Pure: the activity reads the slots and claims, asks `arbitrate`, and records a grant
 * in one atomic write (`store/capBook.ts`), so two sends deciding at once cannot both take the
 * last slot.
 */

/** What a message step does when a shared frequency cap has no room: wait for it (default), or skip to its `failed` exit. */
export const OnCap = z.enum(['wait', 'skip']);
export type OnCap = z.infer<typeof OnCap>;

/**
 * Why a message waited for, or skipped, a shared frequency cap: kept on its ledger row, shown
 * by the customer's timeline and counted by the journey's stats.
 */
export const CapNote = z.object({
  outcome: z.enum(['waited', 'skipped']),
  /** `full`: the cap's slots are taken; `yield`: a higher-priority message is due and goes first. */
  reason: z.enum(['full', 'yield']),
  /** The journey whose message holds the slot, or goes first. */
  byJourneyId: z.string().optional(),
  byJourneyName: z.string().optional(),
  byPriority: JourneyPriority.optional(),
  /** When the message asks again (waited). */
  until: z.iso.datetime().optional(),
  at: z.iso.datetime(),
  /** In words: "capped by journey Flash sale, priority high". */
  detail: z.string(),
});
export type CapNote = z.infer<typeof CapNote>;

/** What shared frequency caps did at a message step: messages that waited or were skipped, and the journeys that went first. */
export const CappedStep = z.object({
  nodeId: z.string(),
  waited: z.number().int().nonnegative().describe('messages that waited for a cap slot (some may have been sent since)'),
  skipped: z.number().int().nonnegative().describe('messages skipped to the failed exit (onCap: skip)'),
  by: z.array(
    z.object({
      journeyId: z.string().optional(),
      journeyName: z.string().optional(),
      priority: JourneyPriority.optional(),
      waited: z.number().int().nonnegative(),
      skipped: z.number().int().nonnegative(),
    }),
  ),
});
export type CappedStep = z.infer<typeof CappedStep>;

/** The journey behind a slot or a claim, to say who capped a message. */
export interface CapHolder {
  journeyId?: string | undefined;
  journeyName?: string | undefined;
  priority?: JourneyPriority | undefined;
}

/** A send that holds a slot of the customer's channel since `at` (granted, or sent outside arbitration). */
export interface CapSlot extends CapHolder {
  key: string;
  at: number;
}

/**
 * A send that wants a slot and has not got one: a pending ledger row of a capped journey, or a
 * run waiting (quiet hours, a deferral) at a message step of the channel. `dueAt` is when it may
 * go; `since` orders claims of equal priority (first come, first served).
 */
export interface CapClaim extends CapHolder {
  key: string;
  since: number;
  dueAt: number;
}

/** The decision for one send: take a slot, or wait until `until` because of `by`. */
export type CapVerdict =
  | { type: 'grant' }
  | { type: 'wait'; until: number; reason: 'full' | 'yield'; by: CapHolder };

/** A claim yields to a higher-priority claim that is due for this long after it became due; a claim not back by then is taken for gone. */
export const claimStaleAfter = HOUR;
/** A claim due this soon counts as due now (workers' clocks differ a little). */
const dueMargin = MINUTE;
/** How soon a send that yielded to a due higher-priority send asks again (by then that one took its slot). */
export const yieldRecheck = 5 * MINUTE;

/** Whether claim `a` goes before claim `b`: higher priority first, then the earlier claim, then the key. */
export function goesFirst(a: CapHolder & { since: number; key: string }, b: CapHolder & { since: number; key: string }): boolean {
  const ra = priorityRank(a.priority);
  const rb = priorityRank(b.priority);
  if (ra !== rb) return ra > rb;
  if (a.since !== b.since) return a.since < b.since;
  return a.key < b.key;
}

/**
 * Decides whether `me` may send now under `caps` (this channel's caps of my journey):
 *
 * - every cap counts the slots taken in its window (any journey's); a full cap makes the send
 *   wait until enough of them leave the window;
 * - the room left goes to the claims that go before mine (higher priority, or same priority and
 *   older) and are due now; while they fill it, mine yields and asks again in `yieldRecheck`.
 *
 * A slot granted is never taken back: priority orders the sends that want a slot at the time
 * one is decided.
 *
 * @example arbitrate(me, [{ channel: 'sms', max: 1, periodHours: 24 }], { slots: [], claims: [higher] }, now) // { type: 'wait', reason: 'yield', ... }
 */
export function arbitrate(
  me: CapClaim,
  caps: readonly FrequencyCap[],
  view: { slots: readonly CapSlot[]; claims: readonly CapClaim[] },
  now: number,
): CapVerdict {
  const ahead = view.claims
    .filter((c) => c.key !== me.key && c.dueAt <= now + dueMargin && c.dueAt >= now - claimStaleAfter && goesFirst(c, me))
    .sort((a, b) => (goesFirst(a, b) ? -1 : 1));
  let full: Extract<CapVerdict, { type: 'wait' }> | null = null;
  let yielded: Extract<CapVerdict, { type: 'wait' }> | null = null;
  for (const cap of caps) {
    const period = cap.periodHours * HOUR;
    // A slot granted a moment "after" `now` (another worker's clock) is taken all the same.
    const taken = view.slots.filter((s) => s.key !== me.key && s.at > now - period).sort((a, b) => a.at - b.at);
    if (taken.length >= cap.max) {
      // The slot frees when the send `max` places back leaves the window.
      const freeing = taken[taken.length - cap.max];
      const last = taken[taken.length - 1];
      const until = (freeing?.at ?? now) + period;
      if (full === null || until > full.until) full = { type: 'wait', until, reason: 'full', by: holderOf(last) };
    } else if (taken.length + ahead.length >= cap.max && ahead[0] !== undefined) {
      yielded = { type: 'wait', until: now + yieldRecheck, reason: 'yield', by: holderOf(ahead[0]) };
    }
  }
  return full ?? yielded ?? { type: 'grant' };
}

/** The ledger note of a verdict to wait (or, with `onCap: skip`, to skip). */
export function capNote(verdict: Extract<CapVerdict, { type: 'wait' }>, outcome: CapNote['outcome'], now: number): CapNote {
  return {
    outcome,
    reason: verdict.reason,
    ...(verdict.by.journeyId === undefined ? {} : { byJourneyId: verdict.by.journeyId }),
    ...(verdict.by.journeyName === undefined ? {} : { byJourneyName: verdict.by.journeyName }),
    ...(verdict.by.priority === undefined ? {} : { byPriority: verdict.by.priority }),
    ...(outcome === 'waited' ? { until: new Date(verdict.until).toISOString() } : {}),
    at: new Date(now).toISOString(),
    detail: capReason(verdict),
  };
}

function holderOf(holder: CapHolder | undefined): CapHolder {
  if (holder === undefined) return {};
  return {
    ...(holder.journeyId === undefined ? {} : { journeyId: holder.journeyId }),
    ...(holder.journeyName === undefined ? {} : { journeyName: holder.journeyName }),
    ...(holder.priority === undefined ? {} : { priority: holder.priority }),
  };
}

/**
 * Why a message waited or was skipped, in the marketer's words, for the timeline and the stats.
 *
 * @example capReason({ type: 'wait', reason: 'full', until, by: { journeyName: 'Flash sale', priority: 'high' } }) // 'capped by journey Flash sale, priority high'
 */
export function capReason(verdict: Extract<CapVerdict, { type: 'wait' }>): string {
  const who = verdict.by.journeyName ?? verdict.by.journeyId;
  const journey = who === undefined ? 'another message' : `journey ${who}, priority ${verdict.by.priority ?? 'normal'}`;
  return verdict.reason === 'full' ? `capped by ${journey}` : `capped by ${journey} (due now, it goes first)`;
}
