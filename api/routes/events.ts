import { listEvents } from '../../store/events.ts';
import { readers } from '../auth.ts';
import { ingestEvent } from '../ingest.ts';
import { defineRoute } from '../route.ts';
import { EventAck, EventBody, EventPage, EventQuery } from '../wire/events.ts';

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
      'Stores each event once (a repeated `id` is reported as a duplicate and ignored), updates the ' +
      'customer’s aggregates (orders, spend, last purchase, stage) and routes the event to the ' +
      'customer’s journeys. An event for an unknown customer creates a prospect profile. Rate limited per key.',
    access: ['ingest'],
    body: EventBody,
    rateCost: eventCount,
    responses: { 202: { description: 'Accepted; one result per event, in order.', schema: EventAck } },
    async handler({ body, deps, now }) {
      const events = 'events' in body ? body.events : [body];
      const results = [];
      // In order, so a batch's purchase counts and stage changes apply as the sender ordered them.
      for (const event of events) results.push(await ingestEvent(deps, event, now));
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
