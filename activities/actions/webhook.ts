import { callWebhookAction } from '../webhook.ts';
import type { ActionHandler } from './handler.ts';

/** Posts the step's templated JSON, through the SSRF guard, once per effect-ledger row. */
export const webhook: ActionHandler<'webhook'> = (deps, request) => callWebhookAction(deps.db, request, deps.webhooks);
