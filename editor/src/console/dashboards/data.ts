import type { LifecycleStage, RfmCell, ValueTier } from '../../../../journey/customer.ts';
import { LifecycleStage as Stages, RfmCell as Cells } from '../../../../journey/customer.ts';
import type { JourneyDefinition } from '../../../../journey/definition.ts';
import type { Customer } from '../../client/customers.ts';
import type { StoredEvent } from '../../client/events.ts';
import type { NodeStats } from '../../client/journeys.ts';

/** Dashboard numbers computed from customer profiles, events and journey step counts. */

export const stages: readonly LifecycleStage[] = Stages.options;
export const rfmCells: readonly RfmCell[] = Cells.options;

export type StageCounts = Record<LifecycleStage, number>;

function emptyCounts(): StageCounts {
  return { prospect: 0, new: 0, active: 0, atRisk: 0, dormant: 0, churned: 0, wonBack: 0 };
}

/** How many customers are in each lifecycle stage now. */
export function stageDistribution(customers: readonly Customer[]): StageCounts {
  const counts = emptyCounts();
  for (const c of customers) counts[c.computed.stage]++;
  return counts;
}

const isStage = (v: unknown): v is LifecycleStage => typeof v === 'string' && (stages as readonly string[]).includes(v);

/**
 * The stage distribution at the end of each of the last `days` days (UTC), rebuilt backwards
 * from today's stages: undoing each `stage_changed` event ({ from, to }) and removing customers
 * before they were created.
 *
 * @example stageHistory(customers, events, 30, now).at(-1) // { day: '2026-11-22', prospect: 12, ... }
 */
export function stageHistory(customers: readonly Customer[], events: readonly StoredEvent[], days: number, now: number): Array<{ day: string } & StageCounts> {
  const current = new Map(customers.map((c) => [c.id, c.computed.stage]));
  const counts = stageDistribution(customers);
  type Change = { at: string; customerId: string; from: LifecycleStage | null };
  const changes: Change[] = [
    ...events.flatMap((e): Change[] => (e.type === 'stage_changed' && isStage(e.properties['from']) ? [{ at: e.at, customerId: e.customerId, from: e.properties['from'] }] : [])),
    ...customers.flatMap((c): Change[] => (c.createdAt ? [{ at: c.createdAt, customerId: c.id, from: null }] : [])),
  ].sort((a, b) => b.at.localeCompare(a.at));
  const out: Array<{ day: string } & StageCounts> = [];
  let next = 0;
  const today = new Date(now);
  today.setUTCHours(0, 0, 0, 0);
  for (let d = 0; d < days; d++) {
    const dayStart = today.getTime() - d * 86_400_000;
    const end = d === 0 ? new Date(now).toISOString() : new Date(dayStart + 86_400_000).toISOString();
    // Undo every change after the end of this day.
    while (next < changes.length && (changes[next]?.at ?? '') > end) {
      const change = changes[next++];
      if (!change) break;
      const was = current.get(change.customerId);
      if (was === undefined) continue;
      counts[was]--;
      if (change.from === null) current.delete(change.customerId);
      else {
        counts[change.from]++;
        current.set(change.customerId, change.from);
      }
    }
    out.push({ day: new Date(dayStart).toISOString().slice(0, 10), ...counts });
  }
  return out.reverse();
}

export interface RfmCellStats {
  cell: RfmCell;
  customers: number;
  revenue: number;
}

/** Customers and revenue (total spend) per RFM cell; customers without a score are left out. */
export function rfmGrid(customers: readonly Customer[]): RfmCellStats[] {
  const byCell = new Map<RfmCell, RfmCellStats>(rfmCells.map((cell) => [cell, { cell, customers: 0, revenue: 0 }]));
  for (const c of customers) {
    const cell = c.computed.rfm?.cell;
    const stats = cell === undefined ? undefined : byCell.get(cell);
    if (!stats) continue;
    stats.customers++;
    stats.revenue += c.computed.totalSpend;
  }
  return [...byCell.values()];
}

export type ChurnBin = { from: number; to: number } & Record<ValueTier | 'unknown', number>;

/** Customers by churn risk in `bins` equal bands from 0 to 1, split by value tier. */
export function churnHistogram(customers: readonly Customer[], bins = 10): ChurnBin[] {
  const out: ChurnBin[] = Array.from({ length: bins }, (_, i) => ({ from: i / bins, to: (i + 1) / bins, high: 0, mid: 0, low: 0, unknown: 0 }));
  for (const c of customers) {
    const risk = c.computed.churnRisk;
    if (risk === undefined) continue;
    const bin = out[Math.min(bins - 1, Math.floor(risk * bins))];
    if (bin) bin[c.computed.valueTier ?? 'unknown']++;
  }
  return out;
}

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
