import { Background, Controls, MiniMap, ReactFlow, useReactFlow } from '@xyflow/react';
import type { Connection, EdgeChange, EdgeTypes, NodeChange, NodeTypes } from '@xyflow/react';
import { useCallback, useMemo, useState } from 'react';
import type { DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { toFlowEdges, toFlowNodes } from '../graph/flow.ts';
import type { ExitEdge, Overlay, StepNode } from '../graph/flow.ts';
import { canConnect } from '../graph/ops.ts';
import { useEditor, useEditorStore } from '../state/editorStore.ts';
import { ExitEdgeView } from './ExitEdgeView.tsx';
import { kindMime } from './Palette.tsx';
import { StepCard } from './StepCard.tsx';

const nodeTypes: NodeTypes = { step: StepCard };
const edgeTypes: EdgeTypes = { exit: ExitEdgeView };
const categoryColour: Record<string, string> = { trigger: '#7c3aed', flow: '#0284c7', action: '#059669', unknown: '#94a3b8' };

/** Applies React Flow's selection changes to a set of ids. */
function selectionAfter(current: readonly string[], changes: Array<{ type: string; id?: string; selected?: boolean }>): string[] | null {
  const picked = changes.filter((c): c is { type: 'select'; id: string; selected: boolean } => c.type === 'select' && typeof c.id === 'string');
  if (picked.length === 0) return null;
  const next = new Set(current);
  for (const c of picked) {
    if (c.selected) next.add(c.id);
    else next.delete(c.id);
  }
  return [...next];
}

/** The journey canvas: steps, connections, drag-and-drop from the palette, minimap and zoom controls. */
export function Canvas({ overlay, readOnly = false }: { overlay: Overlay; readOnly?: boolean }) {
  const { t } = useTranslation();
  const store = useEditorStore();
  const graph = useEditor((s) => s.history.present);
  const selection = useEditor((s) => s.selection);
  const { screenToFlowPosition } = useReactFlow();
  // Fit the view to a journey that has steps when it opens; an empty canvas stays at 100 %, so
  // the first drop does not zoom the view under the marketer's hand.
  const [fitOnOpen] = useState(() => store.getState().history.present.nodes.length > 0);

  // React Flow measures each card once; nodes are rebuilt from the draft on every change, so the
  // measured sizes are carried over here (without them React Flow hides the cards again).
  const [measured, setMeasured] = useState<ReadonlyMap<string, { width: number; height: number }>>(new Map());
  const nodes = useMemo(
    () => toFlowNodes(graph, new Set(selection.nodeIds), overlay).map((n) => {
      const size = measured.get(n.id);
      return size ? { ...n, measured: size } : n;
    }),
    [graph, selection.nodeIds, overlay, measured],
  );
  const edges = useMemo(() => toFlowEdges(graph, new Set(selection.edgeIds), overlay), [graph, selection.edgeIds, overlay]);

  const onNodesChange = useCallback(
    (changes: NodeChange<StepNode>[]) => {
      const sizes = changes.flatMap((c) => (c.type === 'dimensions' && c.dimensions ? [{ id: c.id, ...c.dimensions }] : []));
      if (sizes.length > 0) {
        setMeasured((prev) => {
          const changed = sizes.filter((s) => prev.get(s.id)?.width !== s.width || prev.get(s.id)?.height !== s.height);
          if (changed.length === 0) return prev;
          const next = new Map(prev);
          for (const s of changed) next.set(s.id, { width: s.width, height: s.height });
          return next;
        });
      }
      const positions = changes.flatMap((c) => (c.type === 'position' && c.position ? [{ id: c.id, ...c.position, dragging: c.dragging ?? false }] : []));
      if (positions.length > 0 && !readOnly) store.dispatch({ type: 'move', positions, dragging: positions.some((p) => p.dragging) });
      const state = store.getState();
      const nodeIds = selectionAfter(state.selection.nodeIds, changes);
      if (nodeIds) store.dispatch({ type: 'select', nodeIds, edgeIds: state.selection.edgeIds });
    },
    [store, readOnly],
  );
  const onEdgesChange = useCallback(
    (changes: EdgeChange<ExitEdge>[]) => {
      const state = store.getState();
      const edgeIds = selectionAfter(state.selection.edgeIds, changes);
      if (edgeIds) store.dispatch({ type: 'select', nodeIds: state.selection.nodeIds, edgeIds });
    },
    [store],
  );
  const onConnect = useCallback(
    (c: Connection) => {
      if (c.sourceHandle) store.dispatch({ type: 'connect', source: c.source, sourceHandle: c.sourceHandle, target: c.target });
    },
    [store],
  );
  const isValidConnection = useCallback(
    (c: Connection | ExitEdge) => canConnect(store.getState().history.present, c.source, c.sourceHandle, c.target),
    [store],
  );
  const onDrop = useCallback(
    (event: DragEvent) => {
      const kind = event.dataTransfer.getData(kindMime);
      if (!kind || readOnly) return;
      event.preventDefault();
      store.dispatch({ type: 'add', kind, position: screenToFlowPosition({ x: event.clientX - 124, y: event.clientY - 30 }) });
    },
    [store, screenToFlowPosition, readOnly],
  );

  return (
    <div className="canvas" onDragOver={(e) => e.preventDefault()} onDrop={onDrop} aria-label={t('canvas.label')} data-testid="canvas">
      <ReactFlow<StepNode, ExitEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        isValidConnection={isValidConnection}
        onDelete={({ nodes: n, edges: e }) => store.dispatch({ type: 'remove', nodeIds: n.map((x) => x.id), edgeIds: e.map((x) => x.id) })}
        deleteKeyCode={readOnly ? null : ['Delete', 'Backspace']}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        fitView={fitOnOpen}
        fitViewOptions={{ maxZoom: 1, padding: 0.2 }}
        minZoom={0.2}
        maxZoom={2}
        defaultEdgeOptions={{ type: 'exit' }}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={20} color="#e2e8f0" />
        <Controls showInteractive={false} aria-label={t('canvas.zoom')} />
        <MiniMap pannable zoomable nodeColor={(n) => categoryColour[typeof n.data['category'] === 'string' ? n.data['category'] : 'unknown'] ?? '#94a3b8'} ariaLabel={t('canvas.minimap')} />
      </ReactFlow>
    </div>
  );
}
