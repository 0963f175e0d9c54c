// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import i18next from 'i18next';
import { initI18n } from '../../i18n/index.ts';
import { fakeApi, page } from '../testing/fakeApi.ts';
import { iso } from '../testing/fixtures.ts';
import { CampaignsPage } from './CampaignsPage.tsx';

beforeAll(() => {
  // Recharts measures its container; jsdom has no layout, so the charts stay empty here.
  vi.stubGlobal('ResizeObserver', class { observe() {} unobserve() {} disconnect() {} });
});
beforeEach(async () => {
  await initI18n('en');
  await i18next.changeLanguage('en');
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.stubGlobal('ResizeObserver', class { observe() {} unobserve() {} disconnect() {} });
});

const campaign = (overrides: Record<string, unknown>) => ({
  id: 'cmp_1',
  name: 'Win back November',
  journeyId: 'win-back',
  version: 1,
  audience: { segments: ['dormant-90d'] },
  audienceCount: 400,
  ratePerSecond: 5,
  status: 'running',
  createdBy: 'ops',
  createdAt: iso(-2),
  updatedAt: iso(-2),
  ...overrides,
});
const node = (id: string, kind: string, config: Record<string, unknown>) => ({ id, kind, position: { x: 0, y: 0 }, config });
const definition = {
  schemaVersion: 1,
  id: 'win-back',
  name: 'Win-back',
  settings: { defaultLocale: 'en', timezone: 'UTC', goal: { eventType: 'order_completed', filter: [], windowDays: 30 } },
  entryNodeId: 'start',
  nodes: { start: node('start', 'audience', { segment: 'dormant-90d', sendRatePerMinute: 60 }) },
  wiring: {},
  trackedEvents: [],
};

function campaignsApi(extra: { starting?: number } = {}) {
  let status = 'running';
  const progress = { audience: 400, started: 200, skipped: 90, failed: 10, ...extra, done: false };
  return fakeApi({
    'GET /v1/campaigns': () => page([campaign({ id: 'cmp_old', name: 'October', status: 'completed' }), campaign({})]),
    'GET /v1/campaigns/cmp_1': () => campaign({ status, progress }),
    'GET /v1/campaigns/cmp_old': () => campaign({ id: 'cmp_old', name: 'October', status: 'completed', progress: { ...progress, done: true } }),
    'POST /v1/campaigns/cmp_1/pause': () => campaign({ status: (status = 'paused'), progress }),
    'POST /v1/campaigns/cmp_1/resume': () => campaign({ status: (status = 'running'), progress }),
    'GET /v1/journeys': () => page([{ id: 'win-back', name: 'Win-back', status: 'published', latestVersion: 1, createdAt: iso(-900), updatedAt: iso(-900) }]),
    'GET /v1/journeys/win-back/versions/1': () => ({ journeyId: 'win-back', version: 1, note: '', definition, graph: { schemaVersion: 1, id: 'win-back', name: 'Win-back', nodes: [], edges: [], settings: { defaultLocale: 'en', timezone: 'UTC' } }, publishedAt: iso(-900), publishedBy: 'x' }),
    'GET /v1/journeys/win-back/stats': () => ({ nodes: [{ nodeId: 'start', entered: 300, waiting: 0, exited: 300, converted: 45 }] }),
    'GET /v1/messages': () => page([{ id: 'm', key: 'k', channel: 'email', customerId: 'c', to: 'c@example.com', status: 'delivered', createdAt: iso(-1), updatedAt: iso(-1), history: [] }]),
    'GET /v1/coupons': () => page([{ code: 'COMEBACK-1', customerId: 'c', offer: { type: 'percent', percent: 20 }, status: 'redeemed', issuedAt: iso(-1) }]),
  });
}

describe('the campaigns view', () => {
  test('lists campaigns newest first with a progress bar split into started, skipped and failed', async () => {
    campaignsApi();
    render(<CampaignsPage />);
    const cards = await screen.findAllByTestId('campaign-card');
    expect(cards.map((c) => c.querySelector('h2')?.textContent)).toEqual(['Win back November', 'October']);
    const bar = screen.getAllByTestId('campaign-progress')[0]!;
    await waitFor(() => expect(bar.getAttribute('aria-valuenow')).toBe('75'));
    expect(cards[0]?.textContent).toContain('200 started');
    expect(cards[0]?.textContent).toContain('90 skipped');
    expect(cards[0]?.textContent).toContain('10 failed');
    expect(cards[0]?.textContent).not.toContain('starting');
  });

  test('shows the customers a launch has sent to whose runs are still starting', async () => {
    campaignsApi({ starting: 40 });
    render(<CampaignsPage />);
    const cards = await screen.findAllByTestId('campaign-card');
    await waitFor(() => expect(cards[0]?.textContent).toContain('40 sent, starting'));
    expect(cards[0]?.textContent).toContain('200 started');
  });

  test('pauses and resumes a running campaign', async () => {
    const api = campaignsApi();
    render(<CampaignsPage />);
    await screen.findAllByTestId('campaign-card');
    fireEvent.click(await screen.findByRole('button', { name: 'Pause' }));
    await screen.findByRole('button', { name: 'Resume' });
    expect(api.callsTo('POST', '/v1/campaigns/cmp_1/pause')).toHaveLength(1);
    fireEvent.click(screen.getByRole('button', { name: 'Resume' }));
    await screen.findByRole('button', { name: 'Pause' });
    expect(screen.getAllByRole('button', { name: 'Cancel campaign' })).toHaveLength(1);
  });

  test('shows the newest campaign’s outcome: conversions, win-back rate, coupons redeemed', async () => {
    campaignsApi();
    render(<CampaignsPage />);
    const outcome = await screen.findByTestId('campaign-outcome');
    expect(outcome.textContent).toContain('Conversions45 15%');
    expect(outcome.textContent).toContain('Win-back rate15%');
    expect(outcome.textContent).toContain('1 of 1');
    expect(outcome.textContent).toContain('no holdout group');
    fireEvent.click(screen.getAllByRole('button', { name: 'Show the numbers' })[0]!);
    expect(outcome.querySelector('tbody tr')?.textContent).toBe('Email110');
  });
});
