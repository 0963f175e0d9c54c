import type { CustomerEvent } from '../journey/event.ts';
import { applyEventToProfile, insertEvent } from '../store/events.ts';
import type { StoredEvent } from '../store/events.ts';
import { entryJourneysFor } from '../store/journeys.ts';
import { updateCustomerLifecycle } from '../store/lifecycle.ts';
import type { CustomerProfile } from '../journey/customer.ts';
import type { ResolvedDeps } from './deps.ts';

async function route(deps: ResolvedDeps, stored: StoredEvent, customer: CustomerProfile): Promise<void> {
  const { receivedAt: _receivedAt, ...event } = stored;
  await deps.runtime.routeEvent({ event, customer, entries: await entryJourneysFor(deps.db, event) });
}

/**
 * The one path every event takes, whether an integrator sent it or Waymark raised it (a task
 * completed, a coupon redeemed, an unsubscribe): store it once, fold it into the profile's
 * aggregates, re-score the customer's lifecycle (stage, RFM, segments), then route the event
 * and the lifecycle changes it caused (`stage_changed`, `segment_entered`...) to journeys.
 * A duplicate (same event id) stops after the first step.
 */
export async function ingestEvent(
  deps: ResolvedDeps,
  input: Omit<CustomerEvent, 'at'> & { at?: string | undefined },
  now: Date,
): Promise<{ id: string; duplicate: boolean }> {
  const { event, duplicate } = await insertEvent(deps.db, { ...input, at: input.at ?? now.toISOString() }, now);
  if (duplicate) return { id: event.id, duplicate };
  const folded = await applyEventToProfile(deps.db, event, now);
  const { customer, changes } = await updateCustomerLifecycle(deps.db, event, now);
  await route(deps, event, customer ?? folded);
  for (const change of changes) await route(deps, change.event, change.customer);
  return { id: event.id, duplicate: false };
}
