// Publishing with the customers in flight: the migration plan from the run records, refused
// mappings (422 naming the step, nothing published), the publish that starts the move, rollback
// and who published what. The runs themselves move on Temporal (workflows/migration.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JourneyGraph } from '../../journey/index.ts';
import { recordRun } from '../../store/runs.ts';
import { emailTemplate } from '../fixtures.ts';
import { startTestApp } from '../testHarness.ts';
import type { TestApp } from '../testHarness.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await app.call('POST', '/templates', { as: 'marketer', json: emailTemplate('hello') });
});
afterAll(() => app.close());

type Problem = { status: number; errors: { path: string; code?: string; nodeId?: string | null; message: string }[] };
const wait = (amount: number) => ({ mode: 'duration', duration: { amount, unit: 'days' } });

/** api trigger → email `send` (“Send it”) → the given waits in a line → exit. */
function journey(waits: Array<{ id: string; kind?: 'wait' | 'waitForEvent'; config?: Record<string, unknown> }>): JourneyGraph {
  const steps = [
    { id: 'trigger', kind: 'api', config: {}, exit: 'next' },
    { id: 'send', kind: 'email', config: { templateId: 'hello' }, label: 'Send it', exit: 'sent' },
    ...waits.map((w) => ({ id: w.id, kind: w.kind ?? 'wait', config: w.config ?? wait(3), exit: w.kind === 'waitForEvent' ? 'event' : 'next' })),
    { id: 'done', kind: 'exit', config: {}, exit: '' },
  ];
  const nodes = steps.map(({ exit: _exit, ...s }, i) => ({ ...s, position: { x: 0, y: i * 100 } }));
  const edges = steps.slice(0, -1).flatMap((s, i) => {
    const next = steps[i + 1]?.id ?? 'done';
    const timeout = s.kind === 'waitForEvent' ? [{ id: `t${i}`, source: s.id, sourceHandle: 'timeout', target: next }] : [];
    return [{ id: `e${i}`, source: s.id, sourceHandle: s.exit, target: next }, ...timeout];
  });
  return JourneyGraph.parse({ schemaVersion: 1, id: 'live-fix', name: 'Live fix', nodes, edges, settings: {} });
}

async function waitingRun(customerId: string, version: number, nodeId: string, status: 'running' | 'completed' = 'running') {
  const at = new Date().toISOString();
  await recordRun(app.db, {
    runKey: `journey/live-fix/${customerId}#1`,
    workflowId: `journey/live-fix/${customerId}`,
    journeyId: 'live-fix',
    version,
    customerId,
    status,
    nodeId: status === 'running' ? nodeId : null,
    waitingFor: [],
    variables: {},
    visited: ['trigger', 'send', nodeId],
    history: [],
    startedAt: at,
    since: at,
    first: true,
    at,
  });
}

describe('moving customers in flight to a new version', () => {
  it('plans per step from the run records: a kept step keeps its customers, a removed one needs a target', async () => {
    expect((await app.call('POST', '/journeys', { as: 'marketer', json: journey([{ id: 'nudge' }, { id: 'cool-off', config: wait(7) }]) })).status).toBe(201);
    expect((await app.call('POST', '/journeys/live-fix/publish', { as: 'marketer', json: { note: 'first' } })).status).toBe(201);
    await waitingRun('c-1', 1, 'nudge');
    await waitingRun('c-2', 1, 'nudge');
    await waitingRun('c-3', 1, 'cool-off');
    await waitingRun('c-4', 1, 'nudge', 'completed');
    const v2 = journey([{ id: 'short', config: wait(1) }, { id: 'cool-off', config: wait(7) }, { id: 'order', kind: 'waitForEvent', config: { eventType: 'order_completed', timeout: { amount: 2, unit: 'days' } } }]);
    expect((await app.call('PUT', '/journeys/live-fix/draft', { as: 'marketer', json: v2 })).status).toBe(200);

    const plan = await app.call('POST', '/journeys/live-fix/migration-plan', { as: 'marketer', json: {} });
    expect(plan.status, plan.text).toBe(200);
    expect(plan.json).toMatchObject({
      version: 2,
      ready: false,
      rows: [
        { version: 1, nodeId: 'nudge', waiting: 2, target: null, issue: { code: 'TARGET_REQUIRED', nodeId: 'nudge' } },
        { version: 1, nodeId: 'cool-off', waiting: 1, target: 'cool-off', keepsWaiting: true, issue: null },
      ],
      targets: [{ nodeId: 'short' }, { nodeId: 'cool-off' }, { nodeId: 'order' }],
    });
    const mapped = await app.call('POST', '/journeys/live-fix/migration-plan', { as: 'marketer', json: { mapping: { nudge: 'order' } } });
    expect(mapped.json).toMatchObject({ ready: true, rows: [{ nodeId: 'nudge', target: 'order', keepsWaiting: false }, { nodeId: 'cool-off' }] });
  });

  it('refuses a target where customers cannot wait, or that the new version lacks, naming the step', async () => {
    const action = await app.call('POST', '/journeys/live-fix/migration-plan', { as: 'marketer', json: { mapping: { nudge: 'send' } } });
    expect(action.status).toBe(422);
    expect(action.headers.get('content-type')).toContain('application/problem+json');
    expect((action.json as Problem).errors).toEqual([
      expect.objectContaining({ path: 'body.mapping.nudge', code: 'TARGET_CANNOT_WAIT', nodeId: 'nudge', message: expect.stringContaining('“Send it”') }),
    ]);
    const unknown = await app.call('POST', '/journeys/live-fix/migration-plan', { as: 'marketer', json: { mapping: { nudge: 'nowhere', ghost: 'short' } } });
    expect((unknown.json as Problem).errors.map((e) => [e.code, e.nodeId])).toEqual([
      ['TARGET_UNKNOWN', 'nudge'],
      ['SOURCE_UNKNOWN', 'ghost'],
    ]);
    expect((await app.call('POST', '/journeys/live-fix/migration-plan', { as: 'viewer', json: {} })).status).toBe(403);
  });

  it('publishes nothing when moving would leave customers without a step', async () => {
    const refused = await app.call('POST', '/journeys/live-fix/publish', { as: 'marketer', json: { note: 'shorter', inFlight: 'move' } });
    expect(refused.status).toBe(422);
    expect((refused.json as Problem).errors).toEqual([expect.objectContaining({ code: 'TARGET_REQUIRED', nodeId: 'nudge' })]);
    expect((await app.call('GET', '/journeys/live-fix')).json).toMatchObject({ latestVersion: 1 });
    expect(app.runtime.callsTo('startMigration')).toHaveLength(0);
  });

  it('publishes and starts the move with the mapping; the migration reports its progress', async () => {
    const published = await app.call('POST', '/journeys/live-fix/publish', { as: 'marketer', json: { note: 'shorter', inFlight: 'move', mapping: { nudge: 'short' } } });
    expect(published.status, published.text).toBe(201);
    expect(published.json).toMatchObject({ version: 2, publishedBy: 'marketer key', publisherRole: 'marketer', migrationId: 'live-fix-v2' });
    expect(app.runtime.callsTo('startMigration')).toEqual([[expect.objectContaining({ migrationId: 'live-fix-v2', mapping: { nudge: 'short' }, journey: expect.objectContaining({ version: 2 }) })]]);
    const progress = await app.call('GET', '/journeys/live-fix/migrations/live-fix-v2', { as: 'viewer' });
    expect(progress.json).toMatchObject({ version: 2, status: 'running', requestedBy: 'marketer key', mapping: { nudge: 'short' }, signalled: 0, moved: 0, skipped: {} });
    expect((await app.call('GET', '/journeys/live-fix/migrations/other-v9', { as: 'viewer' })).status).toBe(404);
  });

  it('rolls back by publishing an earlier version again, and lists who published each', async () => {
    const rollback = await app.call('POST', '/journeys/live-fix/publish', { as: 'admin', json: { note: 'back to v1', from: 1 } });
    expect(rollback.status, rollback.text).toBe(201);
    expect(rollback.json).toMatchObject({ version: 3, rollbackOf: 1, publishedBy: 'admin key', publisherRole: 'admin' });
    expect((rollback.json as { migrationId?: string }).migrationId).toBeUndefined();
    expect((await app.call('GET', '/journeys/live-fix/diff?from=1&to=3', { as: 'viewer' })).json).toMatchObject({ added: [], removed: [], changed: [] });
    const versions = (await app.call('GET', '/journeys/live-fix/versions', { as: 'viewer' })).json as { items: Array<Record<string, unknown>> };
    expect(versions.items.map((v) => [v['version'], v['publishedBy'], v['publisherRole'], v['rollbackOf'] ?? null])).toEqual([
      [3, 'admin key', 'admin', 1],
      [2, 'marketer key', 'marketer', null],
      [1, 'marketer key', 'marketer', null],
    ]);
    expect((await app.call('POST', '/journeys/live-fix/publish', { as: 'marketer', json: { note: 'nope', from: 9 } })).status).toBe(404);
  });
});
