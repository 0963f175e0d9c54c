// A migration: moves the customers waiting on a journey's older versions to a newer one. Pages
// through the runs still on an older version (their run records) and signals each the new
// version's definition and the mapping; each run applies it at its next wait and reports what it
// did (workflows/journey.ts). Durable and resumable: a worker or API restart continues at the
// last page, and a run signalled twice applies the move once (the second finds it on the version).
import { continueAsNew, getExternalWorkflowHandle, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { JourneyActivities } from '../activities/index.ts';
import { migrateSignal, migrationProgressQuery } from './definitions.ts';
import type { MigrateSignal, MigrationInput, MigrationSignalling } from './definitions.ts';

const store = proxyActivities<JourneyActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Signals at once, so a page of runs does not wait for each signal in turn. */
const concurrency = 20;

/**
 * A page is signalled by an activity through the runtime, which wakes a run asleep in its start
 * delay (a signal from workflow code is a plain signal: kept until the delay ends). Migrations
 * begun before keep signalling from workflow code.
 */
const wakePatch = 'migration-wakes-runs';

/** Signals every waiting run of older versions; returns the counts. */
export async function journeyMigrationWorkflow(input: MigrationInput): Promise<MigrationSignalling> {
  const progress: MigrationSignalling = input.carried?.progress ?? { signalled: 0, ended: 0, failed: 0, done: false };
  setHandler(migrationProgressQuery, () => progress);
  const signal: MigrateSignal = { migrationId: input.migrationId, version: input.version, definition: input.definition, mapping: input.mapping };
  let cursor = input.carried?.cursor ?? null;
  for (;;) {
    const page = await store.migrationRunsPage({ journeyId: input.journeyId, version: input.version, cursor, limit: input.pageSize ?? 100 });
    if (page.workflowIds.length > 0 && patched(wakePatch)) {
      const counts = await store.signalMigrationPage({ workflowIds: page.workflowIds, signal });
      progress.signalled += counts.signalled;
      progress.ended += counts.ended;
      progress.failed += counts.failed;
    } else {
      await signalFromWorkflow(page.workflowIds, signal, progress);
    }
    cursor = page.nextCursor;
    progress.done = cursor === null;
    await store.recordMigrationSignalling(input.migrationId, progress);
    if (progress.done) return progress;
    // Each signal carries the definition: keep the history small.
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > 2_000) {
      await continueAsNew<typeof journeyMigrationWorkflow>({ ...input, carried: { cursor, progress } });
    }
  }
}

/** How migrations begun before `wakePatch` signal a page: from workflow code, 20 at a time. */
async function signalFromWorkflow(workflowIds: readonly string[], signal: MigrateSignal, progress: MigrationSignalling): Promise<void> {
  for (let i = 0; i < workflowIds.length; i += concurrency) {
    await Promise.all(
      workflowIds.slice(i, i + concurrency).map(async (workflowId) => {
        try {
          await getExternalWorkflowHandle(workflowId).signal(migrateSignal, signal);
          progress.signalled++;
        } catch (error) {
          // The run ended between the page and the signal (its record had not caught up yet).
          if (error instanceof Error && /not found/i.test(error.message)) progress.ended++;
          else progress.failed++;
        }
      }),
    );
  }
}
