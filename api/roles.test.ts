import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowedRoles, routeTable } from './app.ts';
import { allRoles } from './auth.ts';
import type { Role, Route } from './route.ts';
import { startTestApp } from './testHarness.ts';
import type { TestApp } from './testHarness.ts';

/**
 * The role matrix: every route of the table the app mounts, called with every role's key.
 * A role the route does not allow must get 403 before anything else happens; an allowed role
 * must get past authorization (any answer but 401/403-forbidden: a 400 or 404 for the dummy
 * input is fine).
 */

const sampleParams: Record<string, string> = { id: 'role-matrix', version: '1', nodeId: 'n1', customerId: 'c-1', code: 'NOPE-1' };

function requestFor(route: Route): { path: string; init: { json?: unknown; body?: string; headers?: Record<string, string> } } {
  const path = route.path.replace(/:([A-Za-z]+)/g, (_, name: string) => sampleParams[name] ?? 'x');
  if (route.bodyType === 'stream') return { path, init: { body: 'id\n', headers: { 'content-type': route.streamTypes?.[0] ?? 'text/csv' } } };
  if (route.bodyType === 'form') return { path, init: { body: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } } };
  if (route.body !== undefined) return { path, init: { json: {} } };
  return { path, init: {} };
}

const isForbidden = (status: number, json: unknown) =>
  status === 403 && typeof json === 'object' && json !== null && 'type' in json && String(json.type).endsWith('/forbidden');

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe('role matrix', () => {
  const cases = routeTable.flatMap((route) => allRoles.map((role) => ({ route, role })));

  it.each(cases)('$route.method $route.path as $role', async ({ route, role }) => {
    const { path, init } = requestFor(route);
    const response = await app.call(route.method.toUpperCase(), path, { ...init, as: role });
    const allowed = allowedRoles(route).includes(role) || route.access === 'public';
    if (allowed) {
      expect(response.status, response.text).not.toBe(401);
      expect(isForbidden(response.status, response.json), response.text).toBe(false);
    } else {
      expect(response.status, response.text).toBe(403);
      expect(isForbidden(response.status, response.json)).toBe(true);
    }
  });

  it.each(routeTable.map((route) => ({ route })))('$route.method $route.path without a key', async ({ route }) => {
    const { path, init } = requestFor(route);
    const response = await app.call(route.method.toUpperCase(), path, { ...init, as: null });
    if (route.access === 'public') expect(response.status).not.toBe(401);
    else {
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('Bearer');
    }
  });
});

describe('role policy', () => {
  const sideEffectFree = new Set(['previewTemplate', 'previewDraftTemplate', 'countAudience', 'previewSegment', 'forecastCustomerPath']);
  const can = (role: Role) => routeTable.filter((route) => route.access !== 'public' && allowedRoles(route).includes(role));

  it('lets admin call every route', () => {
    expect(routeTable.filter((r) => r.access !== 'public' && !allowedRoles(r).includes('admin'))).toEqual([]);
  });

  it('keeps viewer read-only', () => {
    expect(can('viewer').filter((r) => r.method !== 'get' && !sideEffectFree.has(r.operationId)).map((r) => r.operationId)).toEqual([]);
  });

  it('limits ingest to events and profile upserts', () => {
    expect(can('ingest').map((r) => r.operationId).sort()).toEqual(['importCustomers', 'importEvents', 'sendEvents', 'upsertCustomer']);
  });

  it('lets only admin keys erase customers', () => {
    const erase = routeTable.find((r) => r.operationId === 'deleteCustomer');
    expect(erase && allowedRoles(erase)).toEqual(['admin']);
  });

  it('gives marketers journeys and templates, operators campaigns and tasks', () => {
    const writes = (role: Role) => can(role).filter((r) => r.method !== 'get' && !sideEffectFree.has(r.operationId)).map((r) => r.tag);
    expect(new Set(writes('marketer'))).toEqual(new Set(['Journeys', 'Journey runs', 'Templates', 'Lifecycle', 'Segments']));
    expect(new Set(writes('operator'))).toEqual(new Set(['Campaigns', 'CS tasks', 'Coupons', 'Journey runs', 'Lifecycle', 'Settings']));
  });

  it('keeps key management and public routes to the documented few', () => {
    expect(routeTable.filter((r) => r.tag === 'API keys').every((r) => allowedRoles(r).join() === 'admin')).toBe(true);
    expect(routeTable.filter((r) => r.access === 'public').map((r) => r.path).sort()).toEqual([
      '/consent/preferences',
      '/consent/preferences',
      '/consent/unsubscribe',
      '/consent/unsubscribe',
      '/health',
      '/webhooks/aliyun/sms-report',
      '/webhooks/aliyun/sms-up',
      '/webhooks/twilio/inbound',
      '/webhooks/twilio/status',
    ]);
  });
});
