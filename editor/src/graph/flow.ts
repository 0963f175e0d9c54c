import type { Edge, Node } from '@xyflow/react';
import type { NodeCategory } from '../../../journey/nodes/spec.ts';
import type { DraftGraph } from './draft.ts';
import { exitsOf, specOf, summaryOf } from './registry.ts';

/** Numbers shown on a step: a forecast, or live counts of a published journey. */
export type StepCounts = { entered: number; waiting: number; converted: number };
export type DiffMark = 'added' | 'removed' | 'changed';

/** A step's card data: plain JSON only (no callbacks), derived from the draft on every render. */
export type StepData = {
  kind: string;
  category: NodeCategory | 'unknown';
  /** The marketer's label, if any; the card falls back to the kind's display name. */
  label: string | null;
  displayName: string;
  summary: string | null;
  exits: Array<{ id: string; label: string; optional: boolean }>;
  problems: string[];
  counts: StepCounts | null;
  countsSource: 'forecast' | 'live' | null;
  diff: DiffMark | null;
};

/** The one node type of the canvas: every kind renders as a step card driven by the registry. */
export type StepNode = Node<StepData, 'step'>;
export type ExitEdge = Edge<{ count: number | null; handleLabel: string }, 'exit'>;

/** What overlays the graph: problems per step, counts per step and per exit, diff marks. */
export interface Overlay {
  problems?: ReadonlyMap<string, string[]>;
  counts?: ReadonlyMap<string, StepCounts>;
  /** Customers who left through each exit, keyed `nodeId.handle`. */
  edgeCounts?: ReadonlyMap<string, number>;
  countsSource?: 'forecast' | 'live';
  diff?: ReadonlyMap<string, DiffMark>;
}

/**
 * The React Flow nodes for a draft graph.
 *
 * @example toFlowNodes(graph, new Set(['email-1']), { problems }) // StepNode[]
 */
export function toFlowNodes(graph: DraftGraph, selected: ReadonlySet<string>, overlay: Overlay = {}): StepNode[] {
  return graph.nodes.map((n) => {
    const spec = specOf(n.kind);
    const counts = overlay.counts?.get(n.id) ?? null;
    return {
      id: n.id,
      type: 'step',
      position: n.position,
      selected: selected.has(n.id),
      data: {
        kind: n.kind,
        category: spec?.category ?? 'unknown',
        label: n.label ?? null,
        displayName: spec?.displayName ?? n.kind,
        summary: summaryOf(n.kind, n.config),
        exits: exitsOf(n.kind, n.config).map((x) => ({ id: x.id, label: x.label, optional: x.optional ?? false })),
        problems: overlay.problems?.get(n.id) ?? [],
        counts,
        countsSource: counts ? (overlay.countsSource ?? null) : null,
        diff: overlay.diff?.get(n.id) ?? null,
      },
    };
  });
}

/** The React Flow edges; edges from exits a step no longer has are not drawn (the compiler reports them). */
export function toFlowEdges(graph: DraftGraph, selected: ReadonlySet<string>, overlay: Overlay = {}): ExitEdge[] {
  const exits = new Map(graph.nodes.map((n) => [n.id, new Map(exitsOf(n.kind, n.config).map((x) => [x.id, x.label]))]));
  const nodes = new Set(graph.nodes.map((n) => n.id));
  return graph.edges.flatMap((e) => {
    const handleLabel = exits.get(e.source)?.get(e.sourceHandle);
    if (handleLabel === undefined || !nodes.has(e.target)) return [];
    const edge: ExitEdge = {
      id: e.id,
      type: 'exit',
      source: e.source,
      sourceHandle: e.sourceHandle,
      target: e.target,
      targetHandle: 'in',
      selected: selected.has(e.id),
      data: { count: overlay.edgeCounts?.get(`${e.source}.${e.sourceHandle}`) ?? null, handleLabel },
    };
    return [edge];
  });
}
