import type { CustomerEvent } from '../../journey/event.ts';
import type { CustomerProfile } from '../../journey/customer.ts';
import { entryJourneysFor } from '../../store/journeys.ts';
import { getLifecycleSettings, lifecycleOverview, recomputeLifecycle, saveLifecycleSettings } from '../../store/lifecycle.ts';
import type { LifecycleChange } from '../../store/lifecycle.ts';
import { readers } from '../auth.ts';
import type { ResolvedDeps } from '../deps.ts';
import { defineRoute } from '../route.ts';
import { LifecycleOverviewBody, LifecycleSettingsBody, RecomputeReport } from '../wire/lifecycle.ts';

/**
 * Routes lifecycle change events (stage_changed, rfm_changed, segment_entered/left) to
 * journeys, as ingestion routes the events it stores.
 */
export function routeLifecycleChanges(deps: ResolvedDeps) {
  return async (changes: readonly LifecycleChange[]): Promise<void> => {
    for (const { event: stored, customer } of changes) {
      const { receivedAt: _receivedAt, ...event } = stored;
      await route(deps, event, customer);
    }
  };
}

async function route(deps: ResolvedDeps, event: CustomerEvent & { id: string }, customer: CustomerProfile) {
  await deps.runtime.routeEvent({ event, customer, entries: await entryJourneysFor(deps.db, event) });
}

export const lifecycleRoutes = [
  defineRoute({
    operationId: 'getLifecycleOverview',
    method: 'get',
    path: '/lifecycle',
    tag: 'Lifecycle',
    summary: 'Customers per stage, RFM cell and value tier; NPS and CSAT',
    description: 'Counted over the whole base; `base` holds the cut points of the last full recompute.',
    access: readers,
    responses: { 200: { description: 'The overview.', schema: LifecycleOverviewBody } },
    async handler({ deps }) {
      const overview = await lifecycleOverview(deps.db);
      const base = overview.base === null ? null : { ...overview.base, computedAt: new Date(overview.base.computedAt).toISOString() };
      return { status: 200, body: { ...overview, base } };
    },
  }),
  defineRoute({
    operationId: 'getLifecycleSettings',
    method: 'get',
    path: '/lifecycle/settings',
    tag: 'Lifecycle',
    summary: 'Stage thresholds and the other lifecycle settings',
    access: readers,
    responses: { 200: { description: 'The settings in force.', schema: LifecycleSettingsBody } },
    async handler({ deps }) {
      return { status: 200, body: await getLifecycleSettings(deps.db) };
    },
  }),
  defineRoute({
    operationId: 'putLifecycleSettings',
    method: 'put',
    path: '/lifecycle/settings',
    tag: 'Lifecycle',
    summary: 'Configure stage thresholds and the other lifecycle settings',
    description: 'Applies to each customer at their next event, to everyone at the next sweep or full recompute.',
    access: ['marketer'],
    body: LifecycleSettingsBody,
    responses: { 200: { description: 'The settings saved.', schema: LifecycleSettingsBody } },
    async handler({ body, deps, now }) {
      return { status: 200, body: await saveLifecycleSettings(deps.db, body, now) };
    },
  }),
  defineRoute({
    operationId: 'recomputeLifecycle',
    method: 'post',
    path: '/lifecycle/recompute',
    tag: 'Lifecycle',
    summary: 'Run the full recompute now',
    description:
      'Rebuilds every customer from their events, new quintile cut points included, and routes the change events ' +
      'to journeys. The daily schedule does the same; this is for after changing settings.',
    access: ['operator', 'marketer'],
    responses: { 200: { description: 'What changed.', schema: RecomputeReport } },
    async handler({ deps, now }) {
      const { base: _base, ...report } = await recomputeLifecycle(deps.db, now, { emit: routeLifecycleChanges(deps) });
      return { status: 200, body: report };
    },
  }),
];
