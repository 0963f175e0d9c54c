// Case 6 — the cost of waiting: the worker's resident memory with journeys waiting on events
// and on timers (snapshots taken by the latency and launch cases), against the bare worker with
// as many bare workflows waiting for a signal; and history events and billable Temporal actions
// per journey step, by kind.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { freePort } from '../../embedded/process.ts';
import { journeyWorkflowId } from '../../workflows/definitions.ts';
import { costOf, idleTasksOf } from '../actions.ts';
import { seedCustomers } from '../app.ts';
import type { BenchContext } from '../context.ts';
import type { BenchRow } from '../core.ts';
import { stepJourneys } from '../journeys.ts';
import { round } from '../stats.ts';

/** Rows of the memory snapshots: absolute, and per waiting run above the idle worker. */
export function memoryRows(ctx: BenchContext): BenchRow[] {
  const [idle, ...rest] = ctx.memory;
  if (idle === undefined) return [];
  const rows: BenchRow[] = [{ case: 'worker memory (RSS), idle after start (baseline: the bare worker)', value: round(idle.workerMiB), unit: 'MiB', baseline: round(idle.bareMiB) }];
  for (const snap of rest) {
    rows.push({
      case: `worker memory (RSS), ${snap.label} (${snap.waiting.toLocaleString('en')} runs waiting; bare: ${snap.bareWaiting.toLocaleString('en')} waiting for a signal)`,
      value: round(snap.workerMiB),
      unit: 'MiB',
      baseline: round(snap.bareMiB),
    });
  }
  const last = rest.at(-1);
  const lastBare = [...rest].reverse().find((s) => s.bareWaiting > 0);
  if (last !== undefined && last.waiting > 0 && lastBare !== undefined) {
    rows.push({
      case: 'worker memory per waiting run, above idle',
      value: round(((last.workerMiB - idle.workerMiB) * 1024) / last.waiting, 2),
      unit: 'KiB',
      baseline: round(((lastBare.bareMiB - idle.bareMiB) * 1024) / lastBare.bareWaiting, 2),
    });
  }
  return rows;
}

/**
 * History events one step adds to a run: each kind runs in a journey `api trigger → step →
 * exit`, and the row is its history length minus that of `api trigger → exit`.
 */
export async function benchStepHistory(ctx: BenchContext): Promise<BenchRow[]> {
  const { app } = ctx;
  const port = await freePort();
  const hook: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
  });
  await new Promise<void>((resolve) => hook.listen(port, '127.0.0.1', resolve));
  try {
    const journeys = stepJourneys(`http://127.0.0.1:${port}/hook`);
    for (const { graph } of journeys) await app.publish(graph);
    const [customerId = ''] = await seedCustomers(app.db, { prefix: 'st', count: 1, tags: ['steps'] });
    const lengths = await Promise.all(
      journeys.map(async ({ kind, graph }) => {
        const reply = await app.call('POST', `/v1/journeys/${graph.id}/runs`, { customerId });
        if (reply.status !== 202) throw new Error(`starting ${graph.id}: ${reply.status} ${JSON.stringify(reply.body)}`);
        const handle = app.temporal.workflow.getHandle(journeyWorkflowId(graph.id, customerId));
        const result = (await Promise.race([handle.result(), new Promise((_, reject) => setTimeout(() => reject(new Error(`${graph.id} did not finish`)), 120_000).unref())])) as { reason: string };
        if (result.reason !== 'exit') throw new Error(`${graph.id} ended with ${result.reason}`);
        const history = await handle.fetchHistory();
        return { kind, length: (await handle.describe()).historyLength, actions: costOf(history).actions, idle: idleTasksOf(history) };
      }),
    );
    const [none, ...steps] = lengths;
    if (none === undefined) return [];
    const { emptyWorkflow, emailOnSignalWorkflow } = ctx.bareHistory;
    return [
      { case: `history events: a run of api trigger → exit (baseline: bare empty workflow)`, value: none.length, unit: 'events', ...(emptyWorkflow ? { baseline: emptyWorkflow } : {}) },
      ...(emailOnSignalWorkflow ? [{ case: 'history events: bare workflow, one signal then one activity (for reference)', value: emailOnSignalWorkflow, unit: 'events' }] : []),
      ...steps.map((s) => ({ case: `history events per step: ${s.kind}`, value: s.length - none.length, unit: 'events' })),
      { case: 'billable Temporal actions: a run of api trigger → exit (rule in bench/actions.ts)', value: none.actions, unit: 'actions' },
      ...steps.map((s) => ({ case: `billable Temporal actions per step: ${s.kind}`, value: s.actions - none.actions, unit: 'actions' })),
      { case: `workflow tasks that record no command, in these ${lengths.length} runs`, value: lengths.reduce((n, s) => n + s.idle, 0), unit: 'tasks' },
    ];
  } finally {
    await new Promise<void>((resolve) => hook.close(() => resolve()));
  }
}
