// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import i18next from 'i18next';
import { initI18n } from '../../i18n/index.ts';
import { fakeApi, page } from '../testing/fakeApi.ts';
import { iso, now, task, taskContext } from '../testing/fixtures.ts';
import { TaskInbox } from './TaskInbox.tsx';

beforeEach(async () => {
  await initI18n('en');
  await i18next.changeLanguage('en');
  localStorage.clear();
  localStorage.setItem('waymark.operatorName', 'Li Na');
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const overdue = task({ id: 'task_late', title: 'Call back Zhang Wei', customerId: 'zhang', priority: 'normal', dueAt: iso(-5) });
const fresh = task({ id: 'task_1', title: 'Win-back call: Mei' });

function inboxApi() {
  let state: Record<string, unknown> = { ...fresh };
  return fakeApi({
    'GET /v1/tasks': (c) => (c.url.searchParams.get('status') === 'claimed' ? page([]) : page([state, overdue])),
    'GET /v1/tasks/:id/context': () => taskContext(state),
    'POST /v1/tasks/:id/claim': (c) => (state = { ...state, status: 'claimed', assignee: String((c.body as { assignee: string }).assignee) }),
    'POST /v1/tasks/:id/complete': (c) => (state = { ...state, status: 'done', outcome: String((c.body as { outcome: string }).outcome) }),
  });
}

describe('the task inbox', () => {
  test('lists overdue tasks first and marks them', async () => {
    inboxApi();
    render(<TaskInbox now={() => now} />);
    const rows = await screen.findAllByTestId('task-row');
    expect(rows.map((r) => r.getAttribute('data-overdue'))).toEqual(['true', 'false']);
    expect(rows[0]?.textContent).toContain('Call back Zhang Wei');
    expect(rows[0]?.textContent).toMatch(/Overdue/);
    expect(screen.getByText(/^2 tasks/)).toBeTruthy();
    expect(screen.getByText('1 overdue')).toBeTruthy();
  });

  test('filters go to the API as query parameters', async () => {
    const api = inboxApi();
    render(<TaskInbox now={() => now} />);
    await screen.findAllByTestId('task-row');
    fireEvent.change(screen.getByLabelText('Priority'), { target: { value: 'urgent' } });
    fireEvent.change(screen.getByLabelText('Due'), { target: { value: 'overdue' } });
    await waitFor(() => {
      const last = api.callsTo('GET', '/v1/tasks').at(-1);
      expect(last?.url.searchParams.get('priority')).toBe('urgent');
      expect(last?.url.searchParams.get('dueBefore')).toBe(new Date(now).toISOString());
    });
    fireEvent.change(screen.getByLabelText('Assignee'), { target: { value: 'Li Na' } });
    await waitFor(() => expect(api.callsTo('GET', '/v1/tasks').at(-1)?.url.searchParams.get('assignee')).toBe('Li Na'));
  });

  test('a chosen task shows the customer’s context: stage, RFM, CLV, last purchase, journey step and coupon', async () => {
    inboxApi();
    render(<TaskInbox now={() => now} />);
    fireEvent.click((await screen.findAllByTestId('task-row'))[1]!);
    const detail = await screen.findByTestId('task-detail');
    await within(detail).findByText('Customer context');
    expect(detail?.textContent).toContain('Dormant');
    expect(detail?.textContent).toContain('Can’t lose them');
    expect(detail?.textContent).toContain('R1 F5 M5');
    expect(detail?.textContent).toContain('$1,830.00 (predicted $2,400.00)');
    expect(detail?.textContent).toContain('Mar 2, 2026');
    expect(detail?.textContent).toContain('Win-back · Account manager calls');
    expect(detail?.textContent).toContain('COMEBACK-7KQ2M9 · 20% off · not used yet');
  });

  test('claim, then complete with an outcome and a note', async () => {
    const api = inboxApi();
    render(<TaskInbox now={() => now} />);
    fireEvent.click((await screen.findAllByTestId('task-row'))[1]!);
    fireEvent.click(await screen.findByRole('button', { name: 'Claim' }));
    await waitFor(() => expect(api.callsTo('POST', '/v1/tasks/task_1/claim')[0]?.body).toEqual({ assignee: 'Li Na' }));
    await screen.findByText('Claimed by Li Na');
    fireEvent.click(screen.getByLabelText('Reached — will buy'));
    fireEvent.change(screen.getByLabelText('Note (optional)'), { target: { value: 'Orders on Friday' } });
    fireEvent.click(screen.getByRole('button', { name: 'Complete task' }));
    await waitFor(() => expect(api.callsTo('POST', '/v1/tasks/task_1/complete')[0]?.body).toEqual({ outcome: 'reached_will_buy', assignee: 'Li Na', note: 'Orders on Friday' }));
    expect((await screen.findByTestId('task-outcome')).textContent).toContain('Completed: Reached — will buy');
  });

  test('a task someone else holds cannot be completed here', async () => {
    fakeApi({
      'GET /v1/tasks': () => page([task({ status: 'claimed', assignee: 'Wang Fang' })]),
      'GET /v1/tasks/:id/context': () => taskContext(task({ status: 'claimed', assignee: 'Wang Fang' })),
    });
    render(<TaskInbox now={() => now} />);
    fireEvent.click((await screen.findAllByTestId('task-row'))[0]!);
    await screen.findByText('Wang Fang holds this task; only they can complete it.');
    expect(screen.getByRole('button', { name: 'Complete task' })).toHaveProperty('disabled', true);
  });

  test('speaks Simplified Chinese, with dates and money in Chinese formats', async () => {
    await i18next.changeLanguage('zh-CN');
    inboxApi();
    render(<TaskInbox now={() => now} />);
    expect(await screen.findByRole('heading', { name: '任务收件箱' })).toBeTruthy();
    fireEvent.click((await screen.findAllByTestId('task-row'))[1]!);
    const detail = await screen.findByTestId('task-detail');
    await within(detail).findByText('客户背景');
    expect(detail?.textContent).toContain('沉睡');
    expect(detail?.textContent).toContain('2026年3月2日');
    expect(detail?.textContent).toContain('US$1,830.00');
    expect(screen.getByLabelText('已联系上——会购买')).toBeTruthy();
  });
});
