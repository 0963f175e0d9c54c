import { compile } from '../../../journey/compile/compile.ts';
import type { CompileContext, CompileError } from '../../../journey/compile/errors.ts';
import type { DraftGraph } from '../graph/draft.ts';

/** The compiler's verdict on a draft, indexed for the canvas, the problems list and the inspector. */
export interface Validation {
  errors: CompileError[];
  /** Messages per step id, for the outlines and messages on the cards. */
  byNode: ReadonlyMap<string, string[]>;
}

/**
 * Compiles the draft in the browser with the same `compile()` the server runs.
 *
 * @example validate(graph, {}).byNode.get('email-1') // ['“Send email” … is not connected …']
 */
export function validate(graph: DraftGraph, context: CompileContext): Validation {
  const result = compile(graph, context);
  const errors = result.ok ? [] : result.errors;
  const byNode = new Map<string, string[]>();
  for (const e of errors) {
    if (e.nodeId === null) continue;
    byNode.set(e.nodeId, [...(byNode.get(e.nodeId) ?? []), e.message]);
  }
  return { errors, byNode };
}

const configPrefix = /^nodes\[\d+\]\.config\.?/;

/**
 * A step's problems by config path (`duration.amount`), for the inspector; problems that name
 * no field of the config are under ''.
 */
export function fieldErrors(errors: readonly CompileError[], nodeId: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of errors) {
    if (e.nodeId !== nodeId) continue;
    const path = e.path && configPrefix.test(e.path) ? e.path.replace(configPrefix, '') : '';
    out.set(path, [...(out.get(path) ?? []), e.message]);
  }
  return out;
}

/** The settings' problems by path under `settings.` (e.g. `goal.eventType`). */
export function settingsErrors(errors: readonly CompileError[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of errors) {
    if (e.nodeId !== null || !e.path?.startsWith('settings')) continue;
    const path = e.path.replace(/^settings\.?/, '');
    out.set(path, [...(out.get(path) ?? []), e.message]);
  }
  return out;
}
