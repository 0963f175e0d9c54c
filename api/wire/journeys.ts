import { z } from 'zod';
import { CompileError } from '../../journey/compile/errors.ts';
import { CustomerId } from '../../journey/customer.ts';
import { JourneyDefinition } from '../../journey/definition.ts';
import { JourneyGraph, JourneyId } from '../../journey/graph.ts';
import { NodeId } from '../../journey/ids.ts';
import { MigrationMapping } from '../../journey/migrate.ts';
import { JourneyPriority } from '../../journey/settings.ts';
import { PageQuery, pageOf } from './common.ts';

export const JourneyStatus = z.enum(['draft', 'published', 'paused', 'archived']);

/** The editor's graph: what drafts hold and what compile takes. */
export const Graph = JourneyGraph.meta({ id: 'JourneyGraph' });

/** A journey: its draft, its status and its latest published version (0 before the first). */
export const Journey = z
  .object({
    id: JourneyId,
    name: z.string(),
    status: JourneyStatus,
    draft: Graph,
    latestVersion: z.number().int().nonnegative(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Journey' });

/** Journey list rows leave the draft out: graphs can be large. */
export const JourneySummary = Journey.omit({ draft: true })
  .extend({ priority: JourneyPriority.optional().describe('the draft’s priority when frequency caps are shared across journeys (left out: normal)') })
  .meta({ id: 'JourneySummary' });
export const JourneyPage = pageOf(JourneySummary).meta({ id: 'JourneyPage' });
export const JourneyQuery = PageQuery.extend({ status: JourneyStatus.optional() });

export const JourneyParams = z.strictObject({ id: JourneyId });
export const VersionParams = z.strictObject({ id: JourneyId, version: z.coerce.number().int().positive() });
export const NodeParams = z.strictObject({ id: JourneyId, nodeId: NodeId });
export const RunParams = z.strictObject({ id: JourneyId, customerId: CustomerId });

/** `POST /journeys/{id}/compile`: the graph to compile, or nothing for the stored draft. */
export const CompileRequest = z.strictObject({ graph: Graph.optional() }).default({}).meta({ id: 'CompileRequest' });

/** The core compiler's verdict; errors are also grouped by step (`journey` for the whole). */
export const CompileResult = z
  .discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), definition: JourneyDefinition }),
    z.object({
      ok: z.literal(false),
      errors: z.array(CompileError),
      byNode: z.record(z.string(), z.array(CompileError)),
    }),
  ])
  .meta({ id: 'CompileResult' });

export const PublishRequest = z
  .strictObject({
    note: z.string().min(1).max(2000),
    /** Publish this earlier version's definition again instead of the draft (a rollback). */
    from: z.number().int().positive().optional(),
    /** Customers already in the journey: stay on their version (`stay`), or move to this one (`move`, with `mapping`). */
    inFlight: z.enum(['stay', 'move']).default('stay'),
    /** With `move`: old step id → the new version's step its waiting customers go to (steps kept by id go to themselves). */
    mapping: MigrationMapping.default({}),
  })
  .meta({ id: 'PublishRequest' });

/** An immutable published version. */
export const JourneyVersion = z
  .object({
    journeyId: JourneyId,
    version: z.number().int().positive(),
    note: z.string(),
    definition: JourneyDefinition,
    graph: Graph,
    publishedAt: z.iso.datetime(),
    /** The name of the API key that published it, and the key's role. */
    publishedBy: z.string(),
    publisherRole: z.string().optional(),
    /** Set on a rollback: the earlier version this one republished. */
    rollbackOf: z.number().int().positive().optional(),
  })
  .meta({ id: 'JourneyVersion' });

/** Version list rows: without definition and graph. */
export const JourneyVersionSummary = JourneyVersion.omit({ definition: true, graph: true }).meta({ id: 'JourneyVersionSummary' });
export const JourneyVersionPage = pageOf(JourneyVersionSummary).meta({ id: 'JourneyVersionPage' });

export const DiffQuery = z.strictObject({ from: z.coerce.number().int().positive(), to: z.coerce.number().int().positive() });
export const JourneyDiff = z
  .object({
    from: z.number().int(),
    to: z.number().int(),
    added: z.array(z.string()),
    removed: z.array(z.string()),
    changed: z.array(z.string()),
    settingsChanged: z.boolean(),
  })
  .meta({ id: 'JourneyDiff' });

export const StartRunRequest = z.strictObject({ customerId: CustomerId }).meta({ id: 'StartRunRequest' });
export const StartRunResult = z.object({ started: z.boolean(), version: z.number().int().positive() }).meta({ id: 'StartRunResult' });
