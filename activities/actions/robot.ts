import { postRobotMessageAction } from '../robots.ts';
import type { ActionHandler } from './handler.ts';

/** Posts the step's message to its WeCom, DingTalk or Feishu group robot, within its rate limit. */
export const robot: ActionHandler<'robot'> = (deps, request) => postRobotMessageAction(deps.db, request, { shopUrl: deps.webhooks.shopUrl, ...deps.robots });
