// Bare baselines: the least Temporal work each benchmark case could do, run by the bench's own
// worker (bench/procs/bare-worker.ts) on its own task queue of the same server. No journey
// core, no ledger, no database: what is left is Temporal and nodemailer.
import { condition, defineSignal, proxyActivities, setHandler, sleep } from '@temporalio/workflow';

/** One email, as the bare activity sends it through its nodemailer pool. */
export interface BareEmail {
  to: string;
  subject: string;
  html: string;
  text: string;
}

/** What the bare worker's activities do. */
export interface BareActivities {
  sendEmail(message: BareEmail): Promise<void>;
}

// The same timeouts and retry as a journey's email step.
const { sendEmail } = proxyActivities<BareActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '3 days',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/** Wakes `emailOnSignalWorkflow`. */
export const goSignal = defineSignal('go');

/** Case 1's baseline: a workflow that does nothing. */
export async function emptyWorkflow(): Promise<void> {}

/** Case 2's baseline: waits for one signal, then sends one email. */
export async function emailOnSignalWorkflow(message: BareEmail): Promise<void> {
  let go = false;
  setHandler(goSignal, () => void (go = true));
  await condition(() => go);
  await sendEmail(message);
}

/** Case 6's baseline: one durable timer. */
export async function timerWorkflow(ms: number): Promise<void> {
  await sleep(ms);
}
