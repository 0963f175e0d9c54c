import { getSegment } from '../../store/segments.ts';
import { journeyOutcomeReport } from '../../store/outcomeRollup.ts';
import { segmentOutcomes } from '../../store/outcomes.ts';
import { readers } from '../auth.ts';
import { notFound } from '../problem.ts';
import { defineRoute } from '../route.ts';
import { JourneyParams } from '../wire/journeys.ts';
import { SegmentParams } from '../wire/lifecycle.ts';
import { JourneyOutcomes, OutcomeQuery, SegmentOutcomes } from '../wire/outcomes.ts';

const method =
  'Counted per entry within the goal window [entry, entry + windowDays]. Rates are null when their denominator is 0. ' +
  'Lift against the holdout: absolute (arm rate − holdout rate) with a Newcombe hybrid score 95 % interval, relative ' +
  '(arm rate / holdout rate − 1) with a Katz log 95 % interval.';

/** Outcome figures: what entrants of a journey or a segment did within the goal window. */
export const outcomeRoutes = [
  defineRoute({
    operationId: 'journeyOutcomes',
    method: 'get',
    path: '/journeys/:id/outcomes',
    tag: 'Journey runs',
    summary: 'Entered, converted, win-back, repeat purchase, coupon redemption, revenue; lift of split arms over the holdout',
    description:
      "Entrants are the journey's runs (the latest entry of each customer). The goal is the latest published version's " +
      '(`goalEvent` / `windowDays` override it; without one: `order_completed` within 30 days). Split arms are the ' +
      `arms each entrant got at each split step they passed. ${method} Without \`goalEvent\` / \`windowDays\` the figures come ` +
      "from the journey's outcome counters, kept as runs, events and coupons are written (`source: counters`, a few " +
      'document reads); with either, from a scan of every entrant (`source: scan`).',
    access: readers,
    params: JourneyParams,
    query: OutcomeQuery,
    responses: { 200: { description: 'The outcome figures.', schema: JourneyOutcomes } },
    async handler({ params, query, deps, now }) {
      const report = await journeyOutcomeReport(deps.db, params.id, { ...overrides(query), now });
      if (report === null) throw notFound(`journey ${params.id}`);
      return { status: 200, body: report };
    },
  }),
  defineRoute({
    operationId: 'segmentOutcomes',
    method: 'get',
    path: '/segments/:id/outcomes',
    tag: 'Segments',
    summary: 'Entered, converted, win-back, repeat purchase, coupon redemption and revenue after entering the segment',
    description: `Entrants are the segment's \`segment_entered\` events; the goal is \`order_completed\` within 30 days unless \`goalEvent\` / \`windowDays\` say otherwise. ${method}`,
    access: readers,
    params: SegmentParams,
    query: OutcomeQuery,
    responses: { 200: { description: 'The outcome figures.', schema: SegmentOutcomes } },
    async handler({ params, query, deps, now }) {
      if ((await getSegment(deps.db, params.id)) === null) throw notFound(`segment ${params.id}`);
      return { status: 200, body: await segmentOutcomes(deps.db, params.id, { ...overrides(query), now }) };
    },
  }),
];

function overrides(query: { goalEvent?: string | undefined; windowDays?: number | undefined }) {
  return { eventType: query.goalEvent, windowDays: query.windowDays };
}
