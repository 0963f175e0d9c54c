import { log } from '@temporalio/activity';
import { actionKinds, actionSpecOf } from '../../journey/index.ts';
import type { ActionKind, ActivityOf } from '../../journey/index.ts';
import type { ActivityDeps } from '../index.ts';
import { recordRunProgress } from '../progress.ts';
import { refreshHolidayCalendar } from '../send-days.ts';
import type { ActionOutcome, ActionRequest } from '../types.ts';
import { coupon } from './coupon.ts';
import { email } from './email.ts';
import type { ActionHandler, ActionHandlers } from './handler.ts';
import { robot } from './robot.ts';
import { sms } from './sms.ts';
import { task } from './task.ts';
import { update } from './update.ts';
import { webhook } from './webhook.ts';
import { wecom } from './wecom.ts';

export type { ActionHandler } from './handler.ts';

/** Every action kind's handler, one file each. */
export const actionHandlers: ActionHandlers = { email, sms, coupon, task, update, webhook, robot, wecom } satisfies ActionHandlers;

/** The action activities as the worker registers them: by each kind's activity name (`sendEmail`…). */
export type ActionActivities = { [K in ActionKind as ActivityOf<K>]: (request: ActionRequest<K>) => Promise<ActionOutcome> };

function bind<K extends ActionKind>(deps: ActivityDeps, kind: K): [string, (request: ActionRequest<K>) => Promise<ActionOutcome>] {
  const handler: ActionHandler<K> = actionHandlers[kind];
  // Send days read the operator's holiday calendar too: fresh enough (its TTL) before the send.
  const run = async (request: ActionRequest<K>) => {
    if (request.settings.sendDays !== undefined) await refreshHolidayCalendar(deps.db);
    return withProgress(deps, request, await handler(deps, request));
  };
  return [actionSpecOf(kind).activity, run];
}

/**
 * Writes the run's progress record the workflow sent along (`request.progress`: where the run
 * is once the action ends `ok` with no variables), so the run needs no progress record of its
 * own for the step. Any other outcome leaves recording to the workflow. A record that fails to
 * write does not fail the action (it happened): the outcome says not recorded and the
 * workflow records it as it does without this.
 */
async function withProgress(deps: ActivityDeps, request: Pick<ActionRequest, 'progress'>, outcome: ActionOutcome): Promise<ActionOutcome> {
  if (request.progress === undefined || outcome.outcome !== 'ok' || outcome.variables !== undefined) return outcome;
  try {
    await recordRunProgress(deps.db, request.progress);
    return { ...outcome, recorded: true };
  } catch (error) {
    try {
      log.warn('journey progress not recorded by the action; the run records it', { workflowId: request.progress.workflowId, nodeId: request.progress.nodeId, error: error instanceof Error ? error.message : String(error) });
    } catch {
      // Called outside an activity (tests call activities directly): the outcome says it.
    }
    return outcome;
  }
}

/**
 * One activity per action kind, named by its registry entry, bound to the worker's
 * dependencies. The names are Temporal activity types recorded in histories.
 */
export function actionActivities(deps: ActivityDeps): ActionActivities {
  // The mapped type above is what this builds: each kind under its registry name.
  return Object.fromEntries(actionKinds.map((kind) => bind(deps, kind))) as ActionActivities;
}
