// Erasure through the API against the real Temporal dev server, FerretDB and the SMTP inbox:
// afterwards nothing readable through the API, and nothing in the histories of runs started
// since ids replaced profiles, holds the customer's address or name; a late event does not
// bring them back; an erasure cut off half-way finishes when sent again.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestApp } from '../api/testHarness.ts';
import type { TestApp } from '../api/testHarness.ts';
import type { PublishedJourney } from '../store/journeys.ts';
import { eventually, inbox, publish, startRealWorker, testJourneyGraph, uniqueSuffix } from '../test/fixtures/workflow-harness.ts';
import { journeyWorkflowId } from '../workflows/definitions.ts';
import type { JourneyRuntime } from './runtime.ts';
import { createTemporalRuntime } from './temporal.ts';

const services = inject('services');
const taskQueue = `erasure-${randomUUID()}`;

let app: TestApp;
let real: JourneyRuntime;
let client: Client;
let workerConnection: NativeConnection;
let worker: { stop(): Promise<void> } | undefined;
let journey: PublishedJourney;
/** Set to make the next cancellation of a customer's journeys fail (Temporal unreachable). */
let failNextCancel = false;

// The API's runtime: the real one, created once the test app's database exists.
const runtime = new Proxy({} as JourneyRuntime, {
  get: (_target, key: keyof JourneyRuntime) =>
    (...args: unknown[]) => {
      if (key === 'cancelCustomerJourneys' && failNextCancel) {
        failNextCancel = false;
        return Promise.reject(new Error('14 UNAVAILABLE: Temporal is unreachable'));
      }
      return (real[key] as (...a: unknown[]) => unknown)(...args);
    },
});

beforeAll(async () => {
  app = await startTestApp({ runtime });
  client = new Client({ connection: await Connection.connect({ address: services.temporalAddress }) });
  const temporal = createTemporalRuntime({ client, db: app.db, taskQueue });
  real = temporal;
  workerConnection = await NativeConnection.connect({ address: services.temporalAddress });
  worker = await startRealWorker({ connection: workerConnection, db: app.db, services, taskQueue, starter: temporal.starter });
  journey = await publish(
    app.db,
    testJourneyGraph({ id: `erasure-${uniqueSuffix()}`, trigger: { kind: 'event', eventType: 'signed_up' }, waitForEvent: { eventType: 'order_completed', timeoutMinutes: 60 } }),
  );
  app.pipeline.journeysChanged();
});

afterAll(async () => {
  await worker?.stop();
  await client?.connection.close();
  await workerConnection?.close();
  await app?.close();
});

/** A customer who consented to email, signed up and got the journey's first email. */
async function signedUp(name: string) {
  const id = `c-${uniqueSuffix()}`;
  const email = `${id}@erasure.test`;
  const put = await app.call('PUT', `/customers/${id}`, { as: 'ingest', json: { email, name, phone: '+14155550177', consent: { email: true } } });
  expect(put.status).toBe(201);
  await app.call('POST', '/events?wait=true', { as: 'ingest', json: { id: `${id}-signup`, type: 'signed_up', customerId: id } });
  await eventually(() => inbox(services, email), (m) => m.length === 1, 60_000);
  return { id, email, name, workflowId: journeyWorkflowId(journey.journeyId, id) };
}

/** The run's whole history as text, payloads decoded (they are JSON bytes). */
async function historyText(workflowId: string): Promise<string> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  // Payload bytes come as base64 text (JSON inside): decode every `data` field.
  const text = JSON.stringify(history, (key, value: unknown) => (key === 'data' && typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : value));
  // The check must see payloads: the send activity's input names its template.
  expect(text).toContain('templateId');
  return text;
}

/** How many customers the journey's step counters say entered a step. */
async function entered(nodeId: string): Promise<number> {
  const stats = (await app.call('GET', `/journeys/${journey.journeyId}/stats`)).json as { nodes: Array<{ nodeId: string; entered: number }> };
  return stats.nodes.find((n) => n.nodeId === nodeId)?.entered ?? 0;
}

/** Everything the API shows about a customer, as one text. */
async function readable(id: string, email: string): Promise<string> {
  const reads = await Promise.all([
    app.call('GET', `/customers/${id}`),
    app.call('GET', `/customers?email=${encodeURIComponent(email)}`),
    app.call('GET', `/customers/${id}/timeline`),
    app.call('GET', `/customers/${id}/journeys`),
    app.call('GET', `/messages?customerId=${id}`),
    app.call('GET', `/tasks?customerId=${id}`),
    app.call('GET', `/coupons?customerId=${id}`),
    app.call('GET', `/events?customerId=${id}`),
    app.call('GET', `/journeys/${journey.journeyId}/customers/${id}`),
  ]);
  return reads.map((r) => r.text).join('\n');
}

describe('erasing a customer', () => {
  it('leaves no address in the API or the run histories, and a late event recreates no one', { timeout: 180_000 }, async () => {
    // One customer mid-journey (waiting for an order), one whose order already ended the run
    // (the order reached the run as a signal).
    const waiting = await signedUp('Wanda Waiting');
    const buyer = await signedUp('Bruno Buyer');
    await app.call('POST', '/events?wait=true', { as: 'ingest', json: { id: `${buyer.id}-order`, type: 'order_completed', customerId: buyer.id, properties: { amount: 12 } } });
    expect(await client.workflow.getHandle(buyer.workflowId).result()).toMatchObject({ reason: 'exit' });
    expect(await readable(waiting.id, waiting.email)).toContain(waiting.email);
    expect(await entered('first-email')).toBe(2);

    const erased = await app.call('DELETE', `/customers/${waiting.id}`, { as: 'admin' });
    expect(erased.status, erased.text).toBe(200);
    expect(erased.json).toMatchObject({
      customerId: waiting.id,
      status: 'erased',
      removed: { profile: 1, journeysCancelled: 1, runRecords: 1, messagesRedacted: 1 },
    });
    expect((erased.json as { removed: { events: number } }).removed.events).toBeGreaterThanOrEqual(1);
    expect(await client.workflow.getHandle(waiting.workflowId).result()).toMatchObject({ reason: 'cancelled' });
    const buyerErased = (await app.call('DELETE', `/customers/${buyer.id}`, { as: 'admin' })).json as { removed: { events: number } };
    // Sign-up, order and the lifecycle changes the order caused (stage new, segments).
    expect(buyerErased).toMatchObject({ removed: { profile: 1, journeysCancelled: 0, runRecords: 1, messagesRedacted: 1 } });
    expect(buyerErased.removed.events).toBeGreaterThanOrEqual(2);

    for (const person of [waiting, buyer]) {
      const text = await readable(person.id, person.email);
      expect(text).not.toContain(person.email);
      expect(text).not.toContain(person.name);
      expect(text).not.toContain('+14155550177');
      expect((await app.call('GET', `/customers/${person.id}`)).status).toBe(404);
      // The ledger row stays (its key stops a replayed send), without the address.
      expect((await app.call('GET', `/messages?customerId=${person.id}`)).json).toMatchObject({ items: [{ to: '[erased]', status: 'sent' }] });
      const history = await historyText(person.workflowId);
      expect(history).toContain(person.id);
      expect(history).not.toContain(person.email);
      expect(history).not.toContain(person.name);
      expect(history).not.toContain('+14155550177');
    }

    // The journey's step counts no longer count them (their run records went, counters with them).
    expect(await entered('first-email')).toBe(0);

    // A late event (a shop system replaying its queue) is dropped: no profile, no event, no run.
    const late = await app.call('POST', '/events?wait=true', { as: 'ingest', json: { id: `${waiting.id}-late`, type: 'signed_up', customerId: waiting.id } });
    expect(late.json).toMatchObject({ accepted: 0, duplicates: 1 });
    expect((await app.call('GET', `/customers/${waiting.id}`)).status).toBe(404);
    expect(await app.db.collection('events').countDocuments({ customerId: waiting.id })).toBe(0);
    // Erasing again answers the same report.
    expect((await app.call('DELETE', `/customers/${waiting.id}`, { as: 'admin' })).json).toEqual(erased.json);
  });

  it('finishes an erasure cut off half-way when sent again, and stops late events meanwhile', { timeout: 120_000 }, async () => {
    const person = await signedUp('Petra Partial');
    failNextCancel = true;
    const cut = await app.call('DELETE', `/customers/${person.id}`, { as: 'admin' });
    expect(cut.status).toBeGreaterThanOrEqual(500);
    // Half-way: the profile is still there, but the tombstone already stops events.
    await app.call('POST', '/events?wait=true', { as: 'ingest', json: { id: `${person.id}-meanwhile`, type: 'page_viewed', customerId: person.id } });
    expect(await app.db.collection('events').countDocuments({ customerId: person.id, type: 'page_viewed' })).toBe(0);
    // Nor may the profile be written again until the erasure is finished.
    expect((await app.call('PUT', `/customers/${person.id}`, { as: 'ingest', json: { name: 'Again' } })).status).toBe(409);

    const retried = await app.call('DELETE', `/customers/${person.id}`, { as: 'admin' });
    expect(retried.status, retried.text).toBe(200);
    expect(retried.json).toMatchObject({ status: 'erased', removed: { profile: 1, journeysCancelled: 1, messagesRedacted: 1 } });
    expect(await client.workflow.getHandle(person.workflowId).result()).toMatchObject({ reason: 'cancelled' });
    expect(await readable(person.id, person.email)).not.toContain(person.email);

    // Created again on purpose: a new profile, with no consent carried over.
    const again = await app.call('PUT', `/customers/${person.id}`, { as: 'ingest', json: { name: 'Petra Again' } });
    expect(again.status).toBe(201);
    expect(again.json).toMatchObject({ consent: {}, computed: { orderCount: 0 } });
  });

  it('is not allowed to ingest keys', async () => {
    const person = `c-${uniqueSuffix()}`;
    await app.call('PUT', `/customers/${person}`, { as: 'ingest', json: {} });
    expect((await app.call('DELETE', `/customers/${person}`, { as: 'ingest' })).status).toBe(403);
    expect((await app.call('GET', `/customers/${person}`)).status).toBe(200);
  });
});
