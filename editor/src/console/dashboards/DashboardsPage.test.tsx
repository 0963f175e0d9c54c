// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import i18next from 'i18next';
import { initI18n } from '../../i18n/index.ts';
import { fakeApi, page } from '../testing/fakeApi.ts';
import { iso } from '../testing/fixtures.ts';
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

const bands = Array.from({ length: 10 }, (_, i) => ({ from: i / 10, to: (i + 1) / 10, high: 0, mid: i === 1 ? 1 : 0, low: 0, unknown: 0 }));

function dashboardsApi() {
  return fakeApi({
    'GET /v1/lifecycle': () => ({
      customers: 2,
      stages: { dormant: 1, active: 1 },
      rfmCells: { cantLose: 1, champions: 1 },
      valueTiers: { mid: 1 },
      rfmRevenue: { cantLose: 1830, champions: 500 },
      churnRisk: bands,
      nps: { respondents: 0, promoters: 0, passives: 0, detractors: 0, nps: null },
      csat: { respondents: 0, satisfied: 0, csat: null },
      base: null,
    }),
    'GET /v1/lifecycle/trend': () => ({ days: [{ day: '2026-11-20', at: iso(0), customers: 2, stages: { dormant: 1, active: 1 } }] }),
    'GET /v1/journeys': () => page([]),
  });
}

describe('the dashboards', () => {
  test('charts come first; each has its numbers behind a toggle', async () => {
    const api = dashboardsApi();
    render(<DashboardsPage />);
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
    // From the lifecycle counters and the daily snapshots: no customer list is read.
    expect(api.callsTo('GET', '/v1/lifecycle/trend')[0]?.url.searchParams.get('days')).toBe('30');
    expect(api.callsTo('GET', '/v1/customers')).toHaveLength(0);
    expect(screen.getByText('No published journey yet.')).toBeTruthy();
  });

  test('in Simplified Chinese', async () => {
    await i18next.changeLanguage('zh-CN');
    dashboardsApi();
    render(<DashboardsPage />);
    expect(await screen.findByRole('heading', { name: 'RFM 分群图' })).toBeTruthy();
    expect(screen.getByRole('heading', { name: '生命周期阶段' })).toBeTruthy();
    expect(screen.getByText('基于 2 位客户的当前档案。')).toBeTruthy();
  });
});
