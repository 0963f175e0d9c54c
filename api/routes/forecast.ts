import { compile } from '../../journey/compile/compile.ts';
import { effectiveTimezone, forecastPath } from '../../journey/index.ts';
import { getCustomer } from '../../store/customers.ts';
import { getJourney } from '../../store/journeys.ts';
import { readers } from '../auth.ts';
import { compileContext } from '../compileContext.ts';
import { conflict, notFound, ProblemError } from '../problem.ts';
import { defineRoute } from '../route.ts';
import { CustomerForecast, CustomerForecastRequest } from '../wire/forecast.ts';
import { JourneyParams } from '../wire/journeys.ts';

const iso = (at: number) => new Date(at).toISOString();

/** The forecast of one real customer's path, from their current profile. */
export const forecastRoutes = [
  defineRoute({
    operationId: 'forecastCustomerPath',
    method: 'post',
    path: '/journeys/:id/forecast/customer',
    tag: 'Journeys',
    summary: 'Forecast where the journey takes one customer',
    description:
      'Runs the forecast’s simulator for one stored customer from their current profile: which branch they take, which ' +
      'messages they get and on which dates (in their time zone, quiet hours applied). Assumes the customer does nothing ' +
      'the journey waits for, and that no other journey takes a frequency-cap slot (`assumptions`). Changes nothing.',
    access: readers,
    params: JourneyParams,
    body: CustomerForecastRequest,
    responses: { 200: { description: 'The customer’s path.', schema: CustomerForecast } },
    async handler({ params, body, deps, now }) {
      const journey = await getJourney(deps.db, params.id);
      if (journey === null) throw notFound(`journey ${params.id}`);
      const graph = body.graph ?? journey.draft;
      if (graph.id !== params.id) throw conflict(`body.graph.id must be ${params.id}, the journey in the URL`, 'body.graph.id');
      await deps.pipeline.settled(body.customerId);
      const customer = await getCustomer(deps.db, body.customerId);
      if (customer === null) throw notFound(`customer ${body.customerId}`);
      const compiled = compile(graph, await compileContext(deps.db));
      if (!compiled.ok) {
        throw new ProblemError(409, 'draft-does-not-compile', 'The journey does not compile', 'fix the errors on the canvas, then forecast again', compiled.errors.map((e) => ({ path: e.path === undefined ? 'graph' : `graph.${e.path}`, message: e.message, code: e.code, nodeId: e.nodeId })));
      }
      const definition = compiled.value;
      const path = forecastPath(definition, customer, { start: now.getTime(), days: body.days, ...(deps.lunarCalendar ? { calendar: deps.lunarCalendar } : {}) });
      const labelOf = (nodeId: string) => definition.nodes[nodeId]?.label;
      const step = <T extends { at: number; nodeId: string }>(s: T) => {
        const label = labelOf(s.nodeId);
        return { ...s, at: iso(s.at), ...(label === undefined ? {} : { label }) };
      };
      return {
        status: 200,
        body: {
          journeyId: params.id,
          customerId: customer.id,
          timezone: effectiveTimezone(customer.timezone, definition.settings.timezone),
          start: iso(path.start),
          days: path.days,
          entered: path.entered,
          steps: path.steps.map(step),
          actions: path.actions.map(step),
          ...(path.completion ? { completion: { at: iso(path.completion.at), reason: path.completion.reason } } : {}),
          assumptions: [...path.assumptions],
        },
      };
    },
  }),
];
