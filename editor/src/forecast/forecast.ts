import type { SimulationReport } from '../../../journey/simulate/report.ts';
import type { StepCounts } from '../graph/flow.ts';

/** What the forecast panel asks the worker for. */
export interface ForecastRequest {
  graph: unknown;
  customers: number;
  days: number;
  seed: number;
  /** Start of the simulated period (ms); passed in so the core stays clock-free. */
  start: number;
}

export type ForecastResponse = { ok: true; report: Omit<SimulationReport, 'timelines'> } | { ok: false; message: string };

/** A forecast as the canvas overlays it. */
export interface ForecastResult {
  report: Omit<SimulationReport, 'timelines'>;
  counts: ReadonlyMap<string, StepCounts>;
  edgeCounts: ReadonlyMap<string, number>;
}

/**
 * Turns a simulation report into step and exit counts for the canvas. "Waiting" is who was still
 * at the step when the simulated period ended; "converted" is counted per split arm.
 *
 * @example toForecast(report).edgeCounts.get('wait-1.next') // 812
 */
export function toForecast(report: Omit<SimulationReport, 'timelines'>): ForecastResult {
  const converted = new Map<string, number>();
  for (const arm of report.conversions.arms) converted.set(arm.splitNodeId, (converted.get(arm.splitNodeId) ?? 0) + arm.converted);
  const counts = new Map<string, StepCounts>();
  const edgeCounts = new Map<string, number>();
  for (const [nodeId, stats] of Object.entries(report.perNode)) {
    counts.set(nodeId, { entered: stats.entered, waiting: Math.max(0, stats.entered - stats.exited), converted: converted.get(nodeId) ?? 0 });
    for (const [exit, n] of Object.entries(stats.exits)) edgeCounts.set(`${nodeId}.${exit}`, n);
  }
  return { report, counts, edgeCounts };
}
