import type { GraphEdge } from '../graph.ts';
import { exitsOf, nodeName, nodeRegistry, pausesOf } from '../nodes/registry.ts';
import type { GraphNode } from '../nodes/registry.ts';
import type { ExitSpec } from '../nodes/spec.ts';
import type { CompileError } from './errors.ts';
import { quote } from './errors.ts';
import type { ParsedNode } from './parse.ts';

/** Step id → exit id → next step id, for the edges that passed the checks. */
export type Wiring = Map<string, Map<string, string>>;

function pauses(node: GraphNode | null): boolean {
  // An unreadable step already has an error; do not pile loop errors on it.
  return node ? pausesOf(node) : true;
}

/** Checks triggers and edges; returns the wiring of every edge that is sound. */
function checkEdges(nodes: readonly ParsedNode[], edges: readonly GraphEdge[], exits: ReadonlyMap<string, ExitSpec[] | null>, errors: CompileError[]): Wiring {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const wiring: Wiring = new Map(nodes.map((n) => [n.id, new Map<string, string>()]));
  for (const edge of edges) {
    const source = byId.get(edge.source);
    const target = byId.get(edge.target);
    const at = { edge: edge.id, handle: edge.sourceHandle };
    if (!source) {
      errors.push({ nodeId: null, code: 'EDGE_UNKNOWN_SOURCE', ...at, message: `A connection starts at a step that no longer exists (${quote(edge.source)}): delete the connection.` });
      continue;
    }
    const name = () => nodeName(source);
    const exitList = exits.get(source.id);
    const exit = exitList?.find((e) => e.id === edge.sourceHandle);
    if (exitList && !exit) {
      errors.push({ nodeId: source.id, code: 'EDGE_UNKNOWN_EXIT', ...at, message: `${name()} has no exit ${quote(edge.sourceHandle)} any more: reconnect the line from one of its exits.` });
      continue;
    }
    if (!target) {
      errors.push({ nodeId: source.id, code: 'EDGE_UNKNOWN_TARGET', ...at, message: `${name()}’s ${quote(exit?.label ?? edge.sourceHandle)} exit points to a step that no longer exists: connect it to another step.` });
      continue;
    }
    if (nodeRegistry[target.kind].category === 'trigger') {
      errors.push({ nodeId: source.id, code: 'EDGE_INTO_TRIGGER', ...at, message: `${name()}’s ${quote(exit?.label ?? edge.sourceHandle)} exit leads back into the trigger ${nodeName(target)}: a journey can only be entered through its trigger.` });
      continue;
    }
    const handles = wiring.get(source.id);
    if (handles?.has(edge.sourceHandle)) {
      errors.push({ nodeId: source.id, code: 'EXIT_CONNECTED_TWICE', ...at, message: `${name()}’s ${quote(exit?.label ?? edge.sourceHandle)} exit is connected to two steps: keep one connection (use a Split or a Branch to divide customers).` });
      continue;
    }
    handles?.set(edge.sourceHandle, target.id);
  }
  for (const node of nodes) {
    const list = exits.get(node.id);
    if (!list) continue;
    const required = list.filter((e) => !e.optional);
    for (const exit of required) {
      if (wiring.get(node.id)?.has(exit.id)) continue;
      errors.push(unconnected(node, exit, required.length === 1));
    }
  }
  return wiring;
}

function unconnected(node: ParsedNode, exit: ExitSpec, only: boolean): CompileError {
  const name = nodeName(node);
  const at = { nodeId: node.id, handle: exit.id };
  if (exit.whenUnconnected) {
    return { ...at, code: exit.whenUnconnected.code, message: `${name} has nothing connected to its ${quote(exit.label)} exit: connect it, because ${exit.whenUnconnected.hint}.` };
  }
  return only
    ? { ...at, code: 'EXIT_NOT_CONNECTED', message: `${name} has no next step: connect its ${quote(exit.label)} exit.` }
    : { ...at, code: 'EXIT_NOT_CONNECTED', message: `${name} has no next step after its ${quote(exit.label)} exit: connect it to a step (or an Exit).` };
}

function checkTriggers(nodes: readonly ParsedNode[], errors: CompileError[]): ParsedNode | null {
  const triggers = nodes.filter((n) => nodeRegistry[n.kind].category === 'trigger');
  const [first] = triggers;
  if (!first) {
    errors.push({ nodeId: null, code: 'NO_TRIGGER', message: 'The journey has no trigger: add one (an event, a segment, a date, a campaign audience or the API) so customers can enter.' });
    return null;
  }
  for (const extra of triggers.slice(1)) {
    errors.push({ nodeId: extra.id, code: 'MULTIPLE_TRIGGERS', message: `${nodeName(extra)} is a second trigger: a journey has exactly one way in, so keep either it or ${nodeName(first)}.` });
  }
  return first;
}

function checkReachable(nodes: readonly ParsedNode[], entry: ParsedNode, wiring: Wiring, errors: CompileError[]): void {
  const reached = new Set([entry.id]);
  const queue = [entry.id];
  for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
    for (const next of wiring.get(id)?.values() ?? []) {
      if (!reached.has(next)) {
        reached.add(next);
        queue.push(next);
      }
    }
  }
  for (const node of nodes) {
    if (reached.has(node.id) || nodeRegistry[node.kind].category === 'trigger') continue;
    errors.push({ nodeId: node.id, code: 'UNREACHABLE_NODE', message: `No customer can ever reach ${nodeName(node)}: connect a step to it, or delete it.` });
  }
}

/** Strongly connected components among steps that do not pause (iterative Tarjan). */
function loopsWithoutPause(nodes: readonly ParsedNode[], wiring: Wiring): string[][] {
  const instant = new Set(nodes.filter((n) => !pauses(n.node)).map((n) => n.id));
  const successors = new Map<string, string[]>();
  const next = (id: string) => {
    let list = successors.get(id);
    if (!list) {
      list = [...(wiring.get(id)?.values() ?? [])].filter((t) => instant.has(t));
      successors.set(id, list);
    }
    return list;
  };
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const loops: string[][] = [];
  let counter = 0;
  for (const root of instant) {
    if (index.has(root)) continue;
    const work: { id: string; successors: string[]; i: number }[] = [];
    const open = (id: string) => {
      index.set(id, counter);
      low.set(id, counter++);
      stack.push(id);
      onStack.add(id);
      work.push({ id, successors: next(id), i: 0 });
    };
    open(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      if (!frame) break;
      const successor = frame.successors[frame.i++];
      if (successor !== undefined) {
        if (!index.has(successor)) open(successor);
        else if (onStack.has(successor)) low.set(frame.id, Math.min(low.get(frame.id) ?? 0, index.get(successor) ?? 0));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id) ?? 0, low.get(frame.id) ?? 0));
      if (low.get(frame.id) !== index.get(frame.id)) continue;
      const component: string[] = [];
      for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
        onStack.delete(id);
        component.push(id);
        if (id === frame.id) break;
      }
      if (component.length > 1 || next(frame.id).includes(frame.id)) loops.push(component);
    }
  }
  return loops;
}

function checkLoops(nodes: readonly ParsedNode[], wiring: Wiring, errors: CompileError[]): void {
  const order = new Map(nodes.map((n, i) => [n.id, i]));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const loop of loopsWithoutPause(nodes, wiring)) {
    const members = loop.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0)).flatMap((id) => byId.get(id) ?? []);
    const [first] = members;
    if (!first) continue;
    const names = members.slice(0, 4).map(nodeName).join(', ') + (members.length > 4 ? ` and ${members.length - 4} more` : '');
    errors.push({
      nodeId: first.id,
      code: 'CYCLE_WITHOUT_WAIT',
      message: `${names} form a loop with no pause in it, so customers would go round it endlessly: add a Wait longer than zero (or a Wait for an event) inside the loop.`,
    });
  }
}

/** All graph-shape checks: one trigger, every exit connected once, everything reachable, no instant loops. */
export function checkStructure(
  nodes: readonly ParsedNode[],
  edges: readonly GraphEdge[],
  errors: CompileError[],
): { wiring: Wiring; entry: ParsedNode | null; exits: ReadonlyMap<string, ExitSpec[] | null> } {
  const exits = new Map(nodes.map((n) => [n.id, n.node ? exitsOf(n.node) : null]));
  const entry = checkTriggers(nodes, errors);
  const wiring = checkEdges(nodes, edges, exits, errors);
  if (entry) checkReachable(nodes, entry, wiring, errors);
  checkLoops(nodes, wiring, errors);
  return { wiring, entry, exits };
}
