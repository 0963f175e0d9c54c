import { listEvents } from '../../store/events.ts';
import { readers } from '../auth.ts';
import { importEvents } from '../eventImport.ts';
import { ProblemError } from '../problem.ts';
import { defineRoute } from '../route.ts';
import { EventAck, EventBody, EventImportReport, eventImportTypes, EventPage, EventPostQuery, EventQuery } from '../wire/events.ts';

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
    operationId: 'importEvents',
    method: 'post',
    path: '/events/import',
    tag: 'Events',
    summary: 'Import event history (JSON lines)',
    description:
      'For back-filling history, e.g. two years of orders from a shop system. Streamed: any size up to the import ' +
      'limit. One event per line, each shaped like the body of a single POST /events (`EventInput`; `at` defaults to ' +
      'the time of the import; send an `id` per event so that importing the same file again changes nothing). ' +
      'Events go through the same pipeline as POST /events, in batches of 1,000, each applied before the next is ' +
      'read: stored once per customer and id (an `id` the customer sent before is counted as a duplicate), folded ' +
      'into the profile, the lifecycle rescored, and routed to journeys, so an event older than a trigger’s entry ' +
      'window (`maxAgeHours`, default 24) starts nothing. Once the whole file is in, one lifecycle recompute ' +
      'rebuilds every customer’s history and the scoring base (RFM, value tiers) from the stored events; the changes ' +
      'it finds are routed like any event. A customer whose imported orders make them dormant now enters the ' +
      'journeys triggered by `dormant-90d`, once (a lifecycle change is recorded once per customer and day). Invalid lines ' +
      'are rejected on their own, listed with their line number, the field at fault and the reason (the first ' +
      '1,000); the other lines are imported. A body over the import limit fails with 413, keeping the batches ' +
      'applied before it (importing the file again completes it).',
    access: ['ingest'],
    bodyType: 'stream',
    streamTypes: eventImportTypes,
    rateCost: () => 1,
    responses: { 200: { description: 'What was imported, and what the lifecycle recompute changed.', schema: EventImportReport } },
    async handler({ req, deps, now }) {
      if (typeof req.is([...eventImportTypes]) !== 'string') {
        throw new ProblemError(415, 'unsupported-media-type', 'Unsupported media type', `send one of ${eventImportTypes.join(', ')}`);
      }
      const report = await importEvents(deps.pipeline, req, { now, clock: deps.clock, maxBytes: deps.config.importLimitBytes ?? 1024 ** 3 });
      return { status: 200, body: report };
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
      if (filter.customerId !== undefined) await deps.pipeline.settled(filter.customerId);
      return { status: 200, body: await listEvents(deps.db, filter, { limit, cursor }) };
    },
  }),
];
