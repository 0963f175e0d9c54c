import { BaseEdge, EdgeLabelRenderer, getSmoothStepPath } from '@xyflow/react';
import type { EdgeProps } from '@xyflow/react';
import { useFormat } from '../i18n/format.ts';
import type { ExitEdge } from '../graph/flow.ts';

/** A connection from a named exit; shows how many customers took it when a forecast or live numbers are on. */
export function ExitEdgeView(props: EdgeProps<ExitEdge>) {
  const f = useFormat();
  const [path, labelX, labelY] = getSmoothStepPath({ ...props, borderRadius: 12 });
  const count = props.data?.count ?? null;
  return (
    <>
      <BaseEdge id={props.id} path={path} markerEnd={props.markerEnd} className={props.selected ? 'edge-selected' : ''} />
      {count !== null && (
        <EdgeLabelRenderer>
          <div className="edge-count" style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}>
            {f.number(count)}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}
