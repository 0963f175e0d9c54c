import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localParts } from '../../journey/timezone.ts';
import { loadBuiltinTemplates } from '../../store/builtins.ts';
import { putTemplate } from '../../store/templates.ts';
import { startTestApp } from '../testHarness.ts';
import type { TestApp } from '../testHarness.ts';

// 23:00 in Shanghai: the first send falls in quiet hours (21:00–09:00) and waits for 09:00.
const now = Date.parse('2026-03-02T15:00:00Z');

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ clock: () => new Date(now) });
});
afterAll(() => app.close());

const at = (y: number) => ({ x: 0, y });
const graph = {
  schemaVersion: 1,
  id: 'vip-care',
  name: 'VIP care',
  nodes: [
    { id: 'start', kind: 'api', position: at(0), config: {} },
    { id: 'vip', kind: 'branch', label: 'VIP?', position: at(100), config: { conditions: [{ id: 'vip', label: 'VIP', condition: { type: 'tag', tag: 'vip' } }] } },
    { id: 'vip-email', kind: 'email', label: 'VIP welcome', position: at(200), config: { templateId: 'welcome' } },
    { id: 'pause', kind: 'wait', position: at(300), config: { mode: 'duration', duration: { amount: 2, unit: 'days' } } },
    { id: 'vip-sms', kind: 'sms', label: 'VIP reminder', position: at(400), config: { templateId: 'winback-reminder' } },
    { id: 'plain-email', kind: 'email', label: 'Tips', position: at(500), config: { templateId: 'welcome-tips' } },
    { id: 'done', kind: 'exit', position: at(600), config: {} },
  ],
  edges: [
    { id: 'e1', source: 'start', sourceHandle: 'next', target: 'vip' },
    { id: 'e2', source: 'vip', sourceHandle: 'vip', target: 'vip-email' },
    { id: 'e3', source: 'vip', sourceHandle: 'else', target: 'plain-email' },
    { id: 'e4', source: 'vip-email', sourceHandle: 'sent', target: 'pause' },
    { id: 'e5', source: 'pause', sourceHandle: 'next', target: 'vip-sms' },
    { id: 'e6', source: 'vip-sms', sourceHandle: 'sent', target: 'done' },
    { id: 'e7', source: 'plain-email', sourceHandle: 'sent', target: 'done' },
  ],
  settings: { defaultLocale: 'en', timezone: 'UTC', quietHours: { start: '21:00', end: '09:00' } },
};

type Forecast = {
  entered: boolean;
  timezone: string;
  start: string;
  steps: Array<{ nodeId: string; outcome: string; label?: string }>;
  actions: Array<{ at: string; nodeId: string; kind: string; outcome: string; label?: string }>;
  completion?: { reason: string };
  assumptions: string[];
};

describe('POST /v1/journeys/{id}/forecast/customer', () => {
  beforeAll(async () => {
    for (const template of loadBuiltinTemplates()) await putTemplate(app.db, template, new Date(now));
    expect((await app.call('POST', '/journeys', { as: 'marketer', json: graph })).status).toBe(201);
    const vip = { name: 'Mei', email: 'mei@example.test', phone: '+8613800138000', timezone: 'Asia/Shanghai', tags: ['vip'], consent: { email: true, sms: true } };
    expect((await app.call('PUT', '/customers/mei', { as: 'ingest', json: vip })).status).toBe(201);
    const plain = { name: 'Bo', email: 'bo@example.test', timezone: 'Asia/Shanghai', consent: { email: true } };
    expect((await app.call('PUT', '/customers/bo', { as: 'ingest', json: plain })).status).toBe(201);
  });

  it('a VIP takes the VIP branch: the welcome waits for 09:00 in Shanghai, the SMS follows two days later, also inside the allowed hours', async () => {
    const response = await app.call('POST', '/journeys/vip-care/forecast/customer', { as: 'viewer', json: { customerId: 'mei' } });
    expect(response.status, response.text).toBe(200);
    const path = response.json as Forecast;
    expect(path).toMatchObject({ entered: true, timezone: 'Asia/Shanghai', start: new Date(now).toISOString(), completion: { reason: 'exit' } });
    expect(path.steps.filter((s) => s.nodeId === 'vip').at(-1)).toMatchObject({ outcome: 'vip', label: 'VIP?' });
    expect(path.steps.some((s) => s.nodeId === 'vip-email' && s.outcome === 'quietHours')).toBe(true);
    expect(path.actions.map((a) => [a.nodeId, a.outcome])).toEqual([
      ['vip-email', 'ok'],
      ['vip-sms', 'ok'],
    ]);
    const [email, sms] = path.actions;
    // 09:00 on 3 March in Shanghai, not 23:00 on the 2nd.
    expect(email?.at).toBe('2026-03-03T01:00:00.000Z');
    expect(email?.label).toBe('VIP welcome');
    expect(Date.parse(sms?.at ?? '') - Date.parse(email?.at ?? '')).toBe(2 * 86_400_000);
    for (const action of path.actions) {
      const { hour } = localParts(Date.parse(action.at), 'Asia/Shanghai');
      expect(hour >= 9 && hour < 21, `${action.nodeId} at ${action.at}`).toBe(true);
    }
    expect(path.assumptions).toContain('noResponse');
  });

  it('a customer without the tag takes the else branch and gets only the tips email', async () => {
    const response = await app.call('POST', '/journeys/vip-care/forecast/customer', { as: 'marketer', json: { customerId: 'bo', days: 7 } });
    expect(response.status, response.text).toBe(200);
    const path = response.json as Forecast;
    expect(path.steps.filter((s) => s.nodeId === 'vip').at(-1)).toMatchObject({ outcome: 'else' });
    expect(path.actions.map((a) => a.nodeId)).toEqual(['plain-email']);
  });

  it('follows the unsaved graph the editor sends, and names what is missing', async () => {
    const edited = structuredClone(graph);
    edited.nodes[1] = { ...edited.nodes[1], config: { conditions: [{ id: 'vip', label: 'VIP', condition: { type: 'tag', tag: 'nobody-has-this' } }] } } as (typeof edited.nodes)[number];
    const response = await app.call('POST', '/journeys/vip-care/forecast/customer', { as: 'marketer', json: { customerId: 'mei', graph: edited } });
    expect((response.json as Forecast).actions.map((a) => a.nodeId)).toEqual(['plain-email']);

    const unknown = await app.call('POST', '/journeys/vip-care/forecast/customer', { as: 'marketer', json: { customerId: 'nobody' } });
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('customer nobody');
    const bad = await app.call('POST', '/journeys/vip-care/forecast/customer', { as: 'marketer', json: { customerId: 'mei', days: 0 } });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('days');
  });
});
