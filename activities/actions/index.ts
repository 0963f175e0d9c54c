import { actionKinds, actionSpecOf } from '../../journey/index.ts';
import type { ActionKind, ActivityOf } from '../../journey/index.ts';
import type { ActivityDeps } from '../index.ts';
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
    return handler(deps, request);
  };
  return [actionSpecOf(kind).activity, run];
}

/**
 * One activity per action kind, named by its registry entry, bound to the worker's
 * dependencies. The names are Temporal activity types recorded in histories.
 */
export function actionActivities(deps: ActivityDeps): ActionActivities {
  // The mapped type above is what this builds: each kind under its registry name.
  return Object.fromEntries(actionKinds.map((kind) => bind(deps, kind))) as ActionActivities;
}
