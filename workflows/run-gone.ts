// What a wake-up signal starts when the run it was meant for no longer exists. The runtime
// delivers signals to runs that may sit in their start delay by signal-with-start (a plain
// signal does not end the delay); signal-with-start starts a workflow when the id has none —
// never the case for a run started a moment before, but possible once an ended run's history
// was purged. This workflow is what it then starts: it does nothing and ends at once, so a
// signal never starts a journey run (runtime/temporal.ts, `wake`).

/** Ends at once: the run the signal was meant for is gone. */
export async function journeyRunGoneWorkflow(): Promise<void> {
  // Nothing to do.
}
