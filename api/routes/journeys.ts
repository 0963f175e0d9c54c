import { compile } from '../../journey/compile/compile.ts';
import { pendingPublishResponse, publishApprovalGate } from '../publishGate.ts';
import type { CompileError } from '../../journey/compile/errors.ts';
import { diffDefinitions } from '../../journey/diff.ts';
import type { JourneyGraph } from '../../journey/graph.ts';
import { createJourney, getJourney, getVersion, listJourneys, listVersions, publishVersion, saveDraft, setJourneyStatus } from '../../store/journeys.ts';
import type { JourneyRecord, JourneyStatus } from '../../store/journeys.ts';
import { readers } from '../auth.ts';
import { compileContext } from '../compileContext.ts';
import { conflict, notFound, ProblemError } from '../problem.ts';
import { defineRoute } from '../route.ts';
import type { ResolvedDeps } from '../deps.ts';
import {
  CompileRequest,
  CompileResult,
  DiffQuery,
  Graph,
  Journey,
  JourneyDiff,
  JourneyPage,
  JourneyParams,
  JourneyQuery,
  JourneyVersion,
  JourneyVersionPage,
  PublishRequest,
  VersionParams,
} from '../wire/journeys.ts';
import { PageQuery } from '../wire/common.ts';

const writers = ['marketer'] as const;

async function mustGet(deps: ResolvedDeps, id: string): Promise<JourneyRecord> {
  const journey = await getJourney(deps.db, id);
  if (journey === null) throw notFound(`journey ${id}`);
  return journey;
}

function sameId(graph: JourneyGraph, id: string): void {
  // Well-formed, but about another journey than the URL's: a conflict, like other mismatches.
  if (graph.id !== id) throw conflict(`body.id must be ${id}, the journey in the URL`, 'body.id');
}

function byNode(errors: readonly CompileError[]): Record<string, CompileError[]> {
  const grouped: Record<string, CompileError[]> = {};
  for (const error of errors) (grouped[error.nodeId ?? 'journey'] ??= []).push(error);
  return grouped;
}

/** pause, resume and archive: a status transition each. */
function statusRoute(action: 'pause' | 'resume' | 'archive', from: readonly JourneyStatus[], to: JourneyStatus, description: string) {
  return defineRoute({
    operationId: `${action}Journey`,
    method: 'post',
    path: `/journeys/:id/${action}`,
    tag: 'Journeys',
    summary: `${action[0]?.toUpperCase()}${action.slice(1)} a journey`,
    description,
    access: writers,
    params: JourneyParams,
    responses: { 200: { description: `The journey, now ${to}.`, schema: Journey } },
    async handler({ params, deps, now }) {
      const moved = await setJourneyStatus(deps.db, params.id, from, to, now);
      // This process's events see the change at once (other processes within seconds).
      deps.pipeline.journeysChanged();
      if (moved !== null) return { status: 200, body: moved };
      const current = await mustGet(deps, params.id);
      throw conflict(`journey ${params.id} is ${current.status}; only a ${from.join(' or ')} journey can be ${to}`);
    },
  });
}

export const journeyRoutes = [
  defineRoute({
    operationId: 'listJourneys',
    method: 'get',
    path: '/journeys',
    tag: 'Journeys',
    summary: 'List journeys',
    access: readers,
    query: JourneyQuery,
    responses: { 200: { description: 'A page of journeys (without drafts), by id.', schema: JourneyPage } },
    async handler({ query, deps }) {
      const { limit, cursor, status } = query;
      return { status: 200, body: await listJourneys(deps.db, { status }, { limit, cursor }) };
    },
  }),
  defineRoute({
    operationId: 'createJourney',
    method: 'post',
    path: '/journeys',
    tag: 'Journeys',
    summary: 'Create a journey from a draft graph',
    description: 'The draft may not compile yet; publishing checks it.',
    access: writers,
    body: Graph,
    responses: { 201: { description: 'Created as a draft.', schema: Journey } },
    async handler({ body, deps, now }) {
      const journey = await createJourney(deps.db, body, now);
      if (journey === null) throw conflict(`journey ${body.id} already exists`, 'body.id');
      return { status: 201, body: journey };
    },
  }),
  defineRoute({
    operationId: 'getJourney',
    method: 'get',
    path: '/journeys/:id',
    tag: 'Journeys',
    summary: 'Get a journey with its draft',
    access: readers,
    params: JourneyParams,
    responses: { 200: { description: 'The journey.', schema: Journey } },
    async handler({ params, deps }) {
      return { status: 200, body: await mustGet(deps, params.id) };
    },
  }),
  defineRoute({
    operationId: 'saveDraft',
    method: 'put',
    path: '/journeys/:id/draft',
    tag: 'Journeys',
    summary: 'Save the editor’s draft',
    access: writers,
    params: JourneyParams,
    body: Graph,
    responses: { 200: { description: 'Saved.', schema: Journey } },
    async handler({ params, body, deps, now }) {
      sameId(body, params.id);
      const saved = await saveDraft(deps.db, params.id, body, now);
      if (saved !== null) return { status: 200, body: saved };
      await mustGet(deps, params.id);
      throw conflict(`journey ${params.id} is archived`);
    },
  }),
  defineRoute({
    operationId: 'compileJourney',
    method: 'post',
    path: '/journeys/:id/compile',
    tag: 'Journeys',
    summary: 'Compile a graph (or the stored draft) and return the errors by step',
    description: 'Checks against the stored templates and segments. Changes nothing.',
    access: writers,
    params: JourneyParams,
    body: CompileRequest,
    responses: { 200: { description: 'The compiler’s verdict.', schema: CompileResult } },
    async handler({ params, body, deps }) {
      const graph = body.graph ?? (await mustGet(deps, params.id)).draft;
      sameId(graph, params.id);
      const result = compile(graph, await compileContext(deps.db));
      return {
        status: 200,
        body: result.ok ? { ok: true, definition: result.value } : { ok: false, errors: result.errors, byNode: byNode(result.errors) },
      };
    },
  }),
  defineRoute({
    operationId: 'publishJourney',
    method: 'post',
    path: '/journeys/:id/publish',
    tag: 'Journeys',
    summary: 'Publish the draft as a new immutable version',
    description:
      'Compiles the draft; any compile error refuses the publish (409: the journey’s draft is not publishable; one entry ' +
      'per error with its step). ' +
      'Customers already in the journey stay on their version; new entries get this one.',
    access: writers,
    params: JourneyParams,
    body: PublishRequest,
    responses: { 201: { description: 'The new version.', schema: JourneyVersion }, 202: pendingPublishResponse },
    async handler({ params, body, deps, now, principal }) {
      const journey = await mustGet(deps, params.id);
      if (journey.status === 'archived') throw conflict(`journey ${params.id} is archived`);
      const result = compile(journey.draft, await compileContext(deps.db));
      const gated = result.ok ? await publishApprovalGate(deps, journey, body.note, principal, now) : null;
      if (gated !== null) return gated;
      if (!result.ok) {
        // 409, not 422: the request is fine, the journey's stored draft is what cannot be published.
        throw new ProblemError(
          409,
          'draft-does-not-compile',
          'The draft does not compile',
          `the draft has ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}; fix them and publish again`,
          result.errors.map((e) => ({
            path: e.path === undefined ? 'draft' : `draft.${e.path}`,
            message: e.message,
            code: e.code,
            nodeId: e.nodeId,
            ...(e.handle === undefined ? {} : { handle: e.handle }),
          })),
        );
      }
      const version = await publishVersion(
        deps.db,
        {
          journeyId: journey.id,
          expectedVersion: journey.latestVersion,
          note: body.note,
          definition: result.value,
          graph: journey.draft,
          publishedBy: principal?.name ?? 'unknown',
        },
        now,
      );
      if (version === null) throw conflict(`journey ${params.id} was published by someone else just now; reload and try again`);
      deps.pipeline.journeysChanged();
      return { status: 201, body: version };
    },
  }),
  defineRoute({
    operationId: 'listJourneyVersions',
    method: 'get',
    path: '/journeys/:id/versions',
    tag: 'Journeys',
    summary: 'List published versions, newest first',
    access: readers,
    params: JourneyParams,
    query: PageQuery,
    responses: { 200: { description: 'A page of versions (notes, no graphs).', schema: JourneyVersionPage } },
    async handler({ params, query, deps }) {
      await mustGet(deps, params.id);
      return { status: 200, body: await listVersions(deps.db, params.id, query) };
    },
  }),
  defineRoute({
    operationId: 'getJourneyVersion',
    method: 'get',
    path: '/journeys/:id/versions/:version',
    tag: 'Journeys',
    summary: 'Get one published version',
    access: readers,
    params: VersionParams,
    responses: { 200: { description: 'The version with its definition and graph.', schema: JourneyVersion } },
    async handler({ params, deps }) {
      const version = await getVersion(deps.db, params.id, params.version);
      if (version === null) throw notFound(`version ${params.version} of journey ${params.id}`);
      return { status: 200, body: version };
    },
  }),
  defineRoute({
    operationId: 'diffJourneyVersions',
    method: 'get',
    path: '/journeys/:id/diff',
    tag: 'Journeys',
    summary: 'Steps added, removed and changed between two versions',
    description: 'Moving a step on the canvas is not a change.',
    access: readers,
    params: JourneyParams,
    query: DiffQuery,
    responses: { 200: { description: 'The difference.', schema: JourneyDiff } },
    async handler({ params, query, deps }) {
      const [from, to] = await Promise.all([getVersion(deps.db, params.id, query.from), getVersion(deps.db, params.id, query.to)]);
      if (from === null) throw notFound(`version ${query.from} of journey ${params.id}`);
      if (to === null) throw notFound(`version ${query.to} of journey ${params.id}`);
      return { status: 200, body: { from: query.from, to: query.to, ...diffDefinitions(from.definition, to.definition) } };
    },
  }),
  statusRoute('pause', ['published'], 'paused', 'No new customers enter; customers inside continue.'),
  statusRoute('resume', ['paused'], 'published', 'New customers enter again, on the latest version.'),
  statusRoute('archive', ['draft', 'published', 'paused'], 'archived', 'For good: no new entries, no more publishing. Customers inside finish.'),
];
