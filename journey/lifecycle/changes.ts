import type { LifecycleStage, RfmCell } from '../customer.ts';
import type { CustomerEvent } from '../event.ts';
import { stableHash } from '../hash.ts';

/**
 * The events a change of computed fields records: `stage_changed` ({ from, to }),
 * `rfm_changed` ({ from, to } cells; `from` null on the first score), `segment_entered` and
 * `segment_left` ({ segment }). Journeys react to them like to any other event.
 *
 * Each event id is deterministic per customer, change and UTC day
 * (`lc:2025-01-31:stage:dormant:cust-1`): the events collection stores an id once, so the
 * incremental path, the full recompute and the daily sweep — and their retries — record a
 * change at most once per customer and day, and never route it twice.
 */

/** What a change is compared on. */
export interface AnnouncedState {
  stage: LifecycleStage;
  cell: RfmCell | null;
  segments: readonly string[];
}

/** `lc:{day}:{what}:{customer}`, shortened with a hash when over the 128-character id limit. */
export function lifecycleEventId(day: string, what: string, customerId: string): string {
  const id = `lc:${day}:${what}:${customerId}`;
  if (id.length <= 128) return id;
  const hash = stableHash(id).toString(36);
  return `${id.slice(0, 127 - hash.length)}~${hash}`;
}

/**
 * Events for the differences between what was last announced and the new state, at `now`.
 *
 * @example lifecycleEvents('c1', { stage: 'atRisk', cell: 'loyal', segments: [] }, { stage: 'dormant', cell: 'loyal', segments: [] }, now) // one stage_changed
 */
export function lifecycleEvents(customerId: string, before: AnnouncedState, after: AnnouncedState, now: number): CustomerEvent[] {
  const at = new Date(now).toISOString();
  const day = at.slice(0, 10);
  const event = (type: string, what: string, properties: CustomerEvent['properties']): CustomerEvent => ({
    id: lifecycleEventId(day, what, customerId),
    type,
    customerId,
    at,
    properties,
  });
  const events: CustomerEvent[] = [];
  if (before.stage !== after.stage) {
    events.push(event('stage_changed', `stage:${after.stage}`, { from: before.stage, to: after.stage }));
  }
  if (before.cell !== after.cell && after.cell !== null) {
    events.push(event('rfm_changed', `rfm:${after.cell}`, { from: before.cell, to: after.cell }));
  }
  const was = new Set(before.segments);
  const is = new Set(after.segments);
  for (const segment of after.segments) {
    if (!was.has(segment)) events.push(event('segment_entered', `seg+:${segment}`, { segment }));
  }
  for (const segment of before.segments) {
    if (!is.has(segment)) events.push(event('segment_left', `seg-:${segment}`, { segment }));
  }
  return events;
}
