import { fileURLToPath } from 'node:url';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import type { NativeConnection, WorkerOptions } from '@temporalio/worker';
import type { createActivities } from '../activities/index.ts';

/** Where the worker's workflows live (`workflows/index.ts` exports every workflow). */
export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/**
 * Modules evaluated once per worker thread and shared by every workflow in the reusable V8
 * context, instead of once per cached workflow: the journey core (the interpreter, the node
 * registry and its zod schemas) and zod. Without this each cached run carried its own copy of
 * them (~2 MiB). Sharing is safe because journey/ is pure: the lint forbids clocks and
 * randomness, its only module state caches pure results (timezone formatters), and the
 * interpreter never parses with a schema at run time (zod defines properties lazily, and
 * Temporal deep-freezes shared modules). The whole barrel is preloaded so that every schema
 * derived from another is built before the freeze.
 */
export const preloadModules = ['zod', fileURLToPath(new URL('../journey/index.ts', import.meta.url))];

export interface WorkerDeps {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  activities: ReturnType<typeof createActivities>;
  /** Pre-bundled workflow code (`bundleWorkflows()`); without it the worker bundles at start. */
  workflowBundle?: { code: string };
  /** Extra Temporal worker options (tests tune concurrency, production keeps the defaults). */
  options?: Partial<Pick<WorkerOptions, 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'maxCachedWorkflows' | 'shutdownGraceTime'>>;
}

/**
 * A Temporal worker for every Waymark workflow (journeys, campaign launches, the date sweep)
 * and its activities.
 *
 * @example
 *   const worker = await createWorker({ connection, taskQueue: 'waymark', activities });
 *   await worker.run();
 */
export async function createWorker(deps: WorkerDeps): Promise<Worker> {
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace ?? 'default',
    taskQueue: deps.taskQueue,
    activities: deps.activities,
    ...(deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : { workflowsPath, bundlerOptions: { preloadModules } }),
    shutdownGraceTime: '10 seconds',
    // A campaign page starts hundreds of runs at once, and each new run's first workflow task
    // comes through the task queue itself, not this worker's sticky queue. With the default
    // split (2 of the 10 workflow pollers on the task queue) those first tasks queued for
    // seconds behind the launch; every poller may serve either queue now.
    nonStickyToStickyPollRatio: 1,
    ...deps.options,
  });
}

/** Bundles the workflow code once (webpack), for production workers and replay tests. */
export async function bundleWorkflows(): Promise<{ code: string }> {
  return bundleWorkflowCode({ workflowsPath, preloadModules });
}
