import { useTranslation } from 'react-i18next';
import { journeysApi } from '../../client/journeys.ts';
import { lifecycleApi } from '../../client/lifecycle.ts';
import { useConsoleFormat } from '../shared/format.ts';
import { useLoad } from '../shared/useLoad.ts';
import { ChurnChart } from './ChurnChart.tsx';
import { rfmGrid, stageCounts, stageHistory } from './data.ts';
import { FunnelCard } from './FunnelCard.tsx';
import { RfmTreemap } from './RfmTreemap.tsx';
import { StageDistribution, StageTrend } from './StageCharts.tsx';
import '../console.css';

const trendDays = 30;

/**
 * Everything the dashboards draw, from the lifecycle counters (one rollup document: stages, RFM
 * cells with their revenue, churn-risk bands), the daily stage snapshots of the last 30 days and
 * the journeys' step counts: nothing reads every customer.
 */
async function loadDashboards() {
  const [overview, trend, journeys] = await Promise.all([lifecycleApi.overview(), lifecycleApi.trend(trendDays), journeysApi.list()]);
  return {
    customers: overview.customers,
    stages: stageCounts(overview.stages),
    history: stageHistory(trend),
    rfm: rfmGrid(overview),
    churn: overview.churnRisk,
    journeys,
  };
}

/** Lifecycle at a glance: stages and their trend, the RFM grid, churn risk and journey funnels. */
export function DashboardsPage() {
  const { t } = useTranslation();
  const f = useConsoleFormat();
  const loaded = useLoad(() => loadDashboards(), 'dashboards');
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
          <StageTrend history={d.history} days={trendDays} />
          <RfmTreemap cells={d.rfm} />
          <ChurnChart bins={d.churn} />
          <FunnelCard journeys={d.journeys} />
        </div>
      )}
    </section>
  );
}
