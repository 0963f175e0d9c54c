// Consent is never assumed: profiles created through the API, an import or an event receive no
// marketing until consent arrives. The API (fake runtime) and the real send activities share one
// FerretDB database; sends go to the real SMTP inbox.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ActionCommand } from '../journey/index.ts';
import { startTestApp } from '../api/testHarness.ts';
import type { TestApp } from '../api/testHarness.ts';
import { countAudience, customersCollection } from '../store/customers.ts';
import { ensureIndexes } from '../store/db.ts';
import { inbox, realActivities, uniqueSuffix } from '../test/fixtures/workflow-harness.ts';
import type { ActionRequest } from './types.ts';

const services = inject('services');
let app: TestApp;
let activities: ReturnType<typeof realActivities>['activities'];
let closeActivities: () => void;

beforeAll(async () => {
  app = await startTestApp();
  ({ activities, close: closeActivities } = realActivities(app.db, services));
});
afterAll(async () => {
  closeActivities();
  await app.close();
});

function emailRequest(customerId: string): ActionRequest<'email'> {
  const action: Extract<ActionCommand, { kind: 'email' }> = {
    type: 'action', nodeId: 'email', kind: 'email', config: { templateId: 'winback-offer' },
    idempotencyKey: `consent-test/${customerId}#1:email:1`, visit: 1, variables: { couponCode: 'C-1' }, fallbackLocale: 'en',
  };
  // Any hour is a sending hour: quiet hours must not be what stops the email.
  const settings = { timezone: 'UTC', quietHours: { start: '00:00', end: '00:00' }, frequencyCaps: [] };
  return { action, journeyId: 'win-back', journeyName: 'Win-back', version: 1, customerId, settings } as ActionRequest<'email'>;
}

/** What sending a marketing email to the customer does: `sent`, or the permanent refusal's type. */
async function trySend(customerId: string): Promise<string> {
  try {
    const outcome = await activities.sendEmail(emailRequest(customerId));
    return outcome.outcome === 'ok' ? 'sent' : outcome.outcome;
  } catch (error) {
    return (error as { type?: string }).type ?? String(error);
  }
}

describe('consent is never assumed', () => {
  it('sends nothing to a profile created by PUT, an import without consent columns, or an event, until consent arrives', async () => {
    const tag = uniqueSuffix();
    const put = `put-${tag}`;
    expect((await app.call('PUT', `/customers/${put}`, { as: 'ingest', json: { email: `${put}@consent.test` } })).status).toBe(201);
    const imported = `imp-${tag}`;
    const csv = `id,email,name\n${imported},${imported}@consent.test,Imported\n`;
    expect((await app.call('POST', '/customers/import', { as: 'ingest', body: csv, headers: { 'content-type': 'text/csv' } })).json).toMatchObject({ accepted: 1 });
    const byEvent = `evt-${tag}`;
    await app.call('POST', '/events?wait=true', { as: 'ingest', json: { type: 'signed_up', customerId: byEvent } });
    await app.call('PUT', `/customers/${byEvent}`, { as: 'ingest', json: { email: `${byEvent}@consent.test` } });

    for (const id of [put, imported, byEvent]) {
      expect((await app.call('GET', `/customers/${id}`)).json).toMatchObject({ id, consent: {} });
      expect(await trySend(id), id).toBe('NoConsent');
      expect(await inbox(services, `${id}@consent.test`)).toHaveLength(0);
    }

    // Consent arrives (a form on the shop's site, reported through the API): the next send goes out.
    const granted = await app.call('PUT', `/customers/${imported}`, { as: 'ingest', json: { consent: { email: { granted: true, source: 'form' } } } });
    expect(granted.json).toMatchObject({ consent: { email: { granted: true, source: 'form' } } });
    const next = { ...emailRequest(imported), action: { ...emailRequest(imported).action, idempotencyKey: `consent-test/${imported}#2:email:1` } };
    expect(await activities.sendEmail(next)).toEqual({ outcome: 'ok' });
    expect(await inbox(services, `${imported}@consent.test`)).toHaveLength(1);
  });

  it('reads consent stored as booleans by earlier versions, and start-up migrates it for audiences', async () => {
    const id = `legacy-${uniqueSuffix()}`;
    const at = '2025-05-01T00:00:00.000Z';
    await app.db.collection('customers').insertOne({
      _id: id as never, email: `${id}@consent.test`, locale: 'en', timezone: 'UTC', consent: { email: true, sms: false },
      attributes: {}, tags: [id], computed: { stage: 'prospect', orderCount: 0, totalSpend: 0, segments: [] }, createdAt: at, updatedAt: at,
    });
    expect((await app.call('GET', `/customers/${id}`)).json).toMatchObject({
      consent: { email: { granted: true, at, source: 'migrated' }, sms: { granted: false, at, source: 'migrated' } },
    });
    await ensureIndexes(app.db);
    expect((await customersCollection(app.db).findOne({ _id: id }))?.consent).toEqual({ email: { granted: true, at, source: 'migrated' }, sms: { granted: false, at, source: 'migrated' } });
    expect(await countAudience(app.db, { tags: [id], consentTo: 'email' }, new Date())).toBe(1);
    expect(await countAudience(app.db, { tags: [id], consentTo: 'sms' }, new Date())).toBe(0);
  });
});
