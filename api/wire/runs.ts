import { z } from 'zod';
import { CappedStep as CappedStepSchema } from '../../journey/caps.ts';
import { CustomerId } from '../../journey/customer.ts';
import { RunRecord } from '../../journey/run.ts';

/** What the journey runtime reports about runs, nodes and campaigns. */

export { RunStatus } from '../../journey/run.ts';

/**
 * One customer's run of one journey: where they are and what they wait for. The run record
 * (`RunRecord`) as the API shows it: its history with ISO times and the exit each step took.
 */
export const JourneyRun = RunRecord.pick({ journeyId: true, version: true, customerId: true, status: true, nodeId: true, waitingFor: true, waitingUntil: true, variables: true, startedAt: true })
  .extend({
    history: z.array(z.object({ nodeId: z.string(), at: z.iso.datetime(), exit: z.string().optional() })),
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

/** What shared frequency caps did at a message step (journey/caps.ts). */
export const CappedStep = CappedStepSchema.meta({ id: 'CappedStep' });

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
    starting: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('sent their first touch (coupon, email…), their runs being started; counted as started once they are'),
    done: z.boolean(),
  })
  .meta({ id: 'CampaignProgress' });
export type CampaignProgress = z.infer<typeof CampaignProgress>;
