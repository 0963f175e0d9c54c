import { listEvents } from '../../store/events.ts';
import { readers } from '../auth.ts';
import { defineRoute } from '../route.ts';
import { EventAck, EventBody, EventPage, EventPostQuery, EventQuery } from '../wire/events.ts';

/** Tokens an events body takes from the ingestion rate: one per event. */
function eventCount(body: unknown): number {
  if (typeof body === 'object' && body !== null && 'events' in body && Array.isArray(body.events)) return Math.max(1, body.events.length);
  return 1;
}

export const eventRoutes = [
  defineRoute({
    operationId: 'sendEvents',
    method: 'post',
    path: '/events',
    tag: 'Events',
    summary: 'Send one event or a batch',
    description:
      'Stores each event once per customer (an `id` the same customer sent before is reported as a duplicate and ' +
      'ignored; the same `id` from another customer is another event) and answers once they are durably stored. ' +
      'Right after, each event is folded into the customer’s aggregates (orders, spend, last purchase), the ' +
      'lifecycle is rescored (stage, RFM, segments) and the event and the changes it caused are routed to the ' +
      'journeys that can use them; `wait=true` answers only then. Should a later stage fail, a retry of the same ' +
      'event or the background sweeper finishes it: nothing is applied or routed twice. An event older than a ' +
      'trigger’s entry window (`maxAgeHours`, default 24) is stored and folded but starts nothing. An event for ' +
      'an unknown customer creates a prospect profile. Rate limited per key.',
    access: ['ingest'],
    body: EventBody,
    query: EventPostQuery,
    rateCost: eventCount,
    responses: { 202: { description: 'Accepted; one result per event, in order.', schema: EventAck } },
    async handler({ body, query, deps, now }) {
      const events = 'events' in body ? body.events : [body];
      const at = now.toISOString();
      const results = await deps.pipeline.ingest(
        events.map((e) => ({ ...e, at: e.at ?? at })),
        { now, ...(query.wait === undefined ? {} : { wait: query.wait }) },
      );
      const duplicates = results.filter((r) => r.duplicate).length;
      return { status: 202, body: { accepted: results.length - duplicates, duplicates, results } };
    },
  }),
  defineRoute({
    operationId: 'listEvents',
    method: 'get',
    path: '/events',
    tag: 'Events',
    summary: 'List events, newest first',
    access: readers,
    query: EventQuery,
    responses: { 200: { description: 'A page of events.', schema: EventPage } },
    async handler({ query, deps }) {
      const { limit, cursor, ...filter } = query;
      return { status: 200, body: await listEvents(deps.db, filter, { limit, cursor }) };
    },
  }),
];
