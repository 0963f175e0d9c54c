// Every size and time budget of the service benchmarks, full and `--quick`, in one place. The
// budgets keep `npm run bench` under 20 minutes (quick: about 2) on a shared 2-core machine: a
// case that cannot reach its stated size within its budget measures what it reached and says so.

export interface Sizes {
  /** Case 2: journeys waiting for the event, per wave, and the time to put them there. */
  latencyWaves: Array<{ target: number; budgetMs: number }>;
  latencyChunk: number;
  /** Events measured per wave, on each side (journey and bare), and the time that may take (at least 20 are taken). */
  latencySamples: number;
  latencySampleBudgetMs: number;
  /** Case 1: the campaign's audience, how long it is measured, and the bare starts. */
  launchCustomers: number;
  launchBudgetMs: number;
  launchBareStarts: number;
  /** How long the started runs may take to reach their wait before the memory snapshot. */
  settleMs: number;
  /** Case 3: the campaign's audience and the measuring window, then the drain. */
  sendCustomers: number;
  sendWindowMs: number;
  sendDrainMs: number;
  /** Case 4: load duration per side. */
  ingestMs: number;
  /** Case 7: the lifecycle benchmark's time budget. */
  lifecycleBudgetMs: number;
  /** The whole run's watchdog. */
  watchdogMs: number;
}

const full: Sizes = {
  latencyWaves: [
    { target: 1000, budgetMs: 60_000 },
    { target: 10_000, budgetMs: 90_000 },
  ],
  latencyChunk: 250,
  latencySamples: 100,
  latencySampleBudgetMs: 75_000,
  launchCustomers: 10_000,
  launchBudgetMs: 75_000,
  launchBareStarts: 1500,
  settleMs: 90_000,
  sendCustomers: 3000,
  sendWindowMs: 75_000,
  sendDrainMs: 30_000,
  ingestMs: 15_000,
  lifecycleBudgetMs: 600_000,
  watchdogMs: 24 * 60_000,
};

const quick: Sizes = {
  latencyWaves: [{ target: 50, budgetMs: 10_000 }],
  latencyChunk: 50,
  latencySamples: 10,
  latencySampleBudgetMs: 8000,
  launchCustomers: 1000,
  launchBudgetMs: 8000,
  launchBareStarts: 160,
  settleMs: 5000,
  sendCustomers: 100,
  sendWindowMs: 8000,
  sendDrainMs: 5000,
  ingestMs: 1500,
  lifecycleBudgetMs: 45_000,
  watchdogMs: 5 * 60_000,
};

/** The sizes of a full run or of `--quick`. */
export const sizesFor = (isQuick: boolean): Sizes => (isQuick ? quick : full);
