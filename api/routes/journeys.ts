import { compile } from '../../journey/compile/compile.ts';
import { pendingPublishResponse, publishApprovalGate } from '../publishGate.ts';
import type { CompileError } from '../../journey/compile/errors.ts';
import { diffDefinitions } from '../../journey/diff.ts';
import type { JourneyGraph } from '../../journey/graph.ts';
import type { JourneyDefinition } from '../../journey/definition.ts';
import { holdingSteps } from '../../journey/migrate.ts';
import type { MigrationMapping } from '../../journey/migrate.ts';
import { createJourney, getJourney, getVersion, listJourneys, listVersions, publishVersion, saveDraft, setJourneyStatus } from '../../store/journeys.ts';
import type { JourneyRecord, JourneyStatus } from '../../store/journeys.ts';
import { createMigration, getMigration, migrationOutcomeCounts, migrationPlan } from '../../store/migrations.ts';
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
import { PageQuery, Problem } from '../wire/common.ts';
import { MigrationParams, MigrationPlan, MigrationPlanRequest, MigrationProgress, PublishResult } from '../wire/migrations.ts';

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

/**
 * What a publish would put live: the draft compiled (409 when it does not compile, one entry per
 * error with its step), or for a rollback an earlier version's definition and graph as they were.
 */
async function publishable(deps: ResolvedDeps, journey: JourneyRecord, from: number | undefined): Promise<{ definition: JourneyDefinition; graph: JourneyGraph }> {
  if (from !== undefined) {
    const earlier = await getVersion(deps.db, journey.id, from);
    if (earlier === null) throw notFound(`version ${from} of journey ${journey.id}`);
    return { definition: earlier.definition, graph: earlier.graph };
  }
  const result = compile(journey.draft, await compileContext(deps.db));
  if (result.ok) return { definition: result.value, graph: journey.draft };
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

/**
 * The plan of moving the customers in flight to `definition`. A mapping that names an unknown
 * step or a step where customers cannot wait is a 422 naming the step; with `complete`, so is a
 * waiting step left without a target (a publish that moves customers must place every one).
 */
async function checkedPlan(deps: ResolvedDeps, journey: JourneyRecord, definition: JourneyDefinition, mapping: MigrationMapping, complete: boolean) {
  const plan = await migrationPlan(deps.db, journey.id, journey.latestVersion, definition, mapping);
  const refused = plan.issues.filter((issue) => complete || issue.code !== 'TARGET_REQUIRED');
  if (refused.length > 0) {
    throw new ProblemError(
      422,
      'invalid-migration',
      'The customers in flight cannot be moved like this',
      refused[0]?.message,
      refused.map((issue) => ({ path: `body.mapping.${issue.nodeId}`, message: issue.message, code: issue.code, nodeId: issue.nodeId })),
    );
  }
  return plan;
}

const invalidMigration = { description: 'A mapping names a step the new version lacks or one where customers cannot wait (or, when publishing, leaves a waiting step without a target); `errors[].nodeId` names it.', schema: Problem, contentType: 'application/problem+json' };

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
      const page = await listJourneys(deps.db, { status }, { limit, cursor });
      // The priority shown in the list is the draft's, which the settings panel edits.
      const items = page.items.map(({ draft, ...j }) => ({ ...j, ...(draft.settings.priority ? { priority: draft.settings.priority } : {}) }));
      return { status: 200, body: { ...page, items } };
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
    summary: 'Publish the draft (or, for a rollback, an earlier version) as a new immutable version',
    description:
      'Compiles the draft; any compile error refuses the publish (409: the journey’s draft is not publishable; one entry ' +
      'per error with its step). With `from`, republishes that earlier version’s definition as the next version (a rollback). ' +
      'New entries get the new version. Customers already in the journey stay on their version (`inFlight: stay`), or ' +
      '(`inFlight: move`) every waiting customer moves to it at their next wait: steps kept by id keep their customers, ' +
      '`mapping` places the customers of removed steps (see the migration plan). A mapping that cannot place everyone is a ' +
      '422 and publishes nothing.',
    access: writers,
    params: JourneyParams,
    body: PublishRequest,
    responses: {
      201: { description: 'The new version; `migrationId` when customers in flight are being moved.', schema: PublishResult },
      202: pendingPublishResponse,
      422: invalidMigration,
    },
    async handler({ params, body, deps, now, principal }) {
      const journey = await mustGet(deps, params.id);
      if (journey.status === 'archived') throw conflict(`journey ${params.id} is archived`);
      const { definition, graph } = await publishable(deps, journey, body.from);
      // Checked before anything is stored or any approval is used: a refused mapping publishes nothing.
      const moving = body.inFlight === 'move';
      if (moving) await checkedPlan(deps, journey, definition, body.mapping, true);
      const gated = await publishApprovalGate(deps, journey, graph, body.note, principal, now);
      if (gated !== null) return gated;
      const version = await publishVersion(
        deps.db,
        {
          journeyId: journey.id,
          expectedVersion: journey.latestVersion,
          note: body.note,
          definition,
          graph,
          publishedBy: principal?.name ?? 'unknown',
          ...(principal ? { publisherRole: principal.role } : {}),
          ...(body.from === undefined ? {} : { rollbackOf: body.from }),
        },
        now,
      );
      if (version === null) throw conflict(`journey ${params.id} was published by someone else just now; reload and try again`);
      let migrationId: string | undefined;
      if (moving) {
        migrationId = `${journey.id}-v${version.version}`;
        await createMigration(deps.db, { id: migrationId, journeyId: journey.id, version: version.version, mapping: body.mapping, requestedBy: principal?.name ?? 'unknown' }, now);
        await deps.runtime.startMigration({ migrationId, journey: { journeyId: journey.id, version: version.version, definition }, mapping: body.mapping });
      }
      deps.pipeline.journeysChanged();
      return { status: 201, body: { ...version, ...(migrationId === undefined ? {} : { migrationId }) } };
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
  defineRoute({
    operationId: 'planJourneyMigration',
    method: 'post',
    path: '/journeys/:id/migration-plan',
    tag: 'Journeys',
    summary: 'Where the customers in flight would go if the draft (or an earlier version) were published',
    description:
      'Per version and step with waiting customers (from the run records): how many, and their target in the new version. ' +
      'A step kept by id keeps its customers; a removed step needs a target in `mapping`, which must be a step where ' +
      'customers can wait. Changes nothing.',
    access: writers,
    params: JourneyParams,
    body: MigrationPlanRequest,
    responses: { 200: { description: 'The plan.', schema: MigrationPlan }, 422: invalidMigration },
    async handler({ params, body, deps }) {
      const journey = await mustGet(deps, params.id);
      const { definition } = await publishable(deps, journey, body.from);
      const plan = await checkedPlan(deps, journey, definition, body.mapping, false);
      const targets = holdingSteps(definition).map((nodeId) => {
        const node = definition.nodes[nodeId];
        return { nodeId, kind: node?.kind ?? 'wait', label: node?.label ?? null };
      });
      return { status: 200, body: { version: journey.latestVersion + 1, rows: plan.rows, targets, ready: plan.issues.length === 0 } };
    },
  }),
  defineRoute({
    operationId: 'getJourneyMigration',
    method: 'get',
    path: '/journeys/:id/migrations/:migrationId',
    tag: 'Journeys',
    summary: 'Progress of moving the customers in flight to a new version',
    description: 'Signalled, moved and skipped (by reason) so far. A customer mid-action moves when the action settles.',
    access: readers,
    params: MigrationParams,
    responses: { 200: { description: 'The migration.', schema: MigrationProgress } },
    async handler({ params, deps }) {
      const migration = await getMigration(deps.db, params.migrationId);
      if (migration === null || migration.journeyId !== params.id) throw notFound(`migration ${params.migrationId} of journey ${params.id}`);
      return { status: 200, body: { ...migration, ...(await migrationOutcomeCounts(deps.db, params.migrationId)) } };
    },
  }),
  statusRoute('pause', ['published'], 'paused', 'No new customers enter; customers inside continue.'),
  statusRoute('resume', ['paused'], 'published', 'New customers enter again, on the latest version.'),
  statusRoute('archive', ['draft', 'published', 'paused'], 'archived', 'For good: no new entries, no more publishing. Customers inside finish.'),
];
