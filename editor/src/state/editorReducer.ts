import type { DraftGraph } from '../graph/draft.ts';
import { addNode, connect, copySelection, moveNodes, paste, removeElements, updateNode } from '../graph/ops.ts';
import type { Clipboard } from '../graph/ops.ts';
import { commit, createHistory, redo, undo } from './history.ts';
import type { History } from './history.ts';

/** Everything the canvas edits, as plain JSON: the draft with its undo history, the selection, the clipboard. */
export interface EditorState {
  history: History<DraftGraph>;
  selection: { nodeIds: string[]; edgeIds: string[] };
  clipboard: Clipboard | null;
}

export type EditorAction =
  | { type: 'load'; graph: DraftGraph }
  | { type: 'replace'; graph: DraftGraph }
  | { type: 'add'; kind: string; position: { x: number; y: number } }
  | { type: 'move'; positions: Array<{ id: string; x: number; y: number }>; dragging: boolean }
  | { type: 'remove'; nodeIds: string[]; edgeIds: string[] }
  | { type: 'removeSelection' }
  | { type: 'connect'; source: string; sourceHandle: string; target: string }
  | { type: 'updateNode'; nodeId: string; config?: unknown; label?: string; field: string }
  | { type: 'updateJourney'; name?: string; settings?: Record<string, unknown>; field: string }
  | { type: 'select'; nodeIds: string[]; edgeIds?: string[] }
  | { type: 'copy' }
  | { type: 'cut' }
  | { type: 'paste' }
  | { type: 'undo' }
  | { type: 'redo' };

export function initialEditorState(graph: DraftGraph): EditorState {
  return { history: createHistory(graph), selection: { nodeIds: [], edgeIds: [] }, clipboard: null };
}

function withGraph(state: EditorState, graph: DraftGraph, coalesce: string | null = null): EditorState {
  return withHistory(state, commit(state.history, graph, coalesce));
}

function withHistory(state: EditorState, history: History<DraftGraph>): EditorState {
  const graph = history.present;
  // Keep only selected things that still exist (undo may remove them).
  const nodes = new Set(graph.nodes.map((n) => n.id));
  const edges = new Set(graph.edges.map((e) => e.id));
  const selection = { nodeIds: state.selection.nodeIds.filter((id) => nodes.has(id)), edgeIds: state.selection.edgeIds.filter((id) => edges.has(id)) };
  return { ...state, history, selection };
}

/**
 * The editor's state machine: every change to the graph is one undo step (a drag or typing in
 * one field is coalesced into one).
 */
export function editorReducer(state: EditorState, action: EditorAction): EditorState {
  const graph = state.history.present;
  switch (action.type) {
    case 'load':
      return initialEditorState(action.graph);
    case 'replace':
      return withGraph(state, action.graph);
    case 'add': {
      const added = addNode(graph, action.kind, action.position);
      if (!added.nodeId) return state;
      return { ...withGraph(state, added.graph), selection: { nodeIds: [added.nodeId], edgeIds: [] } };
    }
    case 'move': {
      const key = action.dragging ? `move:${action.positions.map((p) => p.id).join(',')}` : null;
      return withGraph(state, moveNodes(graph, new Map(action.positions.map((p) => [p.id, p]))), key);
    }
    case 'remove':
      return withGraph(state, removeElements(graph, action.nodeIds, action.edgeIds));
    case 'removeSelection':
      return withGraph(state, removeElements(graph, state.selection.nodeIds, state.selection.edgeIds));
    case 'connect':
      return withGraph(state, connect(graph, action.source, action.sourceHandle, action.target));
    case 'updateNode': {
      const patch = { ...('config' in action ? { config: action.config } : {}), ...(action.label !== undefined ? { label: action.label } : {}) };
      return withGraph(state, updateNode(graph, action.nodeId, patch), `node:${action.nodeId}:${action.field}`);
    }
    case 'updateJourney': {
      const next = { ...graph, ...(action.name !== undefined ? { name: action.name } : {}), ...(action.settings ? { settings: action.settings } : {}) };
      return withGraph(state, next, `journey:${action.field}`);
    }
    case 'select':
      return { ...state, selection: { nodeIds: action.nodeIds, edgeIds: action.edgeIds ?? [] } };
    case 'copy':
      return state.selection.nodeIds.length ? { ...state, clipboard: copySelection(graph, state.selection.nodeIds) } : state;
    case 'cut': {
      if (!state.selection.nodeIds.length) return state;
      const clipboard = copySelection(graph, state.selection.nodeIds);
      return { ...withGraph(state, removeElements(graph, state.selection.nodeIds)), clipboard };
    }
    case 'paste': {
      if (!state.clipboard || state.clipboard.nodes.length === 0) return state;
      const pasted = paste(graph, state.clipboard);
      // Pasting again shifts further, so copies do not stack on top of each other.
      const clipboard = { nodes: state.clipboard.nodes.map((n) => ({ ...n, position: { x: n.position.x + 40, y: n.position.y + 40 } })), edges: state.clipboard.edges };
      return { ...withGraph(state, pasted.graph), clipboard, selection: { nodeIds: pasted.nodeIds, edgeIds: [] } };
    }
    case 'undo':
      return withHistory(state, undo(state.history));
    case 'redo':
      return withHistory(state, redo(state.history));
  }
}
