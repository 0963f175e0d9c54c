import { z } from 'zod';
import { getCustomer } from '../../store/customers.ts';
import { getJourney, livePublished } from '../../store/journeys.ts';
import { cappedByStep } from '../../store/messages.ts';
import { readers } from '../auth.ts';
import { conflict, notFound } from '../problem.ts';
import { defineRoute } from '../route.ts';
import { PageQuery, pageOf } from '../wire/common.ts';
import { JourneyParams, NodeParams, RunParams, StartRunRequest, StartRunResult } from '../wire/journeys.ts';
import { CappedStep, JourneyRun, NodeOccupant, NodeStats } from '../wire/runs.ts';

/** Journeys at run time: numbers per step, who is where, and single runs. */
export const journeyRunRoutes = [
  defineRoute({
    operationId: 'journeyStats',
    method: 'get',
    path: '/journeys/:id/stats',
    tag: 'Journey runs',
    summary: 'Per-step numbers: entered, waiting now, exited, converted; and what shared frequency caps did',
    description: 'Per step, also how many messages waited for a frequency cap or were skipped (`onCap: skip`), and the journeys (with their priority) whose messages went first.',
    access: readers,
    params: JourneyParams,
    responses: { 200: { description: 'One row per step.', schema: z.object({ nodes: z.array(NodeStats), capped: z.array(CappedStep) }).meta({ id: 'JourneyStats' }) } },
    async handler({ params, deps }) {
      if ((await getJourney(deps.db, params.id)) === null) throw notFound(`journey ${params.id}`);
      const [nodes, capped] = await Promise.all([deps.runtime.nodeStats(params.id), cappedByStep(deps.db, params.id)]);
      return { status: 200, body: { nodes, capped } };
    },
  }),
  defineRoute({
    operationId: 'customersAtNode',
    method: 'get',
    path: '/journeys/:id/nodes/:nodeId/customers',
    tag: 'Journey runs',
    summary: 'Customers at a step right now',
    access: readers,
    params: NodeParams,
    query: PageQuery,
    responses: { 200: { description: 'A page of customers at the step.', schema: pageOf(NodeOccupant).meta({ id: 'NodeOccupantPage' }) } },
    async handler({ params, query, deps }) {
      if ((await getJourney(deps.db, params.id)) === null) throw notFound(`journey ${params.id}`);
      return { status: 200, body: await deps.runtime.customersAtNode(params.id, params.nodeId, query) };
    },
  }),
  defineRoute({
    operationId: 'describeRun',
    method: 'get',
    path: '/journeys/:id/customers/:customerId',
    tag: 'Journey runs',
    summary: 'Where a customer is in a journey',
    description: 'The step, what they wait for and until when, the run’s variables and the steps taken.',
    access: readers,
    params: RunParams,
    responses: { 200: { description: 'The customer’s latest run of the journey.', schema: JourneyRun } },
    async handler({ params, deps }) {
      await deps.pipeline.settled(params.customerId);
      const run = await deps.runtime.describeRun(params.id, params.customerId);
      if (run === null) throw notFound(`a run of journey ${params.id} for customer ${params.customerId}`);
      return { status: 200, body: run };
    },
  }),
  defineRoute({
    operationId: 'removeFromJourney',
    method: 'delete',
    path: '/journeys/:id/customers/:customerId',
    tag: 'Journey runs',
    summary: 'Take a customer out of a journey',
    access: ['marketer', 'operator'],
    params: RunParams,
    responses: { 204: { description: 'Removed.' } },
    async handler({ params, deps }) {
      const removed = await deps.runtime.removeFromJourney(params.id, params.customerId);
      if (!removed) throw notFound(`a running journey ${params.id} for customer ${params.customerId}`);
      return { status: 204 };
    },
  }),
  defineRoute({
    operationId: 'startRun',
    method: 'post',
    path: '/journeys/:id/runs',
    tag: 'Journey runs',
    summary: 'Start a customer on a journey (API trigger)',
    description: 'Only for journeys whose trigger is “Started through the API”. A customer already in the journey is left alone.',
    access: ['marketer', 'operator'],
    params: JourneyParams,
    body: StartRunRequest,
    responses: { 202: { description: 'Started, or already running (`started: false`).', schema: StartRunResult } },
    async handler({ params, body, deps }) {
      const journey = await livePublished(deps.db, params.id);
      if (journey === null) {
        if ((await getJourney(deps.db, params.id)) === null) throw notFound(`journey ${params.id}`);
        throw conflict(`journey ${params.id} is not live: publish or resume it first`);
      }
      const trigger = journey.definition.nodes[journey.definition.entryNodeId];
      if (trigger?.kind !== 'api') throw conflict(`journey ${params.id} starts with a ${trigger?.kind ?? 'missing'} trigger, not an API trigger`);
      const customer = await getCustomer(deps.db, body.customerId);
      if (customer === null) throw notFound(`customer ${body.customerId}`);
      const { started } = await deps.runtime.startJourney({ journey, customer });
      return { status: 202, body: { started, version: journey.version } };
    },
  }),
];
