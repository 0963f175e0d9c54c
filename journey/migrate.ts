// Moving customers in flight to another version of their journey: where each waiting step's
// customers go, whether that is allowed, and the run's state at its new step. Pure: the API's
// plan, the editor's dialog and the journey workflow all use this one rule.
import { z } from 'zod';
import type { JourneyDefinition } from './definition.ts';
import { canonical } from './diff.ts';
import { NodeId, own } from './ids.ts';
import { enterStep } from './interpreter/step.ts';
import { limits } from './limits.ts';
import type { JourneyState, StepResult } from './interpreter/types.ts';
import { nodeName, nodeRegistry } from './nodes/registry.ts';
import type { GraphNode } from './nodes/registry.ts';

/** Old step id → the step of the new version its waiting customers move to (overrides the default). */
export const MigrationMapping = z.record(NodeId, NodeId);
export type MigrationMapping = z.infer<typeof MigrationMapping>;

/** Why a mapping is refused (stable codes; `message` names the steps in a marketer's words). */
export const MigrationIssueCode = z.enum(['TARGET_REQUIRED', 'TARGET_UNKNOWN', 'TARGET_CANNOT_WAIT', 'SOURCE_UNKNOWN']);
export type MigrationIssueCode = z.infer<typeof MigrationIssueCode>;

export const MigrationIssue = z.object({ code: MigrationIssueCode, nodeId: NodeId, target: NodeId.optional(), message: z.string() });
export type MigrationIssue = z.infer<typeof MigrationIssue>;

/** Why a run was not moved. */
export const MigrationSkip = z.enum(['ended', 'noTarget', 'alreadyOnVersion']);
export type MigrationSkip = z.infer<typeof MigrationSkip>;

/** A migration as it is stored and reported: who asked, the target version, the mapping, how far the signalling got. */
export const MigrationRecord = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  journeyId: z.string(),
  version: z.number().int().positive(),
  mapping: MigrationMapping,
  requestedBy: z.string(),
  createdAt: z.iso.datetime(),
  /** `completed` once every waiting run was signalled; runs still acting move at their next wait. */
  status: z.enum(['running', 'completed']),
  /** Runs signalled so far. */
  signalled: z.number().int().nonnegative(),
  /** Runs that ended before the signal reached them. */
  ended: z.number().int().nonnegative(),
  /** Runs the signal could not reach for another reason. */
  failed: z.number().int().nonnegative(),
  finishedAt: z.iso.datetime().optional(),
});
export type MigrationRecord = z.infer<typeof MigrationRecord>;

/**
 * Can a run be put on this step and wait there? The kinds whose spec declares `pauses` (wait,
 * wait for an event): a move to any other step would act or branch at the moment of the move.
 */
export function canHoldRun(node: GraphNode): boolean {
  const spec = nodeRegistry[node.kind];
  return spec.category === 'flow' && spec.pauses !== undefined;
}

/** The steps of a version that customers can be moved to, in the version's order. */
export function holdingSteps(definition: JourneyDefinition): string[] {
  return Object.values(definition.nodes).filter(canHoldRun).map((node) => node.id);
}

/** Where the customers waiting at step `nodeId` go: the mapping's choice, else the step with the same id, else nowhere. */
export function targetOf(to: JourneyDefinition, nodeId: string, mapping: MigrationMapping): string | null {
  return own(mapping, nodeId) ?? (Object.hasOwn(to.nodes, nodeId) ? nodeId : null);
}

/** Same kind and configuration: a run waiting there keeps waiting out what it waits for. */
function sameStep(from: JourneyDefinition, to: JourneyDefinition, nodeId: string): boolean {
  const a = own(from.nodes, nodeId);
  const b = own(to.nodes, nodeId);
  return a !== undefined && b !== undefined && canonical({ kind: a.kind, config: a.config }) === canonical({ kind: b.kind, config: b.config });
}

function label(definition: JourneyDefinition, nodeId: string): string {
  const node = own(definition.nodes, nodeId);
  return node ? nodeName(node) : `step “${nodeId}”`;
}

/**
 * Checks where the customers waiting at `nodeId` of `from` would go in `to`. A target must be a
 * step that can hold a run (`canHoldRun`), or the same step id of the same kind (a send waiting
 * out quiet hours stays on its send). Null when the move is allowed.
 */
export function checkTarget(from: JourneyDefinition, to: JourneyDefinition, nodeId: string, mapping: MigrationMapping): MigrationIssue | null {
  const where = label(from, nodeId);
  const target = targetOf(to, nodeId, mapping);
  if (target === null) {
    return { code: 'TARGET_REQUIRED', nodeId, message: `${where} is not in the new version: pick the step its waiting customers move to.` };
  }
  const node = own(to.nodes, target);
  if (node === undefined) {
    return { code: 'TARGET_UNKNOWN', nodeId, target, message: `${where} is mapped to “${target}”, which the new version does not have: pick one of its steps.` };
  }
  const kept = target === nodeId && own(from.nodes, nodeId)?.kind === node.kind;
  if (!kept && !canHoldRun(node)) {
    return {
      code: 'TARGET_CANNOT_WAIT',
      nodeId,
      target,
      message: `${where} is mapped to ${nodeName(node)}, where customers cannot wait: pick a Wait or Wait for an event step.`,
    };
  }
  return null;
}

/** How many runs of one version wait at one step (from the run records). */
export interface WaitingAt {
  version: number;
  nodeId: string;
  waiting: number;
}

/** One row of a migration plan: the customers of one version waiting at one step, and where they go. */
export interface MigrationRow extends WaitingAt {
  kind: string | null;
  label: string | null;
  /** Null when the marketer must pick one. */
  target: string | null;
  /** True when they keep waiting out what they wait for (same step, unchanged); otherwise they enter the target at the move. */
  keepsWaiting: boolean;
  issue: MigrationIssue | null;
}

/**
 * The plan of moving every waiting customer of older versions to `to`: one row per version and
 * step with its count and target, and every refused mapping (including mappings for steps no old
 * version has).
 *
 * @example planMigration(new Map([[1, v1]]), v2, [{ version: 1, nodeId: 'wait-3d', waiting: 40 }], {})
 */
export function planMigration(
  from: ReadonlyMap<number, JourneyDefinition>,
  to: JourneyDefinition,
  waiting: readonly WaitingAt[],
  mapping: MigrationMapping,
): { rows: MigrationRow[]; issues: MigrationIssue[] } {
  const rows: MigrationRow[] = [];
  for (const at of waiting) {
    const definition = from.get(at.version);
    if (definition === undefined || at.waiting === 0) continue;
    const node = own(definition.nodes, at.nodeId);
    const target = targetOf(to, at.nodeId, mapping);
    rows.push({
      ...at,
      kind: node?.kind ?? null,
      label: node?.label ?? null,
      target,
      keepsWaiting: target === at.nodeId && sameStep(definition, to, at.nodeId),
      issue: checkTarget(definition, to, at.nodeId, mapping),
    });
  }
  const issues = rows.flatMap((row) => (row.issue ? [row.issue] : []));
  const known = new Set([...from.values()].flatMap((d) => Object.keys(d.nodes)));
  for (const nodeId of Object.keys(mapping)) {
    if (!known.has(nodeId)) issues.push({ code: 'SOURCE_UNKNOWN', nodeId, message: `The mapping names step “${nodeId}”, which no earlier version has: remove it.` });
  }
  // One message per step, even when several versions have customers there.
  const unique = new Map(issues.map((issue) => [`${issue.code}:${issue.nodeId}`, issue]));
  return { rows, issues: [...unique.values()] };
}

/** What a migration did to one run. */
export type MigrationResult = { outcome: 'moved'; from: string; to: string; result: StepResult } | { outcome: 'skipped'; reason: MigrationSkip };

/**
 * Moves one waiting run from `from` to `to`. Same step, unchanged: the run keeps its pending
 * wait (same deadline, same visit). Another step, or a changed one: the run enters it now, as
 * its next visit there. Runs state, variables, visits and its id are kept, so effect keys
 * (`runId:nodeId:visit`) stay those of the entry and a key is never used for a second effect.
 * The caller applies it only while the run waits (never mid-action).
 */
export function migrateRun(from: JourneyDefinition, to: JourneyDefinition, state: JourneyState, mapping: MigrationMapping, now: number): MigrationResult {
  const nodeId = state.current?.nodeId;
  if (state.status !== 'running' || nodeId === undefined) return { outcome: 'skipped', reason: 'ended' };
  if (checkTarget(from, to, nodeId, mapping) !== null) return { outcome: 'skipped', reason: 'noTarget' };
  const target = targetOf(to, nodeId, mapping) ?? nodeId;
  const kind = own(from.nodes, nodeId)?.kind ?? 'unknown';
  const note = { at: now, nodeId, kind, outcome: 'moved' };
  if (target === nodeId && sameStep(from, to, nodeId)) {
    const next = { ...state, history: [...state.history, note].slice(-limits.history) };
    return { outcome: 'moved', from: nodeId, to: target, result: { state: next, commands: [next.pending], trace: [note] } };
  }
  return { outcome: 'moved', from: nodeId, to: target, result: enterStep(to, state, target, now, note) };
}
