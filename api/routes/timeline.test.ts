import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCoupon } from '../../store/coupons.ts';
import { insertEvent } from '../../store/events.ts';
import { recordPendingMessage } from '../../store/messages.ts';
import { createTask } from '../../store/tasks.ts';
import { startTestApp } from '../testHarness.ts';
import type { TestApp } from '../testHarness.ts';
import { stepOfKey, stepVisits } from './timeline.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const graph = {
  schemaVersion: 1,
  id: 'call-back',
  name: 'Call back',
  nodes: [
    { id: 'start', kind: 'api', position: { x: 0, y: 0 }, config: {} },
    { id: 'coupon', kind: 'coupon', label: 'Issue 20% coupon', position: { x: 0, y: 100 }, config: { offer: { type: 'percent', percent: 20 }, expiresInDays: 14, prefix: 'COMEBACK', variable: 'couponCode' } },
    { id: 'call', kind: 'task', label: 'Account manager calls', position: { x: 0, y: 200 }, config: { title: 'Call', body: 'Call them', queue: 'customer-care', assignee: 'queue', priority: 'high', dueInHours: 48 } },
    { id: 'done', kind: 'exit', position: { x: 0, y: 300 }, config: {} },
  ],
  edges: [
    { id: 'e1', source: 'start', sourceHandle: 'next', target: 'coupon' },
    { id: 'e2', source: 'coupon', sourceHandle: 'issued', target: 'call' },
    { id: 'e3', source: 'call', sourceHandle: 'created', target: 'done' },
  ],
  settings: { defaultLocale: 'en', timezone: 'UTC' },
};

type Entry = { kind: string; at: string; step?: { label?: string; journeyName: string }; task?: { id: string; status: string; outcome?: string } };

describe('customer timeline and task context', () => {
  const runId = 'journey/call-back/mei';
  let taskId = '';

  beforeAll(async () => {
    expect((await app.call('PUT', '/customers/mei', { as: 'ingest', json: { name: 'Mei', locale: 'zh-CN' } })).status).toBe(201);
    const created = await app.call('POST', '/journeys', { as: 'marketer', json: graph });
    expect(created.status, created.text).toBe(201);
    const published = await app.call('POST', '/journeys/call-back/publish', { as: 'marketer', json: { note: 'v1' } });
    expect(published.status, published.text).toBe(201);
    const t0 = Date.parse('2026-03-01T10:00:00Z');
    const at = (minutes: number) => new Date(t0 + minutes * 60_000);
    await insertEvent(app.db, { id: 'e-login', type: 'logged_in', customerId: 'mei', at: at(0).toISOString(), properties: {} }, at(0));
    await issueCoupon(app.db, { code: 'COMEBACK-MEI1', key: `${runId}:coupon:1`, customerId: 'mei', journeyId: 'call-back', offer: { type: 'percent', percent: 20 } }, at(1));
    await recordPendingMessage(app.db, { key: `${runId}:email:1`, channel: 'email', customerId: 'mei', journeyId: 'call-back', to: 'mei@example.com' }, at(2));
    const { task } = await createTask(app.db, { key: `${runId}:call:1`, customerId: 'mei', journeyId: 'call-back', queue: 'customer-care', title: 'Call Mei', priority: 'high' }, at(3));
    taskId = task.id;
    app.runtime.state.runs.push({
      journeyId: 'call-back',
      version: 1,
      customerId: 'mei',
      status: 'completed',
      nodeId: null,
      waitingFor: [],
      variables: { couponCode: 'COMEBACK-MEI1' },
      history: [
        { nodeId: 'start', at: at(1).toISOString(), exit: 'next' },
        { nodeId: 'call', at: at(3).toISOString(), exit: 'created' },
      ],
      startedAt: at(1).toISOString(),
    });
  });

  it('merges events, named journey steps, messages, coupons and tasks, newest first', async () => {
    const response = await app.call('GET', '/customers/mei/timeline', { as: 'viewer' });
    expect(response.status, response.text).toBe(200);
    const body = response.json as { entries: Entry[]; truncated: boolean };
    expect(body.entries.map((e) => e.kind)).toEqual(['step', 'task', 'message', 'coupon', 'step', 'event']);
    expect(body.entries[0]?.step).toMatchObject({ label: 'Account manager calls', journeyName: 'Call back' });
    expect(body.truncated).toBe(false);

    const short = (await app.call('GET', '/customers/mei/timeline?limit=2', { as: 'viewer' })).json as { entries: Entry[]; truncated: boolean };
    expect(short.entries).toHaveLength(2);
    expect(short.truncated).toBe(true);
    expect((await app.call('GET', '/customers/nobody/timeline')).status).toBe(404);
  });

  it('shows a completed task on the timeline with its outcome', async () => {
    const done = await app.call('POST', `/tasks/${taskId}/complete`, { as: 'operator', json: { outcome: 'reached_will_buy' } });
    expect(done.status, done.text).toBe(200);
    const body = (await app.call('GET', '/customers/mei/timeline', { as: 'viewer' })).json as { entries: Entry[] };
    expect(body.entries.find((e) => e.kind === 'task')?.task).toMatchObject({ id: taskId, status: 'done', outcome: 'reached_will_buy' });
    expect(body.entries.some((e) => e.kind === 'event' && JSON.stringify(e).includes('task_completed'))).toBe(true);
  });

  it('gives a task its customer, the step that opened it and the coupon sent', async () => {
    const response = await app.call('GET', `/tasks/${taskId}/context`, { as: 'operator' });
    expect(response.status, response.text).toBe(200);
    expect(response.json).toMatchObject({
      task: { id: taskId, customerId: 'mei' },
      customer: { id: 'mei', name: 'Mei', computed: { stage: expect.any(String) } },
      step: { journeyId: 'call-back', nodeId: 'call', label: 'Account manager calls', kind: 'task', version: 1 },
      coupon: { code: 'COMEBACK-MEI1', offer: { type: 'percent', percent: 20 } },
      run: { journeyId: 'call-back', status: 'completed' },
    });
    expect((await app.call('GET', '/tasks/task_nope/context')).status).toBe(404);
  });

  it('shows one line per visit of a step', () => {
    const h = (nodeId: string, exit?: string) => ({ nodeId, at: '2026-03-01T10:00:00.000Z', ...(exit ? { exit } : {}) });
    expect(stepVisits([h('wait'), h('wait', 'waiting'), h('wait', 'timeout'), h('sms'), h('sms', 'sent'), h('wait'), h('wait', 'waiting')])).toEqual([
      h('wait', 'timeout'),
      h('sms', 'sent'),
      h('wait', 'waiting'),
    ]);
  });

  it('reads the step out of side-effect keys', () => {
    expect(stepOfKey('journey/win-back/c:42:call-task:1')).toEqual({ nodeId: 'call-task' });
    expect(stepOfKey('journey/birthday/c-1/2026:gift:2')).toEqual({ nodeId: 'gift' });
    expect(stepOfKey('manual-task-7')).toBeNull();
  });
});
