import { z } from 'zod';
import { JourneyId } from '../../journey/graph.ts';
import { NodeId } from '../../journey/ids.ts';
import { MigrationIssue, MigrationMapping, MigrationRecord, MigrationSkip } from '../../journey/migrate.ts';
import { JourneyVersion } from './journeys.ts';

/** `POST /journeys/{id}/migration-plan`: which version would be published (the draft, or `from` for a rollback) and the marketer's mapping so far. */
export const MigrationPlanRequest = z
  .strictObject({
    from: z.number().int().positive().optional(),
    mapping: MigrationMapping.default({}),
  })
  .meta({ id: 'MigrationPlanRequest' });

/** The customers of one old version waiting at one step, and where they would go. */
export const MigrationRow = z.object({
  version: z.number().int().positive(),
  nodeId: NodeId,
  kind: z.string().nullable(),
  label: z.string().nullable(),
  waiting: z.number().int().nonnegative(),
  /** Null: the step is gone and the marketer must pick one (`issue` says so). */
  target: NodeId.nullable(),
  /** True: same step, unchanged, so they keep waiting out what they wait for; otherwise they enter the target at the move. */
  keepsWaiting: z.boolean(),
  issue: MigrationIssue.nullable(),
});

/** What moving the customers in flight to the new version would do. */
export const MigrationPlan = z
  .object({
    /** The version number the publish would create. */
    version: z.number().int().positive(),
    rows: z.array(MigrationRow),
    /** The steps of the new version customers can be moved to (waits). */
    targets: z.array(z.object({ nodeId: NodeId, kind: z.string(), label: z.string().nullable() })),
    /** True when every waiting step has a valid target: publishing with `inFlight: move` is accepted. */
    ready: z.boolean(),
  })
  .meta({ id: 'MigrationPlan' });

export const MigrationParams = z.strictObject({ id: JourneyId, migrationId: MigrationRecord.shape.id });

/** A migration's progress: the record plus what the runs reported. */
export const MigrationProgress = MigrationRecord.extend({
  moved: z.number().int().nonnegative(),
  skipped: z.partialRecord(MigrationSkip, z.number().int().nonnegative()),
}).meta({ id: 'MigrationProgress' });

/** A new version; `migrationId` when its publish moves the customers in flight. */
export const PublishResult = JourneyVersion.extend({ migrationId: MigrationRecord.shape.id.optional() }).meta({ id: 'PublishResult' });
