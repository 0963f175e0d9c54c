import { getLifecycleSettings, lifecycleOverview, saveLifecycleSettings } from '../../store/lifecycle.ts';
import { stageTrend } from '../../store/lifecycleRollup.ts';
import { readers } from '../auth.ts';
import { defineRoute } from '../route.ts';
import { LifecycleOverviewBody, LifecycleSettingsBody, RecomputeReport, StageTrendBody, StageTrendQuery } from '../wire/lifecycle.ts';

export const lifecycleRoutes = [
  defineRoute({
    operationId: 'getLifecycleOverview',
    method: 'get',
    path: '/lifecycle',
    tag: 'Lifecycle',
    summary: 'Customers per stage, RFM cell and value tier; NPS and CSAT',
    description: 'From counters kept as customers change (one document read); `base` holds the cut points of the last full recompute.',
    access: readers,
    responses: { 200: { description: 'The overview.', schema: LifecycleOverviewBody } },
    async handler({ deps }) {
      const overview = await lifecycleOverview(deps.db);
      const base = overview.base === null ? null : { ...overview.base, computedAt: new Date(overview.base.computedAt).toISOString() };
      return { status: 200, body: { ...overview, base } };
    },
  }),
  defineRoute({
    operationId: 'getStageTrend',
    method: 'get',
    path: '/lifecycle/trend',
    tag: 'Lifecycle',
    summary: 'Customers per stage on each of the last days',
    description: 'The counts the daily lifecycle run stored each day, and the live counts of today; reads one document per day.',
    access: readers,
    query: StageTrendQuery,
    responses: { 200: { description: 'The trend, oldest day first.', schema: StageTrendBody } },
    async handler({ query, deps, now }) {
      return { status: 200, body: { days: await stageTrend(deps.db, query.days, now) } };
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
      const saved = await saveLifecycleSettings(deps.db, body, now);
      deps.pipeline.lifecycleChanged();
      return { status: 200, body: saved };
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
      return { status: 200, body: await deps.pipeline.runLifecycle(now, 'recompute') };
    },
  }),
];
