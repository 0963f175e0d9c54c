import type { LifecycleStage, RfmCell, ValueTier } from '../../../../journey/customer.ts';
import { LifecycleStage as Stages, RfmCell as Cells } from '../../../../journey/customer.ts';
import type { JourneyDefinition } from '../../../../journey/definition.ts';
import type { LifecycleOverview, StageTrend } from '../../client/lifecycle.ts';
import type { NodeStats } from '../../client/journeys.ts';

/** Dashboard numbers from the lifecycle counters (`/v1/lifecycle`, `/v1/lifecycle/trend`) and journey step counts. */

export const stages: readonly LifecycleStage[] = Stages.options;
export const rfmCells: readonly RfmCell[] = Cells.options;

export type StageCounts = Record<LifecycleStage, number>;

/** Every stage, with the counts given (a stage nobody is in counts 0). */
export function stageCounts(counts: Partial<Record<LifecycleStage, number>>): StageCounts {
  return { prospect: 0, new: 0, active: 0, atRisk: 0, dormant: 0, churned: 0, wonBack: 0, ...counts };
}

/** The stage distribution of each day the daily lifecycle run counted, oldest first, today last. */
export function stageHistory(trend: StageTrend): Array<{ day: string } & StageCounts> {
  return trend.days.map((d) => ({ day: d.day, ...stageCounts(d.stages) }));
}

export interface RfmCellStats {
  cell: RfmCell;
  customers: number;
  revenue: number;
}

/** Customers and revenue (total spend) per RFM cell; customers without a score are left out. */
export function rfmGrid(overview: Pick<LifecycleOverview, 'rfmCells' | 'rfmRevenue'>): RfmCellStats[] {
  return rfmCells.map((cell) => ({ cell, customers: overview.rfmCells[cell] ?? 0, revenue: overview.rfmRevenue[cell] ?? 0 }));
}

export type ChurnBin = { from: number; to: number } & Record<ValueTier | 'unknown', number>;

export interface FunnelStep {
  nodeId: string;
  label: string;
  kind: string;
  entered: number;
}

/**
 * A journey's funnel: its steps in the order customers reach them (breadth-first from the
 * trigger, exits left out) with how many entered each, then the conversions.
 */
export function journeyFunnel(definition: JourneyDefinition, nodeStats: readonly NodeStats[]): { steps: FunnelStep[]; converted: number } {
  const stats = new Map(nodeStats.map((s) => [s.nodeId, s]));
  const seen = new Set<string>([definition.entryNodeId]);
  const queue = [definition.entryNodeId];
  const steps: FunnelStep[] = [];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    const node = definition.nodes[id];
    if (!node) continue;
    if (node.kind !== 'exit') steps.push({ nodeId: id, label: node.label ?? id, kind: node.kind, entered: stats.get(id)?.entered ?? 0 });
    for (const target of Object.values(definition.wiring[id] ?? {})) {
      if (!seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  return { steps, converted: stats.get(definition.entryNodeId)?.converted ?? 0 };
}
