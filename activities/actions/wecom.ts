import { wecomOutreachAction } from '../wecom.ts';
import type { ActionHandler } from './handler.ts';

/** One check of the step's WeCom 1:1 outreach: creates the owner's task once, then reads its result, reminds, escalates. */
export const wecom: ActionHandler<'wecom'> = (deps, request) => wecomOutreachAction(deps.db, request, { shopUrl: deps.webhooks.shopUrl, ...deps.wecom });
