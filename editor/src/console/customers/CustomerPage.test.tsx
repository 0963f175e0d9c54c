// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import i18next from 'i18next';
import { initI18n } from '../../i18n/index.ts';
import { fakeApi, page } from '../testing/fakeApi.ts';
import { coupon, customer, iso, now, task } from '../testing/fixtures.ts';
import { CustomerPage } from './CustomerPage.tsx';
import { CustomerSearch } from './CustomerSearch.tsx';

beforeEach(async () => {
  await initI18n('en');
  await i18next.changeLanguage('en');
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const step = { journeyId: 'win-back', journeyName: 'Win-back', version: 1, nodeId: 'email', label: 'Send win-back email', kind: 'email' };
const message = {
  id: 'msg_1',
  key: 'journey/win-back/mei:email:1',
  channel: 'email',
  customerId: 'mei',
  journeyId: 'win-back',
  templateId: 'winback-offer',
  to: 'mei@example.com',
  status: 'delivered',
  createdAt: iso(-59),
  updatedAt: iso(-58),
  history: [],
};
const timeline = {
  customerId: 'mei',
  truncated: false,
  entries: [
    { kind: 'task', at: iso(-2), task: task({ status: 'done', outcome: 'reached_will_buy', assignee: 'Li Na', completedAt: iso(-1) }) },
    { kind: 'message', at: iso(-59), message },
    { kind: 'step', at: iso(-59), step, exit: 'sent' },
    { kind: 'coupon', at: iso(-60), coupon },
    { kind: 'event', at: iso(-300), event: { id: 'e1', type: 'order_completed', customerId: 'mei', at: iso(-300), properties: { amount: 120 }, receivedAt: iso(-300) } },
  ],
};
const run: Record<string, unknown> = { journeyId: 'win-back', version: 1, customerId: 'mei', status: 'running', nodeId: 'wait-purchase', waitingFor: ['order_completed'], variables: {}, history: [], startedAt: iso(-60) };
const waitNode = { id: 'wait-purchase', kind: 'waitForEvent', label: 'Wait 7 days for a purchase', position: { x: 0, y: 0 }, config: { eventType: 'order_completed', filter: [], timeout: { amount: 7, unit: 'days' } } };
const version = {
  definition: { schemaVersion: 1, id: 'win-back', name: 'Win-back', settings: { defaultLocale: 'en', timezone: 'UTC' }, entryNodeId: 'wait-purchase', nodes: { 'wait-purchase': waitNode }, wiring: {}, trackedEvents: [] },
  journeyId: 'win-back',
  version: 1,
  note: '',
  publishedAt: iso(-900),
  publishedBy: 'admin',
  graph: { schemaVersion: 1, id: 'win-back', name: 'Win-back', nodes: [waitNode], edges: [], settings: { defaultLocale: 'en', timezone: 'UTC' } },
};

function customerApi() {
  let running = true;
  return fakeApi({
    'GET /v1/customers/mei': () => customer(),
    'GET /v1/customers/mei/timeline': () => timeline,
    'GET /v1/customers/mei/journeys': () => page(running ? [run] : [{ ...run, status: 'cancelled', nodeId: null }]),
    'GET /v1/journeys': () => page([{ id: 'win-back', name: 'Win-back', status: 'published', latestVersion: 1, createdAt: iso(-900), updatedAt: iso(-900) }]),
    'GET /v1/journeys/win-back/versions/1': () => version,
    'DELETE /v1/journeys/win-back/customers/mei': () => {
      running = false;
      return undefined;
    },
  });
}

describe('the customer page', () => {
  test('shows the profile, computed fields and one timeline of every kind', async () => {
    customerApi();
    render(<CustomerPage customerId="mei" now={() => now} />);
    expect(await screen.findByRole('heading', { name: 'Mei Chen' })).toBeTruthy();
    const list = await screen.findByTestId('timeline');
    const kinds = [...list.querySelectorAll('[data-kind]')].map((e) => e.getAttribute('data-kind'));
    expect(kinds).toEqual(['task', 'message', 'step', 'coupon', 'event']);
    expect(list.textContent).toContain('Email to mei@example.com');
    expect(list.textContent).toContain('delivered');
    expect(list.textContent).toContain('Win-back · Send win-back email');
    expect(list.textContent).toContain('COMEBACK-7KQ2M9');
    expect(list.textContent).toContain('Order completed · $120.00');
    expect(screen.getByTestId('timeline-task-outcome').textContent).toContain('Reached — will buy (Li Na)');
    expect(document.body.textContent).toContain('Can’t lose them');
  });

  test('a kind can be hidden from the timeline', async () => {
    customerApi();
    render(<CustomerPage customerId="mei" now={() => now} />);
    const list = await screen.findByTestId('timeline');
    fireEvent.click(screen.getByRole('button', { name: /^Events/ }));
    expect([...list.querySelectorAll('[data-kind]')].map((e) => e.getAttribute('data-kind'))).not.toContain('event');
  });

  test('lists the journeys the customer is in, at which step, and removes them after confirming', async () => {
    const api = customerApi();
    render(<CustomerPage customerId="mei" now={() => now} />);
    const item = await screen.findByTestId('customer-run');
    await waitFor(() => expect(item.textContent).toContain('At “Wait 7 days for a purchase”'));
    expect(item.textContent).toContain('waiting for Order completed');
    fireEvent.click(screen.getByRole('button', { name: 'Remove from journey' }));
    expect(api.callsTo('DELETE', '/v1/journeys/win-back/customers/mei')).toHaveLength(0);
    fireEvent.click(screen.getByRole('button', { name: 'Yes, remove' }));
    await waitFor(() => expect(api.callsTo('DELETE', '/v1/journeys/win-back/customers/mei')).toHaveLength(1));
    await waitFor(() => expect(screen.getByTestId('customer-run').textContent).toContain('Removed'));
  });
});

describe('customer search', () => {
  test('searches by what is typed and links to each customer', async () => {
    const api = fakeApi({ 'GET /v1/customers': (c) => page(c.url.searchParams.get('q') === 'me' ? [customer()] : []) });
    render(<CustomerSearch />);
    fireEvent.change(screen.getByRole('searchbox'), { target: { value: 'me' } });
    const link = await screen.findByRole('link', { name: 'Mei Chen' });
    expect(link.getAttribute('href')).toBe('#/customers/mei');
    expect(api.calls.some((c) => c.url.searchParams.get('q') === 'me')).toBe(true);
  });
});
