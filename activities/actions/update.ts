import { updateProfileAction } from '../update.ts';
import type { ActionHandler } from './handler.ts';

/** Applies the step's profile changes. */
export const update: ActionHandler<'update'> = (deps, request) => updateProfileAction(deps.db, request);
