import type { DraftEdge, DraftGraph, DraftNode } from './draft.ts';
import { exitsOf, specOf } from './registry.ts';

/** Pure edits of a draft graph: each returns a new graph and leaves the old one untouched. */

/** A free step id for a kind: `email-1`, `email-2`, … */
export function freeNodeId(graph: DraftGraph, kind: string, taken: ReadonlySet<string> = new Set()): string {
  const used = new Set([...graph.nodes.map((n) => n.id), ...taken]);
  const base = kind.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 50) || 'step';
  for (let i = 1; ; i++) if (!used.has(`${base}-${i}`)) return `${base}-${i}`;
}

function edgeId(source: string, handle: string): string {
  return `${source}.${handle}`;
}

/**
 * Adds a step of `kind` with the kind's default config.
 *
 * @example addNode(graph, 'wait', { x: 200, y: 120 }) // { graph, nodeId: 'wait-1' }
 */
export function addNode(graph: DraftGraph, kind: string, position: { x: number; y: number }): { graph: DraftGraph; nodeId: string } {
  const spec = specOf(kind);
  if (!spec) return { graph, nodeId: '' };
  const nodeId = freeNodeId(graph, kind);
  const node: DraftNode = { id: nodeId, kind, config: spec.defaults(), position: { x: Math.round(position.x), y: Math.round(position.y) } };
  return { graph: { ...graph, nodes: [...graph.nodes, node] }, nodeId };
}

/** Removes steps (with the connections that touch them) and connections. */
export function removeElements(graph: DraftGraph, nodeIds: readonly string[], edgeIds: readonly string[] = []): DraftGraph {
  if (nodeIds.length === 0 && edgeIds.length === 0) return graph;
  const nodes = new Set(nodeIds);
  const edges = new Set(edgeIds);
  return {
    ...graph,
    nodes: graph.nodes.filter((n) => !nodes.has(n.id)),
    edges: graph.edges.filter((e) => !edges.has(e.id) && !nodes.has(e.source) && !nodes.has(e.target)),
  };
}

/** Whether a connection may be drawn: an existing exit, into a step that is not a trigger, not a self-loop. */
export function canConnect(graph: DraftGraph, source: string, sourceHandle: string | null | undefined, target: string): boolean {
  const from = graph.nodes.find((n) => n.id === source);
  const to = graph.nodes.find((n) => n.id === target);
  if (!from || !to || source === target || !sourceHandle) return false;
  if (specOf(to.kind)?.category === 'trigger') return false;
  return exitsOf(from.kind, from.config).some((x) => x.id === sourceHandle);
}

/** Connects an exit to a step; an exit leads to one step, so this replaces its old connection. */
export function connect(graph: DraftGraph, source: string, sourceHandle: string, target: string): DraftGraph {
  if (!canConnect(graph, source, sourceHandle, target)) return graph;
  const edge: DraftEdge = { id: edgeId(source, sourceHandle), source, sourceHandle, target };
  return { ...graph, edges: [...graph.edges.filter((e) => !(e.source === source && e.sourceHandle === sourceHandle)), edge] };
}

/** Moves steps to new positions (rounded to whole pixels). */
export function moveNodes(graph: DraftGraph, positions: ReadonlyMap<string, { x: number; y: number }>): DraftGraph {
  if (positions.size === 0) return graph;
  return {
    ...graph,
    nodes: graph.nodes.map((n) => {
      const p = positions.get(n.id);
      return p ? { ...n, position: { x: Math.round(p.x), y: Math.round(p.y) } } : n;
    }),
  };
}

/**
 * Changes a step's config or label. Connections from exits the new config no longer has (a
 * removed branch condition or split arm) are dropped with it.
 */
export function updateNode(graph: DraftGraph, nodeId: string, patch: { config?: unknown; label?: string }): DraftGraph {
  const node = graph.nodes.find((n) => n.id === nodeId);
  if (!node) return graph;
  const next: DraftNode = { ...node, ...('config' in patch ? { config: patch.config } : {}) };
  if (patch.label !== undefined) {
    if (patch.label.trim() === '') delete next.label;
    else next.label = patch.label;
  }
  const exits = new Set(exitsOf(next.kind, next.config).map((x) => x.id));
  return {
    ...graph,
    nodes: graph.nodes.map((n) => (n.id === nodeId ? next : n)),
    edges: graph.edges.filter((e) => e.source !== nodeId || exits.has(e.sourceHandle)),
  };
}

/** What copy puts on the clipboard: steps and the connections among them. */
export interface Clipboard {
  nodes: DraftNode[];
  edges: DraftEdge[];
}

export function copySelection(graph: DraftGraph, nodeIds: readonly string[]): Clipboard {
  const ids = new Set(nodeIds);
  return {
    nodes: graph.nodes.filter((n) => ids.has(n.id)),
    edges: graph.edges.filter((e) => ids.has(e.source) && ids.has(e.target)),
  };
}

/** Pastes copies with fresh ids, shifted by `offset`; returns the new steps' ids. */
export function paste(graph: DraftGraph, clipboard: Clipboard, offset = 40): { graph: DraftGraph; nodeIds: string[] } {
  const renamed = new Map<string, string>();
  const taken = new Set<string>();
  for (const n of clipboard.nodes) {
    const id = freeNodeId(graph, n.kind, taken);
    taken.add(id);
    renamed.set(n.id, id);
  }
  const nodes = clipboard.nodes.map((n) => ({ ...structuredClone(n), id: renamed.get(n.id) ?? n.id, position: { x: n.position.x + offset, y: n.position.y + offset } }));
  const edges = clipboard.edges.flatMap((e) => {
    const source = renamed.get(e.source);
    const target = renamed.get(e.target);
    return source && target ? [{ id: edgeId(source, e.sourceHandle), source, sourceHandle: e.sourceHandle, target }] : [];
  });
  return { graph: { ...graph, nodes: [...graph.nodes, ...nodes], edges: [...graph.edges, ...edges] }, nodeIds: nodes.map((n) => n.id) };
}
