import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentLinks } from '../consent.ts';
import { startTestApp } from '../testHarness.ts';
import type { TestApp } from '../testHarness.ts';

let app: TestApp;
let log = '';
beforeAll(async () => {
  const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => ((log += chunk.toString()), done()) });
  app = await startTestApp({ logger: pino({ level: 'info' }, sink) });
});
afterAll(() => app.close());

describe('API keys', () => {
  it('shows a new key once, lists keys without secrets, and revokes', async () => {
    const created = await app.call('POST', '/api-keys', { json: { name: 'crm sync', role: 'ingest' } });
    expect(created.status).toBe(201);
    const { key, apiKey } = created.json as { key: string; apiKey: { id: string; role: string } };
    expect(apiKey.role).toBe('ingest');
    const headers = { authorization: `Bearer ${key}` };
    expect((await fetch(`${app.publicUrl}/v1/customers/x`, { method: 'PUT', headers: { ...headers, 'content-type': 'application/json' }, body: '{}' })).status).toBe(201);

    const listed = await app.call('GET', '/api-keys');
    expect(listed.text).not.toContain(key);
    expect(listed.text).not.toContain('hash');
    expect((listed.json as { items: { id: string }[] }).items.map((k) => k.id)).toContain(apiKey.id);

    expect((await app.call('DELETE', `/api-keys/${apiKey.id}`)).json).toMatchObject({ revokedAt: expect.any(String) });
    expect((await fetch(`${app.publicUrl}/v1/customers/x`, { headers })).status).toBe(401);
    expect((await app.call('DELETE', '/api-keys/key_nope')).status).toBe(404);
  });

  it('accepts X-Api-Key too, and refuses malformed Authorization', async () => {
    expect((await fetch(`${app.publicUrl}/v1/customers/x`, { headers: { 'x-api-key': app.keys.viewer } })).status).toBe(200);
    expect((await fetch(`${app.publicUrl}/v1/customers/x`, { headers: { authorization: `Basic ${app.keys.viewer}` } })).status).toBe(401);
  });

  it('never logs a key or a signed token, but logs which key called', async () => {
    await app.call('GET', '/customers/x', { as: 'viewer' });
    await fetch(consentLinks(app.config).unsubscribeUrl('x', 'email'));
    const token = new URL(consentLinks(app.config).unsubscribeUrl('x', 'email')).searchParams.get('token') ?? '';
    expect(log).toContain('"path":"/customers/x"');
    expect(log).toContain('"role":"viewer"');
    for (const secret of [...Object.values(app.keys), token]) expect(log).not.toContain(secret);
  });
});
