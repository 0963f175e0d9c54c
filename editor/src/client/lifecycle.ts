import type { z } from 'zod';
import { LifecycleOverviewBody, StageTrendBody } from '../../../api/wire/lifecycle.ts';
import { request } from './http.ts';

/** The lifecycle's counters (`/v1/lifecycle`): the whole base at a glance, and the daily stage trend. */
export type LifecycleOverview = z.infer<typeof LifecycleOverviewBody>;
export type StageTrend = z.infer<typeof StageTrendBody>;

export const lifecycleApi = {
  overview: () => request('GET', '/v1/lifecycle', LifecycleOverviewBody),
  trend: (days: number) => request('GET', `/v1/lifecycle/trend?days=${days}`, StageTrendBody),
};
