import { z } from 'zod';
import { CustomerId } from '../../journey/customer.ts';
import { CompleteReason } from '../../journey/interpreter/types.ts';
import { pathAssumptions } from '../../journey/simulate/path.ts';
import { Graph } from './journeys.ts';

/** Forecast one real customer's path: their id, how many days ahead, and optionally the unsaved graph the editor shows. */
export const CustomerForecastRequest = z
  .strictObject({
    customerId: CustomerId,
    days: z.number().int().min(1).max(365).default(30),
    graph: Graph.optional().describe('the graph to forecast (the editor’s unsaved draft); left out: the stored draft'),
  })
  .meta({ id: 'CustomerForecastRequest' });

const PathStep = z.object({ at: z.iso.datetime(), nodeId: z.string(), kind: z.string(), label: z.string().optional(), outcome: z.string() });

/** Where the journey would take the customer from their current profile, step by step and message by message. */
export const CustomerForecast = z
  .object({
    journeyId: z.string(),
    customerId: CustomerId,
    /** The customer's time zone (their own, else the journey's): quiet hours are theirs. */
    timezone: z.string(),
    start: z.iso.datetime(),
    days: z.number().int(),
    entered: z.boolean().describe('false when the customer would not enter now (not in the trigger’s segment, filtered out by the audience)'),
    steps: z.array(PathStep).describe('every step taken, in order, with the exit taken or what it waited for'),
    actions: z.array(PathStep.extend({ outcome: z.enum(['ok', 'failed', 'deferred']) })).describe('each message, coupon, task… on the date it would happen'),
    completion: z.object({ at: z.iso.datetime(), reason: CompleteReason }).optional(),
    assumptions: z.array(z.enum(pathAssumptions)).describe('noResponse: the customer does nothing the journey waits for; triggerNow: the trigger event happens now; noOtherJourneys: no other journey’s message takes a cap slot; sendDaysNotApplied: public-holiday send days are not applied'),
  })
  .meta({ id: 'CustomerForecast' });
export type CustomerForecast = z.infer<typeof CustomerForecast>;
