import type { BenchApp } from './app.ts';
import type { BareWorker } from './bare.ts';
import type { BenchServices } from './services.ts';
import type { Sizes } from './sizes.ts';
import { rssMiB, sleep } from './stats.ts';

/** A worker's resident memory at a moment of the run, with what was waiting then. */
export interface MemorySnapshot {
  label: string;
  waiting: number;
  workerMiB: number;
  bareMiB: number;
  bareWaiting: number;
}

/** What the service benchmarks share: the services, the app, the bare worker, and findings. */
export interface BenchContext {
  quick: boolean;
  sizes: Sizes;
  services: BenchServices;
  app: BenchApp;
  bare: BareWorker;
  /** Size of the journeys' email on the wire (measured by the latency case), for bare emails. */
  emailBytes: number;
  /** Customers with a run waiting (for ingestion: events to customers with live journeys). */
  liveCustomers: string[];
  memory: MemorySnapshot[];
  /** History lengths of the bare workflows, by workflow type. */
  bareHistory: Record<string, number>;
}

/** Records both workers' resident memory after a short settle. */
export async function snapshotMemory(ctx: BenchContext, label: string, waiting: number, bareWaiting: number): Promise<void> {
  await sleep(ctx.quick ? 1000 : 3000);
  ctx.memory.push({ label, waiting, bareWaiting, workerMiB: await rssMiB(ctx.app.worker.pid), bareMiB: await rssMiB(ctx.bare.child.pid) });
}
