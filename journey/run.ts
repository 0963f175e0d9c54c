import { z } from 'zod';
import { CustomerId } from './customer.ts';
import { HistoryEntry } from './interpreter/types.ts';

/**
 * A journey run as Waymark records it: one schema for the run record that the store keeps
 * (`journeyRuns`), the progress a run reports (workflow → activity) and the API's view of a run,
 * each derived from it. Temporal holds the run itself; this is where it is, for reports, re-entry
 * checks and "where is this customer".
 */

/** How a run stands: running, or how it ended. */
export const RunStatus = z.enum(['running', 'completed', 'converted', 'cancelled', 'failed']);
export type RunStatus = z.infer<typeof RunStatus>;

export const RunRecord = z.object({
  /** `journey/{journeyId}/{customerId}` (+ `/{year}` for date triggers). */
  workflowId: z.string(),
  /** The entry: workflow id + `#` + the last 12 characters of its first run id. */
  runKey: z.string(),
  journeyId: z.string(),
  version: z.number().int().positive(),
  customerId: CustomerId,
  /** The campaign that started the run, if one did. */
  campaignId: z.string().optional(),
  status: RunStatus,
  /** The step the customer is at; null once the run ended. */
  nodeId: z.string().nullable(),
  /** Event types the current step or the goal waits for. */
  waitingFor: z.array(z.string()),
  /** When the current wait ends (timer or timeout). */
  waitingUntil: z.iso.datetime().optional(),
  variables: z.record(z.string(), z.string()),
  /** Every step this entry has passed (per-step counts). */
  visited: z.array(z.string()),
  /** The latest steps taken (the interpreter keeps the last 50). */
  history: z.array(HistoryEntry),
  /** Why the run ended (`exit`, `goal`, `failed`...). */
  reason: z.string().optional(),
  startedAt: z.iso.datetime(),
  /** When the customer reached the current step. */
  since: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  completedAt: z.iso.datetime().optional(),
});
export type RunRecord = z.infer<typeof RunRecord>;
