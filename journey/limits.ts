/**
 * Bounds on every loop in the interpreter, so a journey can never spin or grow without end,
 * whatever the graph or the inputs.
 */
export const limits = {
  /** Steps taken within one `step()` call before the run is ended with `loopLimit`. */
  stepsPerInput: 1000,
  /** Times one run may enter the same step (e.g. a weekly reminder loop) before it ends. */
  visitsPerNode: 500,
  /** Times one send may be deferred by frequency caps before it follows its `failed` exit. */
  deferralsPerSend: 50,
  /** Entries kept in the run's step history (the "where is this customer" view). */
  history: 50,
  /** Event times kept per event type for event-count conditions. */
  eventTimesPerType: 100,
} as const;
