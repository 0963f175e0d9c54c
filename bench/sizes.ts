// Every size and time budget of the service benchmarks, full and `--quick`, in one place. The
// budgets keep `npm run bench` under 25 minutes (quick: about 4) on a shared 2-core machine: a
// case that cannot reach its stated size within its budget measures what it reached and says so.
// The history import's full size is set to what fits (its row says how long 1,000,000 events
// would take at the rate it measured): it cannot be stopped half-way and still report.

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
  /** Case 10 (win-back): the campaign's audience, its time budget, and runs sampled for history costs. */
  winBackCustomers: number;
  winBackBudgetMs: number;
  winBackSample: number;
  /** Case 4: load duration per side. */
  ingestMs: number;
  /** Case 8 (pipeline): customers with a purchase history seeded for it, per kind (active; dormant). */
  pipelineBuyers: number;
  /** Case 8, batch ingest: events posted in batches of 500 (each side), and the time Waymark may take for them. */
  batchEvents: number;
  batchBudgetMs: number;
  /** Case 8, one stage-changing event: samples per mode (and as many bare ones). */
  stageSamples: number;
  /** Case 8, cost per event by number of journeys: events per journey count, in batches of 100, and how long the welcome runs it starts may take to settle. */
  journeyCostEvents: number;
  welcomeSettleMs: number;
  /**
   * Case 9 (import): the history file, and the time Waymark's import of it may take (the
   * import command is stopped after it and the case fails; posting batches stops taking new
   * ones and says how far it got).
   */
  importEvents: number;
  importCustomers: number;
  importBudgetMs: number;
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
  winBackCustomers: 10_000,
  winBackBudgetMs: 180_000,
  winBackSample: 20,
  ingestMs: 15_000,
  pipelineBuyers: 5000,
  batchEvents: 8000,
  batchBudgetMs: 45_000,
  stageSamples: 50,
  journeyCostEvents: 1000,
  welcomeSettleMs: 120_000,
  // 1,000,000 for 100,000 customers would take 15–40 minutes here, depending on the machine's
  // load (the import is bound by FerretDB): a tenth of it, the same ratio, fits the suite.
  importEvents: 100_000,
  importCustomers: 10_000,
  importBudgetMs: 600_000,
  lifecycleBudgetMs: 600_000,
  watchdogMs: 30 * 60_000,
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
  winBackCustomers: 300,
  winBackBudgetMs: 30_000,
  winBackSample: 10,
  ingestMs: 1500,
  pipelineBuyers: 1000,
  batchEvents: 3000,
  batchBudgetMs: 15_000,
  stageSamples: 15,
  journeyCostEvents: 500,
  welcomeSettleMs: 30_000,
  importEvents: 20_000,
  importCustomers: 2000,
  importBudgetMs: 180_000,
  lifecycleBudgetMs: 120_000,
  watchdogMs: 8 * 60_000,
};

/** The sizes of a full run or of `--quick`. */
/**
 * The sizes of a run; `BENCH_WINBACK_CUSTOMERS` sets the win-back's audience (e.g. 3,000 for a
 * profile of the campaign at scale without the full run's 10,000).
 */
export function sizesFor(isQuick: boolean): Sizes {
  const sizes = isQuick ? quick : full;
  const winBack = Number(process.env['BENCH_WINBACK_CUSTOMERS']);
  return Number.isInteger(winBack) && winBack > 0 ? { ...sizes, winBackCustomers: winBack, winBackBudgetMs: Math.max(sizes.winBackBudgetMs, winBack * 20) } : sizes;
}
