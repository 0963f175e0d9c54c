import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { ResponsiveContainer, Tooltip, Treemap } from 'recharts';
import type { TreemapNode } from 'recharts/types/chart/Treemap';
import { useConsoleFormat } from '../shared/format.ts';
import { ChartCard, NumbersTable } from './ChartCard.tsx';
import { revenueColor } from './colors.ts';
import type { RfmCellStats } from './data.ts';

/** Roughly how wide `text` is drawn at `size` px: CJK characters are square, others narrower. */
function textWidth(text: string, size: number): number {
  let width = 0;
  for (const ch of text) width += (ch.codePointAt(0) ?? 0) >= 0x2e80 ? size : size * 0.62;
  return width;
}

/** RFM cells as a treemap: area by customers, colour by revenue. */
export function RfmTreemap({ cells }: { cells: RfmCellStats[] }) {
  const { t } = useTranslation();
  const f = useConsoleFormat();
  const maxRevenue = Math.max(1, ...cells.map((c) => c.revenue));
  const data = cells.filter((c) => c.customers > 0).map((c) => ({ name: t(`options.${c.cell}`), size: c.customers, revenue: c.revenue, cell: c.cell }));
  const box = (node: TreemapNode): ReactElement => {
    const revenue = typeof node['revenue'] === 'number' ? node['revenue'] : 0;
    const share = revenue / maxRevenue;
    const big = node.width > 70 && node.height > 36;
    const clip = `rfm-clip-${node.index}`;
    // The numbers on one line where they fit, else customers and revenue on two lines, else
    // as much as fits (the tooltip and the table have the rest).
    const room = node.width - 16;
    const customers = f.number(node.value);
    const oneLine = t('dashboards.rfm.box', { customers, revenue: f.money(revenue) });
    const count = t('dashboards.rfm.boxCustomers', { customers });
    const lines = textWidth(oneLine, 11) <= room ? [oneLine] : [count, ...(node.height > 52 && textWidth(f.money(revenue), 11) <= room ? [f.money(revenue)] : [])];
    return (
      <g clipPath={`url(#${clip})`}>
        <clipPath id={clip}>
          <rect x={node.x} y={node.y} width={Math.max(0, node.width - 4)} height={node.height} />
        </clipPath>
        <rect x={node.x} y={node.y} width={node.width} height={node.height} fill={revenueColor(share)} stroke="#fff" strokeWidth={2} rx={4} />
        {big && (
          <text x={node.x + 8} y={node.y + 18} fill={share > 0.45 ? '#fff' : '#1e1b4b'} fontSize={13} fontWeight={600}>
            {node.name}
          </text>
        )}
        {big &&
          lines.map((line, i) => (
            <text key={i} x={node.x + 8} y={node.y + 34 + i * 14} fill={share > 0.45 ? '#e0e7ff' : '#3730a3'} fontSize={11}>
              {line}
            </text>
          ))}
      </g>
    );
  };
  return (
    <ChartCard
      title={t('dashboards.rfm.title')}
      subtitle={t('dashboards.rfm.subtitle')}
      testId="chart-rfm"
      chart={
        data.length === 0 ? (
          <p className="muted">{t('console.noData')}</p>
        ) : (
          <>
            <ResponsiveContainer width="100%" height={260}>
              <Treemap data={data} dataKey="size" nameKey="name" content={box} isAnimationActive={false}>
                <Tooltip formatter={(v) => [f.number(Number(v)), t('dashboards.customers')]} />
              </Treemap>
            </ResponsiveContainer>
            <div className="gradient-legend small" aria-hidden="true">
              <span>{t('dashboards.rfm.lessRevenue')}</span>
              <span className="gradient-bar" style={{ background: `linear-gradient(90deg, ${revenueColor(0)}, ${revenueColor(1)})` }} />
              <span>{t('dashboards.rfm.moreRevenue')}</span>
            </div>
          </>
        )
      }
      table={
        <NumbersTable
          head={[t('dashboards.rfm.cell'), t('dashboards.customers'), t('dashboards.revenue')]}
          rows={cells.map((c) => [t(`options.${c.cell}`), f.number(c.customers), f.money(c.revenue)])}
        />
      }
    />
  );
}
