import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { freePort } from '../embedded/process.ts';
import { startNode } from './child.ts';
import type { BenchChild } from './child.ts';
import type { BenchServices } from './services.ts';
import { inLanes, sleep } from './stats.ts';
import type { BareEmail } from './workflows/bare.ts';

/** The bare baselines' worker process and its task queue. */
export interface BareWorker {
  child: BenchChild;
  taskQueue: string;
}

/** Starts bench/procs/bare-worker.ts on its own task queue of the bench's Temporal server. */
export async function startBareWorker(services: BenchServices): Promise<BareWorker> {
  const taskQueue = 'bench-bare';
  const child = await startNode({
    name: 'bare worker',
    entry: fileURLToPath(new URL('./procs/bare-worker.ts', import.meta.url)),
    env: { TEMPORAL_ADDRESS: services.endpoints.temporal.address, SMTP_URL: services.endpoints.smtp.url, TEMPORAL_TASK_QUEUE: taskQueue },
    logFile: join(services.dataDir, 'bare-worker.log'),
    ready: /polling/,
  });
  return { child, taskQueue };
}

/** The bare ingestion endpoint (bench/procs/bare-ingest.ts): validate, then one insertOne per event. */
export interface BareIngest {
  /** Its `POST /v1/events`. */
  url: string;
  child: BenchChild;
}

/** Starts bench/procs/bare-ingest.ts on a free port, writing into the bench app's database. */
export async function startBareIngest(services: BenchServices, dbName = 'waymark_bench'): Promise<BareIngest> {
  const port = await freePort();
  const child = await startNode({
    name: 'bare ingest',
    entry: fileURLToPath(new URL('./procs/bare-ingest.ts', import.meta.url)),
    env: { BENCH_PORT: String(port), MONGODB_URL: services.endpoints.mongo.url, MONGODB_DB: dbName },
    logFile: join(services.dataDir, 'bare-ingest.log'),
    ready: /listening/,
  });
  return { url: `http://127.0.0.1:${port}/v1/events`, child };
}

/** A bare email of about `bytes` bytes on the wire, like the journey emails it stands in for. */
export function bareEmail(to: string, bytes: number): BareEmail {
  const filler = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. ';
  const body = filler.repeat(Math.max(1, Math.ceil(bytes / 2 / filler.length)));
  return { to, subject: 'Welcome aboard, Bench!', html: `<p>${body.slice(0, Math.floor(bytes / 2))}</p>`, text: body.slice(0, Math.floor(bytes / 2)) };
}

/** Waits until the history of each of `workflowIds` has an event that `holds` (`what` names it in the error). */
async function waitForEvent(client: Client, workflowIds: readonly string[], holds: (event: temporal.api.history.v1.IHistoryEvent) => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const id of workflowIds) {
    for (;;) {
      const history = await client.workflow.getHandle(id).fetchHistory();
      if ((history.events ?? []).some(holds)) break;
      if (Date.now() > deadline) throw new Error(`workflow ${id} ${what} within ${timeoutMs / 1000} s`);
      await sleep(250);
    }
  }
}

/**
 * Waits until each of `workflowIds` has finished its first workflow task (it is waiting, or
 * done). Checks the given ids (e.g. the last ones started: tasks are served about in order).
 */
export function waitUntilSettled(client: Client, workflowIds: readonly string[], timeoutMs: number): Promise<void> {
  return waitForEvent(client, workflowIds, (e) => Boolean(e.workflowTaskCompletedEventAttributes), 'did not run its first task', timeoutMs);
}

/**
 * Waits until the last of many bare workflows just started has closed (tasks are served about in
 * order), so the worker's and Temporal's work on a baseline is over before the next thing is
 * measured: started is not done, and 10,000 empty workflows still running took a third of
 * Temporal's CPU from the campaign measured after them.
 */
export async function waitUntilClosed(client: Client, workflowIds: readonly string[]): Promise<void> {
  await Promise.all(workflowIds.slice(-16).map((id) => client.workflow.getHandle(id).result()));
}

/** Waits until the history of each of `workflowIds` shows a timer started (the run waits on it). */
export function waitUntilTimerSet(client: Client, workflowIds: readonly string[], timeoutMs: number): Promise<void> {
  return waitForEvent(client, workflowIds, (e) => Boolean(e.timerStartedEventAttributes), 'set no timer', timeoutMs);
}

/**
 * How long the first workflow task of each of `workflowIds` waited between being scheduled and
 * a worker taking it (Temporal's timestamps), in milliseconds: the queueing a launch leaves
 * behind it before its runs are durable and waiting.
 */
export async function firstTaskWaits(client: Client, workflowIds: readonly string[]): Promise<number[]> {
  const waits: number[] = [];
  const ms = (time: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(time?.seconds ?? 0) * 1000 + (time?.nanos ?? 0) / 1e6;
  await inLanes(workflowIds.length, 16, async (i) => {
    const events = (await client.workflow.getHandle(workflowIds[i] ?? '').fetchHistory()).events ?? [];
    const scheduled = events.find((e) => e.workflowTaskScheduledEventAttributes);
    const started = events.find((e) => e.workflowTaskStartedEventAttributes);
    if (scheduled && started) waits.push(ms(started.eventTime) - ms(scheduled.eventTime));
  });
  return waits;
}
