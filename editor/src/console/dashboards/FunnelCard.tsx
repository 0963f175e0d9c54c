import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Bar, BarChart, CartesianGrid, Cell, LabelList, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { journeysApi } from '../../client/journeys.ts';
import type { JourneySummary } from '../../client/journeys.ts';
import { specOf } from '../../graph/registry.ts';
import { useConsoleFormat } from '../shared/format.ts';
import { useLoad } from '../shared/useLoad.ts';
import { ChartCard, NumbersTable } from './ChartCard.tsx';
import { journeyFunnel } from './data.ts';

const categoryColor: Record<string, string> = { trigger: '#7c3aed', flow: '#0284c7', action: '#059669' };

async function loadFunnel(journey: JourneySummary) {
  const [version, stats] = await Promise.all([journeysApi.version(journey.id, journey.latestVersion), journeysApi.stats(journey.id)]);
  return journeyFunnel(version.definition, stats);
}

/** A journey's funnel: customers reaching each step, then converting; pick the journey. */
export function FunnelCard({ journeys }: { journeys: JourneySummary[] }) {
  const { t } = useTranslation();
  const f = useConsoleFormat();
  const published = journeys.filter((j) => j.latestVersion > 0);
  const [chosen, setChosen] = useState(published.find((j) => j.id === 'win-back')?.id ?? published[0]?.id ?? '');
  const journey = published.find((j) => j.id === chosen);
  const funnel = useLoad(() => (journey ? loadFunnel(journey) : Promise.resolve(null)), `${chosen}`);
  const top = funnel.data?.steps[0]?.entered ?? 0;
  const data = funnel.data
    ? [
        ...funnel.data.steps.map((s) => ({ name: s.label, customers: s.entered, color: categoryColor[specOf(s.kind)?.category ?? 'flow'] ?? '#0284c7' })),
        { name: t('dashboards.funnel.converted'), customers: funnel.data.converted, color: '#16a34a' },
      ]
    : [];
  const share = (n: number) => (top === 0 ? '—' : f.percent(n / top));
  return (
    <ChartCard
      wide
      title={t('dashboards.funnel.title')}
      subtitle={t('dashboards.funnel.subtitle')}
      testId="chart-funnel"
      chart={
        <>
          <label className="field inline-field">
            <span>{t('dashboards.funnel.journey')}</span>
            <select value={chosen} onChange={(e) => setChosen(e.target.value)}>
              {published.map((j) => (
                <option key={j.id} value={j.id}>
                  {j.name}
                </option>
              ))}
            </select>
          </label>
          {published.length === 0 && <p className="muted">{t('dashboards.funnel.none')}</p>}
          {funnel.error && <p className="error-text">{funnel.error}</p>}
          {data.length > 0 && (
            <ResponsiveContainer width="100%" height={Math.max(180, data.length * 34 + 30)}>
              <BarChart data={data} layout="vertical" margin={{ top: 4, right: 72, left: 8, bottom: 4 }}>
                <CartesianGrid strokeDasharray="3 3" horizontal={false} />
                <XAxis type="number" allowDecimals={false} tickFormatter={(v: number) => f.number(v)} />
                <YAxis type="category" dataKey="name" width={200} tick={{ fontSize: 12 }} interval={0} />
                <Tooltip formatter={(v) => [f.number(Number(v)), t('dashboards.customers')]} />
                <Bar dataKey="customers" isAnimationActive={false} radius={[0, 4, 4, 0]}>
                  {data.map((d, i) => (
                    <Cell key={i} fill={d.color} />
                  ))}
                  <LabelList dataKey="customers" position="right" fontSize={11} formatter={(v: unknown) => `${f.number(Number(v))} · ${share(Number(v))}`} />
                </Bar>
              </BarChart>
            </ResponsiveContainer>
          )}
        </>
      }
      table={<NumbersTable head={[t('dashboards.funnel.step'), t('dashboards.customers'), t('dashboards.funnel.ofEntered')]} rows={data.map((d) => [d.name, f.number(d.customers), share(d.customers)])} />}
    />
  );
}
