import { z } from 'zod';
import { defineNode, triggerExits } from './spec.ts';

export const ApiTriggerConfig = z.object({});
export type ApiTriggerConfig = z.infer<typeof ApiTriggerConfig>;

/** Entry only when another system starts a run through the API. */
export const apiTrigger = defineNode(ApiTriggerConfig)({
  kind: 'api',
  displayName: 'Started through the API',
  description: 'Starts the journey only when another system calls the Waymark API.',
  category: 'trigger',
  defaults: () => ({}),
  exits: () => triggerExits,
  summary: () => 'Started through the API',
  enter: () => ({ type: 'follow', exit: 'next' }),
});
