import { useTranslation } from 'react-i18next';
import { customersApi } from '../../client/customers.ts';
import { eventsApi } from '../../client/events.ts';
import { journeysApi } from '../../client/journeys.ts';
import { useConsoleFormat } from '../shared/format.ts';
import { useLoad } from '../shared/useLoad.ts';
import { ChurnChart } from './ChurnChart.tsx';
import { churnHistogram, rfmGrid, stageDistribution, stageHistory } from './data.ts';
import { FunnelCard } from './FunnelCard.tsx';
import { RfmTreemap } from './RfmTreemap.tsx';
import { StageDistribution, StageTrend } from './StageCharts.tsx';
import '../console.css';

const trendDays = 30;

/**
 * Everything the dashboards draw, computed in the browser from the customer profiles and the
 * `stage_changed` events of the last 30 days (the API has no aggregate lifecycle endpoints yet;
 * when it has, only this loader changes).
 */
async function loadDashboards(now: number) {
  const since = new Date(now - trendDays * 86_400_000).toISOString();
  const [customers, stageEvents, journeys] = await Promise.all([customersApi.all(), eventsApi.ofTypeSince('stage_changed', since), journeysApi.list()]);
  return {
    customers: customers.length,
    stages: stageDistribution(customers),
    history: stageHistory(customers, stageEvents, trendDays, now),
    rfm: rfmGrid(customers),
    churn: churnHistogram(customers),
    journeys,
  };
}

/** Lifecycle at a glance: stages and their trend, the RFM grid, churn risk and journey funnels. */
export function DashboardsPage({ now = Date.now }: { now?: () => number }) {
  const { t } = useTranslation();
  const f = useConsoleFormat();
  const loaded = useLoad(() => loadDashboards(now()), 'dashboards');
  const d = loaded.data;
  return (
    <section className="page page-wide console-page">
      <div className="page-head">
        <div>
          <h1>{t('dashboards.title')}</h1>
          {d && <p className="muted small">{t('dashboards.basis', { customers: f.number(d.customers) })}</p>}
        </div>
        <button type="button" className="btn" onClick={loaded.reload}>
          {t('tasks.refresh')}
        </button>
      </div>
      {loaded.error && <p className="error-text" role="alert">{loaded.error}</p>}
      {!d && !loaded.error && <p className="muted">{t('common.loading')}</p>}
      {d && (
        <div className="chart-grid">
          <StageDistribution counts={d.stages} />
          <StageTrend history={d.history} />
          <RfmTreemap cells={d.rfm} />
          <ChurnChart bins={d.churn} />
          <FunnelCard journeys={d.journeys} />
        </div>
      )}
    </section>
  );
}
