import { getCustomer, searchCustomers, upsertCustomer } from '../../store/customers.ts';
import { liftFinishedErasures } from '../../store/erasures.ts';
import { eraseCustomer } from '../../runtime/erasure.ts';
import { readers } from '../auth.ts';
import { importCustomers, toCustomerFields } from '../import.ts';
import type { ImportFormat } from '../import.ts';
import { conflict, notFound, ProblemError } from '../problem.ts';
import { defineRoute } from '../route.ts';
import { PageQuery, pageOf } from '../wire/common.ts';
import { JourneyRun } from '../wire/runs.ts';
import {
  Customer,
  CustomerPage,
  CustomerParams,
  CustomerSearchQuery,
  CustomerWrite,
  ErasureReport,
  ImportReport,
} from '../wire/customers.ts';

/**
 * Ingest keys write (events, profile upserts, imports) and read nothing: a leaked ingest key
 * must not list customers' addresses. `PUT` answers with the profile it wrote.
 */
const customerReaders = readers;

const importTypes: Record<string, ImportFormat> = {
  'text/csv': 'csv',
  'application/x-ndjson': 'ndjson',
  'application/jsonl': 'ndjson',
};

export const customerRoutes = [
  defineRoute({
    operationId: 'searchCustomers',
    method: 'get',
    path: '/customers',
    tag: 'Customers',
    summary: 'Search customers',
    description: 'Filters combine with AND. Ordered by id.',
    access: customerReaders,
    query: CustomerSearchQuery,
    responses: { 200: { description: 'A page of customers.', schema: CustomerPage } },
    async handler({ query, deps }) {
      const { limit, cursor, ...filter } = query;
      return { status: 200, body: await searchCustomers(deps.db, filter, { limit, cursor }) };
    },
  }),
  defineRoute({
    operationId: 'getCustomer',
    method: 'get',
    path: '/customers/:id',
    tag: 'Customers',
    summary: 'Get a customer',
    access: customerReaders,
    params: CustomerParams,
    responses: { 200: { description: 'The customer, computed fields included.', schema: Customer } },
    async handler({ params, deps }) {
      // Events of theirs this process just accepted are applied first (read your writes).
      await deps.pipeline.settled(params.id);
      const customer = await getCustomer(deps.db, params.id);
      if (customer === null) throw notFound(`customer ${params.id}`);
      return { status: 200, body: customer };
    },
  }),
  defineRoute({
    operationId: 'upsertCustomer',
    method: 'put',
    path: '/customers/:id',
    tag: 'Customers',
    summary: 'Create or update a customer by external id',
    description:
      'Fields sent replace the stored ones; fields left out are kept. Computed fields are read-only. ' +
      'Consent is never assumed: a profile created without `consent` (or without a channel in it) receives no ' +
      'marketing on that channel until consent is recorded. Each channel’s consent is a record: granted or withdrawn, when, and its source.',
    access: ['ingest'],
    params: CustomerParams,
    body: CustomerWrite,
    responses: {
      200: { description: 'Updated.', schema: Customer },
      201: { description: 'Created.', schema: Customer },
    },
    async handler({ params, body, deps, now }) {
      // Creating an erased customer again is a deliberate act; an unfinished erasure must finish first.
      if ((await liftFinishedErasures(deps.db, [params.id])).size > 0) throw conflict(`the erasure of customer ${params.id} is not finished: DELETE it again first`);
      const { customer, created } = await upsertCustomer(deps.db, params.id, toCustomerFields(body, 'api', now), now);
      return { status: created ? 201 : 200, body: customer };
    },
  }),
  defineRoute({
    operationId: 'deleteCustomer',
    method: 'delete',
    path: '/customers/:id',
    tag: 'Customers',
    summary: 'Erase a customer',
    description:
      'Erases the customer everywhere: the profile, their events, journey run records, CS tasks and coupons are ' +
      'removed; message ledger rows are kept (a replayed send still finds its key) with the address and provider ' +
      'details redacted; the customer’s journeys are cancelled. Journeys carry customer ids, not profiles, so ' +
      'workflow histories hold no address. A tombstone (a hash of the id) is kept: later events for this id are ' +
      'dropped (answered as duplicates) and create no profile. Suppressions are kept, so an opted-out address ' +
      'stays opted out. Should a step fail, the answer is an error and erasing again continues where it stopped; ' +
      'erasing an erased customer runs the steps again and answers the report of that erasure. Admin keys only.',
    access: [],
    params: CustomerParams,
    responses: { 200: { description: 'What was erased.', schema: ErasureReport } },
    async handler({ params, deps, now }) {
      const erasure = await eraseCustomer(deps, params.id, now);
      if (erasure === null) throw notFound(`customer ${params.id}`);
      const { requestedAt, finishedAt, removed } = erasure;
      return { status: 200, body: { customerId: params.id, status: 'erased' as const, requestedAt, finishedAt: finishedAt ?? now.toISOString(), removed } };
    },
  }),
  defineRoute({
    operationId: 'importCustomers',
    method: 'post',
    path: '/customers/import',
    tag: 'Customers',
    summary: 'Bulk import customers (CSV or JSON lines)',
    description:
      'Streamed: any size up to the import limit. CSV columns: id, email, phone, name, locale, timezone, ' +
      'birthday, consent.email, consent.sms, accountOwner, tags (separated by ;) and attributes.<name>. ' +
      'JSON lines: one customer object (with `id`) per line. Each row is upserted like PUT /customers/{id}; ' +
      'rejected rows are listed with their line number and reason. Consent is recorded with source `import`; ' +
      'a file without consent columns (or an empty cell) records none, and those customers receive no marketing on that channel.',
    access: ['ingest'],
    bodyType: 'stream',
    streamTypes: Object.keys(importTypes),
    rateCost: () => 1,
    responses: { 200: { description: 'What was imported.', schema: ImportReport } },
    async handler({ req, deps, now }) {
      const type = req.is(Object.keys(importTypes));
      const format = typeof type === 'string' ? importTypes[type] : undefined;
      if (format === undefined) {
        throw new ProblemError(415, 'unsupported-media-type', 'Unsupported media type', `send one of ${Object.keys(importTypes).join(', ')}`);
      }
      const report = await importCustomers(deps.db, req, format, now, deps.config.importLimitBytes ?? 1024 ** 3);
      return { status: 200, body: report };
    },
  }),
  defineRoute({
    operationId: 'customerJourneys',
    method: 'get',
    path: '/customers/:id/journeys',
    tag: 'Customers',
    summary: 'The customer’s journey runs',
    description: 'Where the customer is in each journey, what they wait for, and the steps they took.',
    access: readers,
    params: CustomerParams,
    query: PageQuery,
    responses: { 200: { description: 'Runs, running first.', schema: pageOf(JourneyRun).meta({ id: 'JourneyRunPage' }) } },
    async handler({ params, query, deps }) {
      await deps.pipeline.settled(params.id);
      if ((await getCustomer(deps.db, params.id)) === null) throw notFound(`customer ${params.id}`);
      return { status: 200, body: await deps.runtime.customerRuns(params.id, query) };
    },
  }),
];
