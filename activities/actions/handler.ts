import type { ActionKind } from '../../journey/index.ts';
import type { ActivityDeps } from '../index.ts';
import type { ActionOutcome, ActionRequest } from '../types.ts';

/**
 * What runs an action kind's side effect: a thin call into the code of its channel, given the
 * worker's dependencies and the workflow's request. Its Temporal activity name and retry policy
 * come from the kind's registry entry (`action` in journey/nodes/<kind>.ts).
 */
export type ActionHandler<K extends ActionKind> = (deps: ActivityDeps, request: ActionRequest<K>) => Promise<ActionOutcome>;

/** One handler per action kind: the type fails until every kind has one. */
export type ActionHandlers = { readonly [K in ActionKind]: ActionHandler<K> };
