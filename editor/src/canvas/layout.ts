import type { ELK, ElkNode } from 'elkjs/lib/elk.bundled.js';
import type { DraftGraph } from '../graph/draft.ts';
import { exitsOf } from '../graph/registry.ts';
import { cardWidth } from './StepCard.tsx';

let elk: Promise<ELK> | undefined;
/** ELK is large: it loads the first time someone tidies up. */
function loadElk(): Promise<ELK> {
  elk ??= import('elkjs/lib/elk.bundled.js').then((m) => new m.default());
  return elk;
}
const cardHeight = 150;

/** True when two steps' cards would overlap on the canvas. */
export function overlaps(graph: DraftGraph): boolean {
  const boxes = graph.nodes.map((n) => ({ x: n.position.x, y: n.position.y, w: cardWidth(exitsOf(n.kind, n.config).length) }));
  return boxes.some((a, i) => boxes.slice(i + 1).some((b) => Math.abs(a.x - b.x) < (a.w + b.w) / 2 && Math.abs(a.y - b.y) < cardHeight));
}

/**
 * Lays the journey out top to bottom with ELK's layered algorithm, keeping each step's exits in
 * their order so branches fan out left to right. Returns new positions by step id.
 *
 * @example const positions = await autoLayout(graph); dispatch({ type: 'move', positions, dragging: false })
 */
export async function autoLayout(graph: DraftGraph): Promise<Array<{ id: string; x: number; y: number }>> {
  const root: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.layered.spacing.nodeNodeBetweenLayers': '70',
      'elk.spacing.nodeNode': '50',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.portConstraints': 'FIXED_ORDER',
    },
    children: graph.nodes.map((n) => {
      const exits = exitsOf(n.kind, n.config);
      const width = cardWidth(exits.length);
      return {
        id: n.id,
        width,
        height: cardHeight,
        layoutOptions: { 'elk.portConstraints': 'FIXED_ORDER' },
        ports: [
          { id: `${n.id}:in`, layoutOptions: { 'elk.port.side': 'NORTH' } },
          ...exits.map((x, i) => ({ id: `${n.id}:${x.id}`, x: ((i + 0.5) / exits.length) * width, layoutOptions: { 'elk.port.side': 'SOUTH', 'elk.port.index': String(i) } })),
        ],
      };
    }),
    edges: graph.edges.map((e) => ({ id: e.id, sources: [`${e.source}:${e.sourceHandle}`], targets: [`${e.target}:in`] })),
  };
  const known = new Set(root.children?.flatMap((c) => (c.ports ?? []).map((p) => p.id)));
  root.edges = (root.edges ?? []).filter((e) => e.sources.every((s) => known.has(s)) && e.targets.every((t) => known.has(t)));
  const laid = await (await loadElk()).layout(root);
  return (laid.children ?? []).map((c) => ({ id: c.id, x: Math.round(c.x ?? 0), y: Math.round(c.y ?? 0) }));
}
