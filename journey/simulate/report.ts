import type { CompleteReason, HistoryEntry } from '../interpreter/types.ts';
import { waitingOutcomes } from '../interpreter/types.ts';

export interface NodeStats {
  kind: string;
  label?: string;
  entered: number;
  /** Customers who left the step, by exit taken or by how their run ended there. */
  exited: number;
  exits: Record<string, number>;
}

export interface ChannelStats {
  sent: number;
  failed: number;
  /** Sends pushed back by a frequency cap (each retry counts). */
  deferred: number;
  opened: number;
  clicked: number;
}

export interface ArmStats {
  splitNodeId: string;
  arm: string;
  holdout: boolean;
  entered: number;
  converted: number;
  rate: number;
}

/** One customer's simulated story, recorded when asked for (scenario tests, previews). */
export interface CustomerTimeline {
  customerId: string;
  steps: HistoryEntry[];
  actions: { at: number; day: number; nodeId: string; kind: string; outcome: 'ok' | 'failed' | 'deferred' }[];
  events: { at: number; day: number; type: string }[];
  completion?: { at: number; day: number; reason: CompleteReason };
}

/** The forecast: what the journey would do to this cohort over the simulated days. */
export interface SimulationReport {
  journeyId: string;
  customers: number;
  days: number;
  seed: number;
  start: string;
  /** Customers who entered and passed the audience filter (`completions.notEligible` did not). */
  entered: number;
  perNode: Record<string, NodeStats>;
  messages: { email: ChannelStats; sms: ChannelStats };
  coupons: { issued: number };
  tasks: { created: number };
  updates: number;
  /** Notifications to other systems: webhook calls and group robot messages. */
  webhooks: number;
  purchases: number;
  completions: Partial<Record<CompleteReason, number>>;
  stillRunning: number;
  conversions: { entered: number; converted: number; rate: number; arms: ArmStats[] };
  timelines: CustomerTimeline[];
}

const channel = (): ChannelStats => ({ sent: 0, failed: 0, deferred: 0, opened: 0, clicked: 0 });

/** An empty report to count into. */
export function emptyReport(journeyId: string, options: { customers: number; days: number; seed: number; start: number }): SimulationReport {
  return {
    journeyId,
    customers: options.customers,
    days: options.days,
    seed: options.seed,
    start: new Date(options.start).toISOString(),
    entered: 0,
    perNode: {},
    messages: { email: channel(), sms: channel() },
    coupons: { issued: 0 },
    tasks: { created: 0 },
    updates: 0,
    webhooks: 0,
    purchases: 0,
    completions: {},
    stillRunning: 0,
    conversions: { entered: 0, converted: 0, rate: 0, arms: [] },
    timelines: [],
  };
}

/** Counts the steps a run took into the per-step numbers. */
export function countTrace(report: SimulationReport, trace: readonly HistoryEntry[], labels: Readonly<Record<string, string | undefined>>): void {
  for (const entry of trace) {
    let stats = report.perNode[entry.nodeId];
    if (!stats) {
      const label = labels[entry.nodeId];
      stats = { kind: entry.kind, ...(label === undefined ? {} : { label }), entered: 0, exited: 0, exits: {} };
      report.perNode[entry.nodeId] = stats;
    }
    if (entry.outcome === 'entered') stats.entered++;
    else if (!waitingOutcomes.has(entry.outcome)) {
      stats.exited++;
      stats.exits[entry.outcome] = (stats.exits[entry.outcome] ?? 0) + 1;
    }
  }
}

/** Rate with four decimals; 0 when nobody entered. */
export function rate(converted: number, entered: number): number {
  return entered === 0 ? 0 : Math.round((converted / entered) * 10_000) / 10_000;
}
