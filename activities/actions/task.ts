import { createTaskAction } from '../task.ts';
import type { ActionHandler } from './handler.ts';

/** Opens the step's customer-service task. */
export const task: ActionHandler<'task'> = (deps, request) => createTaskAction(deps.db, request, deps.email.shopUrl);
