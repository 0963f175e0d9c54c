import { useTranslation } from 'react-i18next';
import { Area, AreaChart, Bar, BarChart, CartesianGrid, Cell, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useConsoleFormat } from '../shared/format.ts';
import { ChartCard, NumbersTable } from './ChartCard.tsx';
import { stageColors } from './colors.ts';
import { stages } from './data.ts';
import type { StageCounts } from './data.ts';

/** How many customers are in each lifecycle stage now. */
export function StageDistribution({ counts }: { counts: StageCounts }) {
  const { t } = useTranslation();
  const f = useConsoleFormat();
  const total = stages.reduce((sum, s) => sum + counts[s], 0);
  const data = stages.map((s) => ({ stage: s, name: t(`options.${s}`), customers: counts[s] }));
  return (
    <ChartCard
      title={t('dashboards.stages.title')}
      subtitle={t('dashboards.stages.subtitle', { total: f.number(total) })}
      testId="chart-stages"
      chart={
        <ResponsiveContainer width="100%" height={260}>
          <BarChart data={data} margin={{ top: 16, right: 8, left: 0, bottom: 0 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="name" interval={0} tick={{ fontSize: 12 }} />
            <YAxis allowDecimals={false} tickFormatter={(v: number) => f.number(v)} width={48} />
            <Tooltip formatter={(v) => [f.number(Number(v)), t('dashboards.customers')]} />
            <Bar dataKey="customers" name={t('dashboards.customers')} isAnimationActive={false} label={{ position: 'top', fontSize: 11, formatter: (v: unknown) => f.number(Number(v)) }}>
              {data.map((d) => (
                <Cell key={d.stage} fill={stageColors[d.stage]} />
              ))}
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      }
      table={<NumbersTable head={[t('dashboards.stage'), t('dashboards.customers'), t('dashboards.share')]} rows={data.map((d) => [d.name, f.number(d.customers), total === 0 ? '—' : f.percent(d.customers / total)])} />}
    />
  );
}

/** The stage distribution at the end of each day, stacked. */
export function StageTrend({ history, days }: { history: Array<{ day: string } & StageCounts>; days: number }) {
  const { t } = useTranslation();
  const f = useConsoleFormat();
  const data = history.map((h) => ({ ...h, label: f.date(`${h.day}T12:00:00Z`) }));
  return (
    <ChartCard
      title={t('dashboards.trend.title')}
      subtitle={t('dashboards.trend.subtitle', { days })}
      testId="chart-stage-trend"
      chart={
        <ResponsiveContainer width="100%" height={260}>
          <AreaChart data={data} margin={{ top: 16, right: 8, left: 0, bottom: 0 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" tick={{ fontSize: 11 }} minTickGap={24} />
            <YAxis allowDecimals={false} tickFormatter={(v: number) => f.number(v)} width={48} />
            <Tooltip formatter={(v, name) => [f.number(Number(v)), name]} />
            <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={null} />
            {stages.map((s) => (
              <Area key={s} type="monotone" dataKey={s} name={t(`options.${s}`)} stackId="stages" stroke={stageColors[s]} fill={stageColors[s]} fillOpacity={0.75} isAnimationActive={false} />
            ))}
          </AreaChart>
        </ResponsiveContainer>
      }
      table={<NumbersTable head={[t('dashboards.day'), ...stages.map((s) => t(`options.${s}`))]} rows={[...data].reverse().map((d) => [d.label, ...stages.map((s) => f.number(d[s]))])} />}
    />
  );
}
