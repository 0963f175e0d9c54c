/**
 * `npx tsx bench/history-cost.ts [file…]`: history events and billable Temporal actions (rule in
 * bench/actions.ts) of recorded journey runs (workflows/histories/*.json, the default the
 * win-back runs), per step and per customer: up to the run's first wait (what a customer costs
 * at once) and for the whole run, and the workflow tasks that recorded no command. Reads files
 * only: no server.
 */
import { readFileSync } from 'node:fs';
import proto from '@temporalio/proto';
import type { temporal } from '@temporalio/proto';
import { costOf, idleTasksOf } from './actions.ts';

type Event = temporal.api.history.v1.IHistoryEvent;
// A CommonJS module: its namespace is the default export under tsx.
const { History } = proto.temporal.api.history.v1;

const files = process.argv.slice(2);
const paths = files.length > 0 ? files : ['workflows/histories/win-back.json', 'workflows/histories/win-back-action-records.json'];

/** What one event records, for the per-step lines: the command's name, or null for the rest. */
function command(e: Event): string | null {
  if (e.workflowExecutionStartedEventAttributes) return 'start';
  if (e.activityTaskScheduledEventAttributes) return e.activityTaskScheduledEventAttributes.activityType?.name ?? 'activity';
  if (e.markerRecordedEventAttributes) return e.markerRecordedEventAttributes.markerName === 'core_local_activity' ? 'local activity (marker)' : 'patch (marker)';
  if (e.timerStartedEventAttributes) return 'timer (a wait)';
  if (e.upsertWorkflowSearchAttributesEventAttributes) return 'search attributes (patch)';
  if (e.workflowExecutionCompletedEventAttributes) return 'end';
  return null;
}

for (const path of paths) {
  const recorded = JSON.parse(readFileSync(path, 'utf8')) as { history: Record<string, unknown> };
  const history = History.fromObject(recorded.history);
  const events = history.events;
  const firstWait = events.findIndex((e) => e.timerStartedEventAttributes);
  const toWait = costOf({ events: events.slice(0, firstWait + 1) });
  const whole = costOf(history);
  console.log(`${path}`);
  console.log(`  to the first wait: ${toWait.events} events, ${toWait.actions} billable actions; whole run: ${whole.events} events, ${whole.actions} actions; workflow tasks that record nothing: ${idleTasksOf(history)}`);
  // Per step: each command with the events and actions it adds (a command's own event and the
  // events of the workflow task and activity around it, up to the next command).
  let from = 0;
  for (let i = 1; i <= events.length; i++) {
    const at = events[i];
    if (i < events.length && (at === undefined || command(at) === null)) continue;
    const own = events.slice(from, i);
    const name = own.map(command).find((c) => c !== null) ?? '?';
    const before = costOf({ events: events.slice(0, from) });
    const after = costOf({ events: events.slice(0, i) });
    console.log(`    ${name.padEnd(30)} ${String(own.length).padStart(3)} events ${String(after.actions - before.actions).padStart(2)} actions`);
    from = i;
  }
}
