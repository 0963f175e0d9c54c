import type { z } from 'zod';
import { GraphEdge, JourneyGraph } from '../graph.ts';
import { GraphNode, isNodeKind, nodeName } from '../nodes/registry.ts';
import type { NodeKind } from '../nodes/registry.ts';
import { JourneySettings } from '../settings.ts';
import type { CompileError } from './errors.ts';
import { quote } from './errors.ts';

/** A step the structural checks can use: id and kind are sound; `node` is null if its config is not. */
export interface ParsedNode {
  index: number;
  id: string;
  kind: NodeKind;
  label?: string | undefined;
  node: GraphNode | null;
}

export interface ParsedGraph {
  header: Pick<JourneyGraph, 'id' | 'name' | 'description'> | null;
  nodes: ParsedNode[];
  edges: GraphEdge[];
  settings: JourneySettings | null;
}

const Header = JourneyGraph.pick({ id: true, name: true, description: true });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `['config', 'conditions', 0, 'id']` → `config.conditions[0].id`. */
export function formatPath(segments: readonly PropertyKey[]): string {
  return segments.reduce<string>((out, s) => (typeof s === 'number' ? `${out}[${s}]` : out ? `${out}.${String(s)}` : String(s)), '');
}

function issues(error: z.ZodError, prefix: string): { path: string; message: string }[] {
  return error.issues.map((issue) => {
    const path = formatPath(issue.path);
    return { path: path ? `${prefix}.${path}` : prefix, message: issue.message };
  });
}

function parseNode(raw: unknown, index: number, errors: CompileError[]): ParsedNode | null {
  const where = `nodes[${index}]`;
  if (!isRecord(raw)) {
    errors.push({ nodeId: null, code: 'INVALID_NODE', message: `Step ${index + 1} is not an object.`, path: where });
    return null;
  }
  const id = typeof raw.id === 'string' ? raw.id : null;
  if (!isNodeKind(raw.kind)) {
    const kind = typeof raw.kind === 'string' ? quote(raw.kind) : 'no kind';
    errors.push({ nodeId: id, code: 'UNKNOWN_NODE_KIND', message: `Step ${quote(id ?? String(index + 1))} has ${kind}, which Waymark does not know: delete it or pick a step from the palette.`, path: `${where}.kind` });
    return null;
  }
  const label = typeof raw.label === 'string' ? raw.label : undefined;
  const result = GraphNode.safeParse(raw);
  if (result.success) return { index, id: result.data.id, kind: result.data.kind, label: result.data.label, node: result.data };
  const name = nodeName({ id: id ?? String(index + 1), kind: raw.kind, label });
  let sound = id !== null;
  for (const issue of issues(result.error, where)) {
    const inConfig = issue.path.startsWith(`${where}.config`);
    sound &&= inConfig;
    const field = issue.path.slice(where.length + 1) || 'step';
    errors.push({
      nodeId: id,
      code: inConfig ? 'INVALID_CONFIG' : 'INVALID_NODE',
      message: `${name} has an invalid ${quote(field.replace(/^config\./, ''))}: ${issue.message}.`,
      path: issue.path,
    });
  }
  return sound && id !== null ? { index, id, kind: raw.kind, label, node: null } : null;
}

/**
 * Reads untrusted graph JSON step by step, so one broken step yields errors on that step while
 * the rest of the graph is still checked.
 */
export function parseGraph(raw: unknown, errors: CompileError[]): ParsedGraph | null {
  if (!isRecord(raw)) {
    errors.push({ nodeId: null, code: 'INVALID_GRAPH', message: 'This is not a journey: expected an object with nodes, edges and settings.' });
    return null;
  }
  if (raw.schemaVersion !== 1) {
    errors.push({
      nodeId: null,
      code: 'UNSUPPORTED_SCHEMA_VERSION',
      message: `This journey has schemaVersion ${JSON.stringify(raw.schemaVersion)}; this version of Waymark reads schemaVersion 1.`,
      path: 'schemaVersion',
    });
    return null;
  }
  const header = Header.safeParse(raw);
  if (!header.success) {
    for (const issue of issues(header.error, '').map((i) => ({ ...i, path: i.path.replace(/^\./, '') }))) {
      errors.push({ nodeId: null, code: 'INVALID_GRAPH', message: `The journey’s ${quote(issue.path)} is invalid: ${issue.message}.`, path: issue.path });
    }
  }
  const nodes: ParsedNode[] = [];
  const seen = new Set<string>();
  const rawNodes = Array.isArray(raw.nodes) ? raw.nodes : [];
  if (!Array.isArray(raw.nodes)) errors.push({ nodeId: null, code: 'INVALID_GRAPH', message: 'The journey has no list of steps (nodes).', path: 'nodes' });
  rawNodes.forEach((rawNode: unknown, index) => {
    const node = parseNode(rawNode, index, errors);
    if (!node) return;
    if (seen.has(node.id)) {
      errors.push({ nodeId: node.id, code: 'DUPLICATE_NODE_ID', message: `Two steps share the id ${quote(node.id)}: every step needs its own id.`, path: `nodes[${index}].id` });
      return;
    }
    seen.add(node.id);
    nodes.push(node);
  });
  const edges: GraphEdge[] = [];
  const edgeIds = new Set<string>();
  const rawEdges = Array.isArray(raw.edges) ? raw.edges : [];
  if (!Array.isArray(raw.edges)) errors.push({ nodeId: null, code: 'INVALID_GRAPH', message: 'The journey has no list of connections (edges).', path: 'edges' });
  rawEdges.forEach((rawEdge: unknown, index) => {
    const edge = GraphEdge.safeParse(rawEdge);
    const source = isRecord(rawEdge) && typeof rawEdge.source === 'string' && seen.has(rawEdge.source) ? rawEdge.source : null;
    if (!edge.success) {
      for (const issue of issues(edge.error, `edges[${index}]`)) {
        errors.push({ nodeId: source, code: 'INVALID_EDGE', message: `Connection ${index + 1} is invalid at ${quote(issue.path)}: ${issue.message}.`, path: issue.path });
      }
      return;
    }
    if (edgeIds.has(edge.data.id)) {
      errors.push({ nodeId: source, code: 'DUPLICATE_EDGE_ID', edge: edge.data.id, message: `Two connections share the id ${quote(edge.data.id)}.`, path: `edges[${index}].id` });
      return;
    }
    edgeIds.add(edge.data.id);
    edges.push(edge.data);
  });
  const settings = JourneySettings.safeParse(raw.settings ?? {});
  if (!settings.success) {
    for (const issue of issues(settings.error, 'settings')) {
      errors.push({ nodeId: null, code: 'INVALID_SETTINGS', message: `The journey setting ${quote(issue.path.replace(/^settings\./, ''))} is invalid: ${issue.message}.`, path: issue.path });
    }
  }
  return { header: header.success ? header.data : null, nodes, edges, settings: settings.success ? settings.data : null };
}
