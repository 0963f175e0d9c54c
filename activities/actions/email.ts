import { sendEmailAction } from '../email.ts';
import type { ActionHandler } from './handler.ts';

/** Sends the step's email template through SMTP, once per ledger row. */
export const email: ActionHandler<'email'> = (deps, request) => sendEmailAction(deps.db, deps.email, deps.templates, request);
