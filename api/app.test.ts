import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTable } from './app.ts';
import { startTestApp } from './testHarness.ts';
import type { TestApp } from './testHarness.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe('the API shell', () => {
  it('reports health without a key, 503 when a service is down', async () => {
    const up = await app.call('GET', '/health', { as: null });
    expect(up.status).toBe(200);
    expect(up.json).toEqual({ ok: true, services: { mongo: { ok: true } } });

    const down = await startTestApp({ health: async () => ({ ok: false, services: { temporal: { ok: false, detail: 'unreachable' } } }) });
    try {
      const response = await down.call('GET', '/health', { as: null });
      expect(response.status).toBe(503);
      expect(response.json).toMatchObject({ ok: false, services: { temporal: { ok: false, detail: 'unreachable' } } });
    } finally {
      await down.close();
    }
  });

  it('answers unknown paths with a problem document', async () => {
    const response = await app.call('GET', '/no-such-thing');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.json).toMatchObject({ status: 404, title: 'Not found', detail: 'GET /v1/no-such-thing does not exist' });
  });

  it('names the field at fault in validation errors', async () => {
    const response = await app.call('PUT', '/customers/c-1', { as: 'ingest', json: { email: 'not-an-email', consent: { email: 'yes', sms: false } } });
    expect(response.status).toBe(400);
    const paths = (response.json as { errors: { path: string }[] }).errors.map((e) => e.path).sort();
    expect(paths).toEqual(['body.consent.email', 'body.email']);
  });

  it('serves an OpenAPI 3.1 document that validates and covers every route', async () => {
    const response = await app.call('GET', '/openapi.json', { as: null });
    expect(response.status).toBe(200);
    const document = response.json as { openapi: string; paths: Record<string, Record<string, { operationId: string }>> };
    expect(document.openapi).toBe('3.1.0');
    // validate() dereferences in place: hand it a copy.
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeTruthy();
    const operations = Object.values(document.paths).flatMap((methods) => Object.values(methods).map((op) => op.operationId));
    expect(operations.sort()).toEqual(routeTable.map((r) => r.operationId).sort());
  });

  it('serves the browsable reference page and its assets', async () => {
    const page = await app.call('GET', '/docs', { as: null });
    expect(page.status).toBe(200);
    expect(page.text).toContain('SwaggerUIBundle');
    const script = await fetch(`${app.publicUrl}/v1/docs/assets/swagger-ui-bundle.js`);
    expect(script.status).toBe(200);
  });
});
