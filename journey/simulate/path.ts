import type { CustomerProfile } from '../customer.ts';
import type { JourneyDefinition } from '../definition.ts';
import type { CompleteReason, HistoryEntry } from '../interpreter/types.ts';
import type { LunarCalendar } from '../lunar.ts';
import { own } from '../ids.ts';
import { neverResponds } from './cohort.ts';
import type { ScriptedEvent } from './cohort.ts';
import { simulate } from './simulate.ts';

/**
 * What the forecast assumes about one customer's path: they do nothing the journey waits for
 * (no purchase, open, click or event: every wait for an event times out), event-triggered
 * journeys start with the trigger event now, and no other journey's message takes a frequency
 * cap slot. Quiet hours, waits and this journey's own caps are applied; send days (public
 * holidays) and provider windows are checked only at send time and are not.
 */
export const pathAssumptions = ['noResponse', 'triggerNow', 'noOtherJourneys', 'sendDaysNotApplied'] as const;
export type PathAssumption = (typeof pathAssumptions)[number];

/** One customer's forecast path through a journey. */
export interface CustomerPath {
  customerId: string;
  start: number;
  days: number;
  /** False when the customer would not enter now (not in the trigger's segment, filtered out...). */
  entered: boolean;
  /** Every step taken, in order: entered, waiting, quiet hours, the exit taken. */
  steps: HistoryEntry[];
  /** Each action as it would happen: a message sent, or failed (no consent, no address), deferred by a cap. */
  actions: Array<{ at: number; nodeId: string; kind: string; outcome: 'ok' | 'failed' | 'deferred' }>;
  /** How the run ends within the period; absent when it is still running at its end. */
  completion?: { at: number; reason: CompleteReason };
  assumptions: readonly PathAssumption[];
}

/**
 * Forecasts where a journey takes one real customer from their current profile: the same
 * interpreter and simulator as the cohort forecast, for a customer who does not respond.
 *
 * @example forecastPath(definition, profile, { start: Date.parse('2026-03-02T08:00:00Z'), days: 30 }).actions
 * // [{ at: 1772438400000, nodeId: 'email-1', kind: 'email', outcome: 'ok' }, ...]
 */
export function forecastPath(definition: JourneyDefinition, profile: CustomerProfile, options: { start: number; days: number; calendar?: LunarCalendar }): CustomerPath {
  const trigger = own(definition.nodes, definition.entryNodeId);
  const script: ScriptedEvent[] = trigger?.kind === 'event' ? [{ afterDays: 0, type: trigger.config.eventType }] : [];
  const report = simulate(definition, [{ profile, behaviour: neverResponds, script }], { days: options.days, seed: 1, start: options.start, timelines: [profile.id], ...(options.calendar ? { calendar: options.calendar } : {}) });
  const timeline = report.timelines[0];
  const entered = report.entered > 0;
  return {
    customerId: profile.id,
    start: options.start,
    days: options.days,
    entered,
    steps: timeline?.steps ?? [],
    actions: (timeline?.actions ?? []).map(({ at, nodeId, kind, outcome }) => ({ at, nodeId, kind, outcome })),
    ...(timeline?.completion ? { completion: { at: timeline.completion.at, reason: timeline.completion.reason } } : {}),
    assumptions: pathAssumptions,
  };
}
