import type { JourneyDefinition } from '../../../journey/definition.ts';
import { diffDefinitions } from '../../../journey/diff.ts';
import type { DraftGraph } from '../graph/draft.ts';
import type { DiffMark } from '../graph/flow.ts';

/** Two versions drawn as one graph: the newer version plus the steps the newer one removed. */
export interface VisualDiff {
  graph: DraftGraph;
  marks: Map<string, DiffMark>;
  settingsChanged: boolean;
}

/** A published version as the diff needs it: the compiled definition and the graph as drawn. */
export interface VersionForDiff {
  definition: JourneyDefinition;
  graph: DraftGraph;
}

/**
 * Compares two published versions with the core's `diffDefinitions` and merges them for
 * display: removed steps (and their old connections) stay where they were, marked removed.
 * Moving a step is not a change.
 *
 * @example visualDiff(v1, v2).marks.get('sms-1') // 'added'
 */
export function visualDiff(older: VersionForDiff, newer: VersionForDiff): VisualDiff {
  const diff = diffDefinitions(older.definition, newer.definition);
  const removed = new Set(diff.removed);
  const marks = new Map<string, DiffMark>([
    ...diff.added.map((id): [string, DiffMark] => [id, 'added']),
    ...diff.removed.map((id): [string, DiffMark] => [id, 'removed']),
    ...diff.changed.map((id): [string, DiffMark] => [id, 'changed']),
  ]);
  const edgeIds = new Set(newer.graph.edges.map((e) => e.id));
  const graph: DraftGraph = {
    ...newer.graph,
    nodes: [...newer.graph.nodes, ...older.graph.nodes.filter((n) => removed.has(n.id))],
    edges: [...newer.graph.edges, ...older.graph.edges.filter((e) => (removed.has(e.source) || removed.has(e.target)) && !edgeIds.has(e.id))],
  };
  return { graph, marks, settingsChanged: diff.settingsChanged };
}
