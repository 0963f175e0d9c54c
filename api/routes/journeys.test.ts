import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailTemplate, simpleGraph, triggers } from '../fixtures.ts';
import { startTestApp } from '../testHarness.ts';
import type { TestApp } from '../testHarness.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

type Problem = { status: number; errors: { path: string; code?: string; nodeId?: string | null }[] };

describe('journey drafts, compile and publish', () => {
  const draft = simpleGraph('welcome-test', triggers.event('signed_up'), 'hello');

  it('saves a draft that does not compile yet, and reports its errors by step', async () => {
    expect((await app.call('POST', '/journeys', { as: 'marketer', json: draft })).status).toBe(201);
    expect((await app.call('POST', '/journeys', { as: 'marketer', json: draft })).status).toBe(409);
    const compiled = await app.call('POST', '/journeys/welcome-test/compile', { as: 'marketer', json: {} });
    expect(compiled.status).toBe(200);
    expect(compiled.json).toMatchObject({ ok: false, byNode: { send: [{ code: 'TEMPLATE_NOT_FOUND', nodeId: 'send' }] } });
  });

  it('refuses to publish a draft with errors, naming the step', async () => {
    const refused = await app.call('POST', '/journeys/welcome-test/publish', { as: 'marketer', json: { note: 'first' } });
    expect(refused.status).toBe(409);
    expect((refused.json as Problem).errors).toContainEqual(expect.objectContaining({ code: 'TEMPLATE_NOT_FOUND', nodeId: 'send', path: 'draft.nodes[1].config.templateId' }));
    expect((await app.call('GET', '/journeys/welcome-test')).json).toMatchObject({ status: 'draft', latestVersion: 0 });
  });

  it('publishes immutable versions with notes and diffs them', async () => {
    await app.call('POST', '/templates', { as: 'marketer', json: emailTemplate('hello') });
    await app.call('POST', '/templates', { as: 'marketer', json: emailTemplate('hello-v2') });
    const v1 = await app.call('POST', '/journeys/welcome-test/publish', { as: 'marketer', json: { note: 'first' } });
    expect(v1.status, v1.text).toBe(201);
    expect(v1.json).toMatchObject({ journeyId: 'welcome-test', version: 1, note: 'first', publishedBy: 'marketer key', definition: { entryNodeId: 'trigger' } });

    const changed = simpleGraph('welcome-test', triggers.event('signed_up'), 'hello-v2');
    expect((await app.call('PUT', '/journeys/welcome-test/draft', { as: 'marketer', json: changed })).status).toBe(200);
    expect((await app.call('POST', '/journeys/welcome-test/compile', { as: 'marketer', json: { graph: changed } })).json).toMatchObject({ ok: true });
    expect((await app.call('POST', '/journeys/welcome-test/publish', { as: 'marketer', json: { note: 'new copy' } })).json).toMatchObject({ version: 2 });

    const versions = (await app.call('GET', '/journeys/welcome-test/versions', { as: 'viewer' })).json as { items: { version: number; note: string }[] };
    expect(versions.items.map((v) => [v.version, v.note])).toEqual([[2, 'new copy'], [1, 'first']]);
    expect((await app.call('GET', '/journeys/welcome-test/versions/1', { as: 'viewer' })).json).toMatchObject({ graph: { nodes: expect.arrayContaining([expect.objectContaining({ config: { templateId: 'hello' } })]) } });
    const diff = await app.call('GET', '/journeys/welcome-test/diff?from=1&to=2', { as: 'viewer' });
    expect(diff.json).toEqual({ from: 1, to: 2, added: [], removed: [], changed: ['send'], settingsChanged: false });
    expect((await app.call('GET', '/journeys/welcome-test/diff?from=1&to=9', { as: 'viewer' })).status).toBe(404);
  });

  it('refuses a draft for another journey id', async () => {
    const other = simpleGraph('someone-else', triggers.api());
    const response = await app.call('PUT', '/journeys/welcome-test/draft', { as: 'marketer', json: other });
    expect(response.status).toBe(409);
    expect(response.json).toMatchObject({ errors: [{ path: 'body.id' }] });
  });

  it('pauses, resumes and archives; an archived journey takes no drafts or publishes', async () => {
    expect((await app.call('POST', '/journeys/welcome-test/resume', { as: 'marketer' })).status).toBe(409);
    expect((await app.call('POST', '/journeys/welcome-test/pause', { as: 'marketer' })).json).toMatchObject({ status: 'paused' });
    expect((await app.call('POST', '/journeys/welcome-test/resume', { as: 'marketer' })).json).toMatchObject({ status: 'published' });
    expect((await app.call('POST', '/journeys/welcome-test/archive', { as: 'marketer' })).json).toMatchObject({ status: 'archived' });
    expect((await app.call('PUT', '/journeys/welcome-test/draft', { as: 'marketer', json: draft })).status).toBe(409);
    expect((await app.call('POST', '/journeys/welcome-test/publish', { as: 'marketer', json: { note: 'x' } })).status).toBe(409);
    const list = (await app.call('GET', '/journeys?status=archived', { as: 'viewer' })).json as { items: { id: string; draft?: unknown }[] };
    expect(list.items.map((j) => j.id)).toEqual(['welcome-test']);
    expect(list.items[0]?.draft).toBeUndefined();
  });
});

describe('journeys at run time', () => {
  beforeAll(async () => {
    await app.call('POST', '/journeys', { as: 'marketer', json: simpleGraph('by-api', triggers.api()) });
    await app.call('POST', '/journeys/by-api/publish', { as: 'marketer', json: { note: 'v1' } });
    await app.call('PUT', '/customers/c-7', { as: 'ingest', json: {} });
  });

  it('starts an API-triggered journey for a customer', async () => {
    const started = await app.call('POST', '/journeys/by-api/runs', { as: 'operator', json: { customerId: 'c-7' } });
    expect(started.status).toBe(202);
    expect(started.json).toEqual({ started: true, version: 1 });
    expect(app.runtime.callsTo('startJourney')[0]?.[0]).toMatchObject({ journey: { journeyId: 'by-api', version: 1 }, customer: { id: 'c-7' } });
    expect((await app.call('POST', '/journeys/by-api/runs', { as: 'operator', json: { customerId: 'ghost' } })).status).toBe(404);
  });

  it('reports per-step numbers, who is at a step, and one customer’s run', async () => {
    app.runtime.state.stats.set('by-api', [{ nodeId: 'trigger', entered: 3, waiting: 0, exited: 0, converted: 0 }, { nodeId: 'done', entered: 3, waiting: 0, exited: 3, converted: 1 }]);
    app.runtime.state.occupants.set('by-api/done', [1, 2, 3].map((i) => ({ customerId: `c-${i}`, version: 1, since: '2025-01-01T00:00:00.000Z' })));
    app.runtime.state.runs.push({ journeyId: 'by-api', version: 1, customerId: 'c-7', status: 'running', nodeId: 'done', waitingFor: [], variables: {}, history: [], startedAt: '2025-01-01T00:00:00.000Z' });
    expect((await app.call('GET', '/journeys/by-api/stats', { as: 'viewer' })).json).toMatchObject({ nodes: [{ nodeId: 'trigger', entered: 3 }, { nodeId: 'done', converted: 1 }] });
    const first = (await app.call('GET', '/journeys/by-api/nodes/done/customers?limit=2', { as: 'viewer' })).json as { items: { customerId: string }[]; nextCursor: string };
    expect(first.items.map((o) => o.customerId)).toEqual(['c-1', 'c-2']);
    const rest = (await app.call('GET', `/journeys/by-api/nodes/done/customers?limit=2&cursor=${first.nextCursor}`, { as: 'viewer' })).json;
    expect(rest).toMatchObject({ items: [{ customerId: 'c-3' }], nextCursor: null });
    expect((await app.call('GET', '/journeys/by-api/customers/c-7', { as: 'viewer' })).json).toMatchObject({ nodeId: 'done', status: 'running' });
    expect((await app.call('GET', '/journeys/by-api/customers/c-8', { as: 'viewer' })).status).toBe(404);
    expect((await app.call('DELETE', '/journeys/by-api/customers/c-7', { as: 'operator' })).status).toBe(204);
    expect(app.runtime.callsTo('removeFromJourney')).toContainEqual(['by-api', 'c-7']);
    expect((await app.call('GET', '/journeys/nope/stats', { as: 'viewer' })).status).toBe(404);
  });
});
