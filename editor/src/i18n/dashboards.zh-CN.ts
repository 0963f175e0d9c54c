import type { dashboardsEn } from './dashboards.en.ts';
import type { Strings } from './strings.ts';

/** 仪表盘的简体中文文案。 */
export const dashboardsZhCN: Strings<typeof dashboardsEn> = {
  title: '仪表盘',
  basis: '基于 {{customers}} 位客户的当前档案。',
  customers: '客户数',
  share: '占比',
  stage: '阶段',
  day: '日期',
  revenue: '消费额',
  stages: { title: '生命周期阶段', subtitle: '今天各阶段共 {{total}} 位客户' },
  trend: { title: '阶段变化趋势', subtitle: '最近 {{days}} 天中每日生命周期运行统计的各阶段客户数，以及当前数量' },
  rfm: {
    title: 'RFM 分群图',
    subtitle: '面积：分群客户数 · 颜色：分群消费额',
    box: '{{customers}} 人 · {{revenue}}',
    boxCustomers: '{{customers}} 人',
    cell: 'RFM 分群',
    lessRevenue: '消费额低',
    moreRevenue: '消费额高',
  },
  churn: {
    title: '流失风险',
    subtitle: '按流失风险与价值层级划分的客户数',
    risk: '流失风险',
    tier: { high: '高价值', mid: '中价值', low: '低价值', unknown: '尚未分层' },
  },
  funnel: {
    title: '旅程漏斗',
    subtitle: '到达每一步以及完成转化的客户数',
    journey: '旅程',
    none: '还没有已发布的旅程。',
    converted: '已转化',
    step: '步骤',
    ofEntered: '占进入人数',
  },
};
