import { z } from 'zod';
import { defineNode } from './spec.ts';

export const ExitConfig = z.object({});
export type ExitConfig = z.infer<typeof ExitConfig>;

/** Ends the customer's run. */
export const exitNode = defineNode(ExitConfig)({
  kind: 'exit',
  displayName: 'Exit',
  description: 'Ends the journey for the customer.',
  category: 'flow',
  defaults: () => ({}),
  exits: () => [],
  summary: () => 'Exit',
  enter: () => ({ type: 'complete', reason: 'exit' }),
});
