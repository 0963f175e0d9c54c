import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from './testHarness.ts';
import type { TestApp } from './testHarness.ts';

/** Hostile input gets a 4xx naming the field, and the database stays exactly as it was. */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ config: { bodyLimitBytes: 64 * 1024 } });
});
afterAll(() => app.close());

async function snapshot() {
  const [customers, events] = await Promise.all([
    app.db.collection('customers').find().sort({ _id: 1 }).toArray(),
    app.db.collection('events').find().sort({ _id: 1 }).toArray(),
  ]);
  return { customers, events };
}

const paths = (json: unknown) => ((json as { errors?: { path: string }[] }).errors ?? []).map((e) => e.path);

describe('hostile input', () => {
  beforeAll(async () => {
    await app.call('PUT', '/customers/victim', { as: 'ingest', json: { email: 'victim@example.com', attributes: { plan: 'gold' } } });
  });

  const cases: { name: string; method: string; path: string; json?: unknown; raw?: string; type?: string; status: number; field?: string }[] = [
    { name: 'operator key in a record', method: 'PUT', path: '/customers/victim', json: { attributes: { $where: 'sleep(1000)' } }, status: 400, field: 'body.attributes.$where' },
    { name: 'dotted key', method: 'PUT', path: '/customers/victim', json: { attributes: { 'computed.stage': 'champions' } }, status: 400, field: 'body.attributes.computed.stage' },
    { name: 'operator object as a value', method: 'PUT', path: '/customers/victim', json: { email: { $gt: '' } }, status: 400, field: 'body.email.$gt' },
    { name: 'operator in event properties', method: 'POST', path: '/events', json: { type: 'order_completed', customerId: 'victim', properties: { $inc: 5 } }, status: 400, field: 'body.properties.$inc' },
    { name: 'operator in a batch', method: 'POST', path: '/events', json: { events: [{ type: 'login', customerId: 'x', properties: { 'a.b': 1 } }] }, status: 400, field: 'body.events[0].properties.a.b' },
    { name: 'prototype pollution', method: 'PUT', path: '/customers/victim', raw: '{"__proto__":{"admin":true}}', status: 400, field: 'body.__proto__' },
    { name: 'unknown field', method: 'PUT', path: '/customers/victim', json: { emial: 'typo@example.com' }, status: 400, field: 'body.emial' },
    { name: 'unknown nested field', method: 'PUT', path: '/customers/victim', json: { consent: { email: true, sms: false, fax: true } }, status: 400, field: 'body.consent.fax' },
    { name: 'writing a computed field', method: 'PUT', path: '/customers/victim', json: { computed: { stage: 'champions' } }, status: 400, field: 'body.computed' },
    { name: 'unknown query parameter', method: 'GET', path: '/customers?email[$ne]=x', status: 400, field: 'query.email[$ne]' },
    { name: 'operator in a query value', method: 'GET', path: '/customers?stage=%24ne', status: 400, field: 'query.stage' },
    { name: 'malformed JSON', method: 'PUT', path: '/customers/victim', raw: '{"email":', status: 400, field: 'body' },
    { name: 'wrong media type', method: 'PUT', path: '/customers/victim', raw: 'email=x', type: 'text/plain', status: 415 },
    { name: 'oversize body', method: 'PUT', path: '/customers/victim', json: { name: 'x', attributes: { blob: 'x'.repeat(100_000) } }, status: 413 },
    { name: 'oversize batch', method: 'POST', path: '/events', json: { events: Array.from({ length: 2000 }, () => ({ type: 'login', customerId: 'victim' })) }, status: 413 },
  ];

  it.each(cases)('$name → $status and no change', async ({ method, path, json, raw, type, status, field }) => {
    const before = await snapshot();
    const response = await app.call(method, path, {
      as: method === 'GET' ? 'viewer' : 'ingest',
      ...(raw === undefined ? { json } : { body: raw, headers: { 'content-type': type ?? 'application/json' } }),
    });
    expect(response.status, response.text).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    if (field !== undefined) expect(paths(response.json)).toContain(field);
    expect(await snapshot()).toEqual(before);
    expect(app.runtime.callsTo('routeEvent')).toHaveLength(0);
  });

  it('rejects a batch larger than 1,000 events by count', async () => {
    const app2 = await startTestApp();
    try {
      const events = Array.from({ length: 1001 }, () => ({ type: 'login', customerId: 'victim' }));
      const response = await app2.call('POST', '/events', { as: 'ingest', json: { events } });
      expect(response.status).toBe(400);
      expect(paths(response.json)).toContain('body.events');
      expect(await app2.db.collection('events').countDocuments()).toBe(0);
    } finally {
      await app2.close();
    }
  });
});
