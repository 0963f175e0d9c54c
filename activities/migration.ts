import type { Db } from 'mongodb';
import { recordMigrationOutcome, recordMigrationSignalling, runsToMigrate } from '../store/migrations.ts';
import type { MigrationOutcome } from '../store/migrations.ts';
import { activityNow } from './clock.ts';

/** A page of the runs a migration signals. */
export interface MigrationPageInput {
  journeyId: string;
  /** Runs on versions below this one. */
  version: number;
  cursor: string | null;
  limit: number;
}

/** The activities of a migration (workflows/migration.ts) and of the runs it moves (workflows/journey.ts). */
export function createMigrationActivities(db: Db) {
  return {
    /** The workflow ids of a page of running runs on older versions, by id. */
    migrationRunsPage: async (input: MigrationPageInput): Promise<{ workflowIds: string[]; nextCursor: string | null }> => {
      const page = await runsToMigrate(db, input.journeyId, input.version, { limit: input.limit, ...(input.cursor === null ? {} : { cursor: input.cursor }) });
      return { workflowIds: page.items, nextCursor: page.nextCursor };
    },
    /** The migration workflow's counts after a page (and that it finished). */
    recordMigrationSignalling: (migrationId: string, counts: { signalled: number; ended: number; failed: number; done: boolean }): Promise<void> =>
      recordMigrationSignalling(db, migrationId, counts, new Date(activityNow())),
    /** What one run did with a migration (a local activity of the run). */
    recordMigrationOutcome: (outcome: MigrationOutcome): Promise<void> => recordMigrationOutcome(db, outcome, new Date(activityNow())),
  };
}
