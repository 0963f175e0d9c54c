// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import i18next from 'i18next';
import { initI18n } from '../../i18n/index.ts';
import { fakeApi, page } from '../testing/fakeApi.ts';
import { customer, iso, now } from '../testing/fixtures.ts';
import { DashboardsPage } from './DashboardsPage.tsx';

beforeEach(async () => {
  await initI18n('en');
  await i18next.changeLanguage('en');
  // Recharts measures its container; jsdom has no layout, so the tables carry the numbers here.
  vi.stubGlobal('ResizeObserver', class { observe() {} unobserve() {} disconnect() {} });
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const customers = [
  customer({ id: 'a', createdAt: iso(-5000) }),
  customer({ id: 'b', createdAt: iso(-5000), computed: { stage: 'active', rfm: { recency: 5, frequency: 5, monetary: 5, cell: 'champions' }, totalSpend: 500, orderCount: 5, churnRisk: 0.1, valueTier: 'mid', segments: [] } }),
];

function dashboardsApi() {
  return fakeApi({
    'GET /v1/customers': () => page(customers),
    'GET /v1/events': () => page([]),
    'GET /v1/journeys': () => page([]),
  });
}

describe('the dashboards', () => {
  test('charts come first; each has its numbers behind a toggle', async () => {
    const api = dashboardsApi();
    render(<DashboardsPage now={() => now} />);
    const stages = await screen.findByTestId('chart-stages');
    for (const id of ['chart-stage-trend', 'chart-rfm', 'chart-churn', 'chart-funnel']) expect(screen.getByTestId(id)).toBeTruthy();
    expect(stages.querySelector('table')).toBeNull();
    fireEvent.click(within(stages).getByRole('button', { name: 'Show the numbers' }));
    const rows = [...stages.querySelectorAll('tbody tr')].map((r) => r.textContent);
    expect(rows).toContain('Dormant150%');
    expect(rows).toContain('Active150%');
    const rfm = screen.getByTestId('chart-rfm');
    fireEvent.click(within(rfm).getByRole('button', { name: 'Show the numbers' }));
    expect([...rfm.querySelectorAll('tbody tr')].map((r) => r.textContent)).toContain('Can’t lose them1$1,830.00');
    expect(api.callsTo('GET', '/v1/events')[0]?.url.searchParams.get('type')).toBe('stage_changed');
    expect(screen.getByText('No published journey yet.')).toBeTruthy();
  });

  test('in Simplified Chinese', async () => {
    await i18next.changeLanguage('zh-CN');
    dashboardsApi();
    render(<DashboardsPage now={() => now} />);
    expect(await screen.findByRole('heading', { name: 'RFM 分群图' })).toBeTruthy();
    expect(screen.getByRole('heading', { name: '生命周期阶段' })).toBeTruthy();
    expect(screen.getByText('基于 2 位客户的当前档案。')).toBeTruthy();
  });
});
