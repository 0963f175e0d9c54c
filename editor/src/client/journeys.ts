import { z } from 'zod';
import type { JourneySummary} from '../../../api/wire/journeys.ts';
import { CompileResult, Graph, Journey, JourneyVersion, JourneyVersionPage, JourneyPage } from '../../../api/wire/journeys.ts';
import { CustomerForecast as WireCustomerForecast } from '../../../api/wire/forecast.ts';
import { NodeStats as WireNodeStats } from '../../../api/wire/runs.ts';
import { MigrationPlan, MigrationProgress, PublishResult } from '../../../api/wire/migrations.ts';
import type { DraftGraph } from '../graph/draft.ts';
import { request } from './http.ts';

/** Journeys, drafts, versions and live numbers (`/v1/journeys`), typed by the API's wire schemas. */

export type Journey = z.infer<typeof Journey>;
export type JourneySummary = z.infer<typeof JourneySummary>;
export type JourneyVersionSummary = z.infer<typeof JourneyVersionPage>['items'][number];
export type NodeStats = z.infer<typeof WireNodeStats>;
export type MigrationPlan = z.infer<typeof MigrationPlan>;
export type MigrationProgress = z.infer<typeof MigrationProgress>;

/** What a publish asks for: the note, an earlier version for a rollback, and what happens to the customers in flight. */
export interface PublishChoice {
  note: string;
  from?: number | undefined;
  inFlight: 'stay' | 'move';
  mapping: Record<string, string>;
}
export type CustomerForecast = z.infer<typeof WireCustomerForecast>;

const Stats = z.object({ nodes: z.array(WireNodeStats) });
const id = (journeyId: string) => encodeURIComponent(journeyId);

/** A draft the API does not accept yet (e.g. a number box left empty): saved once it is fixed. */
export class UnsavableDraftError extends Error {
  override readonly name = 'UnsavableDraftError';
}

/**
 * The draft as the API stores it. Configs must at least have the right shape; what is merely
 * wrong (a dangling exit, a missing template) is for the compiler to report.
 */
export function toWireGraph(graph: DraftGraph): z.infer<typeof Graph> {
  const parsed = Graph.safeParse(graph);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new UnsavableDraftError(issue ? `${issue.path.join('.')}: ${issue.message}` : 'the draft is not complete');
}

export const journeysApi = {
  list: async () => (await request('GET', '/v1/journeys?limit=500', JourneyPage)).items,
  get: (journeyId: string) => request('GET', `/v1/journeys/${id(journeyId)}`, Journey),
  create: (graph: DraftGraph) => request('POST', '/v1/journeys', Journey, toWireGraph(graph)),
  saveDraft: (graph: DraftGraph) => request('PUT', `/v1/journeys/${id(graph.id)}/draft`, Journey, toWireGraph(graph)),
  /** The server's compile of a graph against the stored templates and segments. */
  compile: (graph: DraftGraph) => request('POST', `/v1/journeys/${id(graph.id)}/compile`, CompileResult, { graph: toWireGraph(graph) }),
  publish: (journeyId: string, choice: PublishChoice) => request('POST', `/v1/journeys/${id(journeyId)}/publish`, PublishResult, choice),
  /** Where the customers in flight would go if the stored draft (or version `from`) were published with `mapping`. */
  migrationPlan: (journeyId: string, from: number | undefined, mapping: Record<string, string>) =>
    request('POST', `/v1/journeys/${id(journeyId)}/migration-plan`, MigrationPlan, { ...(from === undefined ? {} : { from }), mapping }),
  migration: (journeyId: string, migrationId: string) => request('GET', `/v1/journeys/${id(journeyId)}/migrations/${encodeURIComponent(migrationId)}`, MigrationProgress),
  versions: async (journeyId: string) => (await request('GET', `/v1/journeys/${id(journeyId)}/versions?limit=500`, JourneyVersionPage)).items,
  version: (journeyId: string, version: number) => request('GET', `/v1/journeys/${id(journeyId)}/versions/${version}`, JourneyVersion),
  stats: async (journeyId: string) => (await request('GET', `/v1/journeys/${id(journeyId)}/stats`, Stats)).nodes,
  /** Where the graph (the editor's draft) takes one real customer from their current profile. */
  forecastCustomer: (graph: DraftGraph, customerId: string, days: number) =>
    request('POST', `/v1/journeys/${id(graph.id)}/forecast/customer`, WireCustomerForecast, { customerId, days, graph: toWireGraph(graph) }),
  setStatus: (journeyId: string, action: 'pause' | 'resume' | 'archive') => request('POST', `/v1/journeys/${id(journeyId)}/${action}`, Journey),
};

/**
 * The built-in journeys `npm start` seeds (welcome, activation, win-back, birthday care), as the
 * gallery offers them: their first published version, else their draft. The API has no gallery
 * route, so the ids are listed here.
 */
export const galleryJourneyIds = ['welcome', 'activation', 'win-back', 'birthday-care'] as const;

export async function loadGallery(): Promise<DraftGraph[]> {
  // Only ask for the ones that exist, so a fresh install logs no 404s.
  const existing = new Set((await journeysApi.list()).map((j) => j.id));
  const found = await Promise.allSettled(
    galleryJourneyIds.filter((id) => existing.has(id)).map(async (journeyId) => {
      const journey = await journeysApi.get(journeyId);
      if (journey.latestVersion > 0) return (await journeysApi.version(journeyId, 1)).graph;
      return journey.draft;
    }),
  );
  return found.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
}
