// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import i18next from 'i18next';
import { initI18n } from '../i18n/index.ts';
import { fakeApi, page } from '../console/testing/fakeApi.ts';
import { customer } from '../console/testing/fixtures.ts';
import type { DraftGraph } from '../graph/draft.ts';
import { CustomerPathPanel } from './CustomerPathPanel.tsx';

beforeEach(async () => {
  await initI18n('en');
  await i18next.changeLanguage('en');
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const graph: DraftGraph = {
  schemaVersion: 1,
  id: 'vip-care',
  name: 'VIP care',
  nodes: [
    { id: 'start', kind: 'api', position: { x: 0, y: 0 }, config: {} },
    { id: 'vip', kind: 'branch', label: 'VIP?', position: { x: 0, y: 100 }, config: { conditions: [{ id: 'vip', label: 'VIP', condition: { type: 'tag', tag: 'vip' } }] } },
    { id: 'vip-email', kind: 'email', label: 'VIP welcome', position: { x: 0, y: 200 }, config: { templateId: 'welcome' } },
    { id: 'done', kind: 'exit', position: { x: 0, y: 300 }, config: {} },
  ],
  edges: [
    { id: 'e1', source: 'start', sourceHandle: 'next', target: 'vip' },
    { id: 'e2', source: 'vip', sourceHandle: 'vip', target: 'vip-email' },
    { id: 'e3', source: 'vip-email', sourceHandle: 'sent', target: 'done' },
  ],
  settings: { defaultLocale: 'en', timezone: 'UTC', quietHours: { start: '21:00', end: '09:00' } },
};

// What the API answers for Mei (Shanghai): the VIP branch, the email at 09:00 local the next day.
const forecast = {
  journeyId: 'vip-care',
  customerId: 'mei',
  timezone: 'Asia/Shanghai',
  start: '2026-03-02T15:00:00.000Z',
  days: 30,
  entered: true,
  steps: [
    { at: '2026-03-02T15:00:00.000Z', nodeId: 'start', kind: 'api', outcome: 'next' },
    { at: '2026-03-02T15:00:00.000Z', nodeId: 'vip', kind: 'branch', label: 'VIP?', outcome: 'vip' },
    { at: '2026-03-02T15:00:00.000Z', nodeId: 'vip-email', kind: 'email', label: 'VIP welcome', outcome: 'quietHours' },
    { at: '2026-03-03T01:00:00.000Z', nodeId: 'vip-email', kind: 'email', label: 'VIP welcome', outcome: 'sent' },
    { at: '2026-03-03T01:00:00.000Z', nodeId: 'done', kind: 'exit', outcome: 'exit' },
  ],
  actions: [{ at: '2026-03-03T01:00:00.000Z', nodeId: 'vip-email', kind: 'email', label: 'VIP welcome', outcome: 'ok' }],
  completion: { at: '2026-03-03T01:00:00.000Z', reason: 'exit' },
  assumptions: ['noResponse', 'triggerNow', 'noOtherJourneys', 'sendDaysNotApplied'],
};

function pathApi() {
  return fakeApi({
    'GET /v1/customers': (c) => page(c.url.searchParams.get('q') === 'mei' ? [customer()] : []),
    'POST /v1/journeys/vip-care/forecast/customer': () => forecast,
  });
}

async function pickMei() {
  fireEvent.change(screen.getByLabelText(/Customer \(id, email or name\)|客户（ID、邮箱或姓名）/), { target: { value: 'mei' } });
  fireEvent.click(screen.getByRole('button', { name: /Find customers|查找客户/ }));
  fireEvent.click(await screen.findByRole('button', { name: /Mei Chen/ }));
  return screen.findByTestId('customer-path');
}

describe('a real customer’s path in the editor', () => {
  test('search a customer, forecast the draft for them: the branch taken and the email at 09:00 in their time zone', async () => {
    const api = pathApi();
    render(<CustomerPathPanel graph={graph} canRun />);
    const result = await pickMei();
    // The draft on the canvas is what is forecast, for the customer picked.
    const call = api.calls.find((c) => c.method === 'POST');
    expect(call?.body).toMatchObject({ customerId: 'mei', days: 30, graph: { id: 'vip-care' } });

    expect(within(result).getByRole('heading', { level: 4 }).textContent).toBe('Path of Mei Chen (times in Asia/Shanghai)');
    const actions = within(result).getByRole('list', { name: 'Messages and actions' });
    expect(within(actions).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['Mar 3, 2026, 9:00 AM · VIP welcome · sent / done']);
    const steps = within(result).getByRole('list', { name: 'Steps' });
    const lines = within(steps).getAllByRole('listitem').map((li) => li.textContent);
    expect(lines).toContain('Mar 2, 2026, 11:00 PM · VIP? · takes “VIP”');
    expect(lines.at(-1)).toBe('Mar 3, 2026, 9:00 AM · Exit · reaches an exit');
    expect(lines).toContain('Mar 2, 2026, 11:00 PM · VIP welcome · waits for quiet hours to end');
    expect(within(result).getByText(/^Ends: reaches an exit/)).toBeTruthy();
    expect(within(result).getByText(/does nothing the journey waits for/)).toBeTruthy();
  });

  test('in 简体中文', async () => {
    await i18next.changeLanguage('zh-CN');
    pathApi();
    render(<CustomerPathPanel graph={graph} canRun />);
    const result = await pickMei();
    expect(within(result).getByRole('heading', { level: 4 }).textContent).toBe('Mei Chen 的路径（时间为 Asia/Shanghai）');
    const actions = within(result).getByRole('list', { name: '消息与动作' });
    expect(within(actions).getAllByRole('listitem')[0]?.textContent).toMatch(/2026年3月3日.*09:00 · VIP welcome · 已发送 \/ 完成/);
    expect(within(result).getByText('客户不做旅程所等待的任何事（不购买、不打开、不点击）：所有等待事件都会超时。')).toBeTruthy();
  });

  test('no match, and a draft with problems cannot be forecast', async () => {
    pathApi();
    render(<CustomerPathPanel graph={graph} canRun={false} />);
    fireEvent.change(screen.getByLabelText('Customer (id, email or name)'), { target: { value: 'zed' } });
    fireEvent.click(screen.getByRole('button', { name: 'Find customers' }));
    expect(await screen.findByText('No customer matches.')).toBeTruthy();
    expect(screen.getByText('Fix the problems first.')).toBeTruthy();
  });
});
