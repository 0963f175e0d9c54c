import SwaggerParser from '@apidevtools/swagger-parser';
import { Validator } from '@seriousme/openapi-schema-validator';
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

  it('checks time zones, locales, phones and emails by one definition, naming each field and storing nothing', async () => {
    const bad = { timezone: '0', locale: '00', phone: '555-0100', email: `${'a'.repeat(65)}@example.com`, birthday: '2001-02-29' };
    const response = await app.call('PUT', '/customers/c-formats', { as: 'ingest', json: bad });
    expect(response.status).toBe(400);
    const paths = (response.json as { errors: { path: string }[] }).errors.map((e) => e.path).sort();
    expect(paths).toEqual(['body.birthday', 'body.email', 'body.locale', 'body.phone', 'body.timezone']);
    expect((await app.call('GET', '/customers/c-formats')).status).toBe(404);

    const good = { timezone: 'Asia/Kolkata', locale: 'zh-Hans-CN', phone: '+8613800138000', email: 'ana.maria.silva@mail.example.com', birthday: '2000-02-29' };
    const created = await app.call('PUT', '/customers/c-formats', { as: 'ingest', json: good });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject(good);
  });

  it('answers a known path with another method 405 and the methods it has', async () => {
    const response = await app.call('PATCH', '/customers/c-1');
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD, PUT, DELETE, OPTIONS');
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const options = await app.call('OPTIONS', '/customers/c-1', { as: null });
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('GET, HEAD, PUT, DELETE, OPTIONS');
  });

  it('sends security headers with a Content-Security-Policy', async () => {
    const response = await app.call('GET', '/health', { as: null });
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
  });

  it('serves an OpenAPI 3.1 document that validates and covers every route', async () => {
    const response = await app.call('GET', '/openapi.json', { as: null });
    expect(response.status).toBe(200);
    const document = response.json as { openapi: string; paths: Record<string, Record<string, { operationId: string }>> };
    expect(document.openapi).toBe('3.1.0');
    // validate() dereferences in place: hand it a copy.
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeTruthy();
    // The OpenAPI 3.1 schema and its JSON Schema 2020-12 dialect, as published by the OpenAPI Initiative.
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document) as never);
    expect(result.errors ?? []).toEqual([]);
    expect(validator.version).toBe('3.1');
    const operations = Object.values(document.paths).flatMap((methods) => Object.values(methods).map((op) => op.operationId));
    expect(operations.sort()).toEqual(routeTable.map((r) => r.operationId).sort());
  });

  it('serves the browsable reference page and its assets', async () => {
    const page = await app.call('GET', '/docs', { as: null });
    expect(page.status).toBe(200);
    expect(page.text).toContain('swagger-ui-bundle.js');
    const script = await fetch(`${app.publicUrl}/v1/docs/assets/swagger-ui-bundle.js`);
    expect(script.status).toBe(200);
    const init = await fetch(`${app.publicUrl}/v1/docs/init.js`);
    expect(await init.text()).toContain('SwaggerUIBundle');
  });
});
