import { describe, expect, test } from 'vitest';
import { emptyGraph } from './draft.ts';
import type { DraftGraph } from './draft.ts';
import { addNode, canConnect, connect, copySelection, paste, removeElements, updateNode } from './ops.ts';
import { exitsOf } from './registry.ts';

function build(): DraftGraph {
  let g = emptyGraph('j', 'J');
  for (const [kind, y] of [['audience', 0], ['branch', 200], ['email', 400], ['exit', 600]] as const) g = addNode(g, kind, { x: 0, y }).graph;
  return g;
}

describe('graph operations', () => {
  test('a dropped step gets a readable id and its kind’s defaults', () => {
    const { graph, nodeId } = addNode(emptyGraph('j', 'J'), 'wait', { x: 10.4, y: 20.6 });
    expect(nodeId).toBe('wait-1');
    expect(graph.nodes[0]).toEqual({ id: 'wait-1', kind: 'wait', config: { mode: 'duration', duration: { amount: 1, unit: 'days' } }, position: { x: 10, y: 21 } });
    expect(addNode(graph, 'wait', { x: 0, y: 0 }).nodeId).toBe('wait-2');
  });

  test('an exit leads to one step: connecting it again replaces the connection', () => {
    let g = connect(build(), 'branch-1', 'else', 'email-1');
    g = connect(g, 'branch-1', 'else', 'exit-1');
    expect(g.edges).toEqual([{ id: 'branch-1.else', source: 'branch-1', sourceHandle: 'else', target: 'exit-1' }]);
  });

  test('nothing connects into a trigger, to itself, or from an exit the step does not have', () => {
    const g = build();
    expect(canConnect(g, 'email-1', 'sent', 'audience-1')).toBe(false);
    expect(canConnect(g, 'email-1', 'sent', 'email-1')).toBe(false);
    expect(canConnect(g, 'email-1', 'nope', 'exit-1')).toBe(false);
    expect(canConnect(g, 'email-1', 'sent', 'exit-1')).toBe(true);
  });

  test('removing a branch condition in the form drops the connection from its exit', () => {
    let g = connect(build(), 'branch-1', 'high-value', 'email-1');
    g = connect(g, 'branch-1', 'else', 'exit-1');
    const node = g.nodes.find((n) => n.id === 'branch-1');
    expect(exitsOf('branch', node?.config).map((x) => x.id)).toEqual(['high-value', 'else']);
    const renamed = { conditions: [{ id: 'vip', label: 'VIP', condition: { type: 'tag', tag: 'vip', present: true } }] };
    g = updateNode(g, 'branch-1', { config: renamed });
    expect(g.edges.map((e) => e.id)).toEqual(['branch-1.else']);
  });

  test('a half-typed config keeps its exits, so connections do not flicker away', () => {
    const g = connect(build(), 'branch-1', 'high-value', 'email-1');
    const half = { conditions: [{ id: 'high-value', label: '', condition: { type: 'attribute', attribute: '', op: 'eq' } }] };
    expect(updateNode(g, 'branch-1', { config: half }).edges).toHaveLength(1);
  });

  test('deleting a step deletes its connections', () => {
    const g = connect(connect(build(), 'audience-1', 'next', 'branch-1'), 'branch-1', 'else', 'email-1');
    expect(removeElements(g, ['branch-1']).edges).toEqual([]);
  });

  test('paste copies steps with fresh ids and keeps the connections among them', () => {
    const g = connect(build(), 'email-1', 'sent', 'exit-1');
    const pasted = paste(g, copySelection(g, ['email-1', 'exit-1']));
    expect(pasted.nodeIds).toEqual(['email-2', 'exit-2']);
    expect(pasted.graph.edges.at(-1)).toEqual({ id: 'email-2.sent', source: 'email-2', sourceHandle: 'sent', target: 'exit-2' });
    expect(pasted.graph.nodes.find((n) => n.id === 'email-2')?.position).toEqual({ x: 40, y: 440 });
  });
});
