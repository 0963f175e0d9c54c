import { useTranslation } from 'react-i18next';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useConsoleFormat } from '../shared/format.ts';
import { ChartCard, NumbersTable } from './ChartCard.tsx';
import type { ChurnBin } from './data.ts';

const tiers = [
  { key: 'high', color: '#b91c1c' },
  { key: 'mid', color: '#f97316' },
  { key: 'low', color: '#fcd34d' },
  { key: 'unknown', color: '#cbd5e1' },
] as const;

/** Customers by churn risk, stacked by value tier: the red tail of high-value customers matters most. */
export function ChurnChart({ bins }: { bins: ChurnBin[] }) {
  const { t } = useTranslation();
  const f = useConsoleFormat();
  const data = bins.map((b) => ({ ...b, label: `${f.number(b.from * 100)}–${f.number(b.to * 100)}%` }));
  return (
    <ChartCard
      title={t('dashboards.churn.title')}
      subtitle={t('dashboards.churn.subtitle')}
      testId="chart-churn"
      chart={
        <ResponsiveContainer width="100%" height={260}>
          <BarChart data={data} margin={{ top: 16, right: 8, left: 0, bottom: 0 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" tick={{ fontSize: 11 }} interval={0} />
            <YAxis allowDecimals={false} tickFormatter={(v: number) => f.number(v)} width={48} />
            <Tooltip formatter={(v, name) => [f.number(Number(v)), name]} />
            <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={null} />
            {tiers.map((tier) => (
              <Bar key={tier.key} dataKey={tier.key} stackId="tier" name={t(`dashboards.churn.tier.${tier.key}`)} fill={tier.color} isAnimationActive={false} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      }
      table={
        <NumbersTable
          head={[t('dashboards.churn.risk'), ...tiers.map((tier) => t(`dashboards.churn.tier.${tier.key}`))]}
          rows={data.map((d) => [d.label, ...tiers.map((tier) => f.number(d[tier.key]))])}
        />
      }
    />
  );
}
