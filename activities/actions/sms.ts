import { sendSmsAction } from '../sms.ts';
import type { ActionHandler } from './handler.ts';

/** Sends the step's SMS template through the configured SMS provider, once per ledger row. */
export const sms: ActionHandler<'sms'> = (deps, request) => sendSmsAction(deps.db, deps.sms, deps.templates, request);
