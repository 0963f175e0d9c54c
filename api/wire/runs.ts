import { z } from 'zod';
import { AttributeValue, CustomerId } from '../../journey/customer.ts';

/** What the journey runtime reports about runs, nodes and campaigns. */

export const RunStatus = z.enum(['running', 'completed', 'converted', 'cancelled', 'failed']);
export type RunStatus = z.infer<typeof RunStatus>;

/** One customer's run of one journey: where they are and what they wait for. */
export const JourneyRun = z
  .object({
    journeyId: z.string(),
    version: z.number().int().positive(),
    customerId: CustomerId,
    status: RunStatus,
    /** The node the customer is at; null once the run ended. */
    nodeId: z.string().nullable(),
    /** Event type a `waitForEvent` node or the goal waits for. */
    waitingFor: z.array(z.string()).default([]),
    /** When the current wait ends (timer or timeout). */
    waitingUntil: z.iso.datetime().optional(),
    variables: z.record(z.string(), AttributeValue).default({}),
    history: z
      .array(z.object({ nodeId: z.string(), at: z.iso.datetime(), exit: z.string().optional() }))
      .default([]),
    startedAt: z.iso.datetime(),
  })
  .meta({ id: 'JourneyRun' });
export type JourneyRun = z.infer<typeof JourneyRun>;

/** Per-node counts of a journey (all versions). */
export const NodeStats = z
  .object({
    nodeId: z.string(),
    entered: z.number().int().nonnegative(),
    waiting: z.number().int().nonnegative().describe('customers at this node right now'),
    exited: z.number().int().nonnegative(),
    converted: z.number().int().nonnegative(),
  })
  .meta({ id: 'NodeStats' });
export type NodeStats = z.infer<typeof NodeStats>;

/** A customer currently at a node. */
export const NodeOccupant = z
  .object({ customerId: CustomerId, version: z.number().int().positive(), since: z.iso.datetime() })
  .meta({ id: 'NodeOccupant' });
export type NodeOccupant = z.infer<typeof NodeOccupant>;

/** How far a campaign launch got. */
export const CampaignProgress = z
  .object({
    audience: z.number().int().nonnegative(),
    started: z.number().int().nonnegative(),
    skipped: z.number().int().nonnegative().describe('already in the journey, opted out or filtered'),
    failed: z.number().int().nonnegative(),
    done: z.boolean(),
  })
  .meta({ id: 'CampaignProgress' });
export type CampaignProgress = z.infer<typeof CampaignProgress>;
