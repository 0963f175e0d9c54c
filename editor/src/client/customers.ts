import { z } from 'zod';
import { Customer, CustomerPage } from '../../../api/wire/customers.ts';
import { JourneyRun as WireJourneyRun } from '../../../api/wire/runs.ts';
import { pageOf } from '../../../api/wire/common.ts';
import { Timeline as WireTimeline } from '../../../api/wire/timeline.ts';
import type { TimelineEntry } from '../../../api/wire/timeline.ts';
import { request } from './http.ts';

/** Customers (`/v1/customers`): search, profile, journeys they are in and their timeline. */
export type Customer = z.infer<typeof Customer>;
export type JourneyRun = z.infer<typeof WireJourneyRun>;
export type Timeline = z.infer<typeof WireTimeline>;
export type { TimelineEntry };

const RunPage = pageOf(WireJourneyRun);
const id = (customerId: string) => encodeURIComponent(customerId);

export const customersApi = {
  /** Customers whose id, email or name starts with `q` (any case); all when `q` is empty. */
  search: async (q: string, limit = 50) => {
    const params = new URLSearchParams({ limit: String(limit) });
    if (q.trim()) params.set('q', q.trim());
    return (await request('GET', `/v1/customers?${params.toString()}`, CustomerPage)).items;
  },
  get: (customerId: string) => request('GET', `/v1/customers/${id(customerId)}`, Customer),
  runs: async (customerId: string) => (await request('GET', `/v1/customers/${id(customerId)}/journeys?limit=100`, RunPage)).items,
  timeline: (customerId: string, limit = 200) => request('GET', `/v1/customers/${id(customerId)}/timeline?limit=${limit}`, WireTimeline),
  removeFromJourney: (journeyId: string, customerId: string) => request('DELETE', `/v1/journeys/${encodeURIComponent(journeyId)}/customers/${id(customerId)}`, z.null()),
};
