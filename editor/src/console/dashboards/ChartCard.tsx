import { useState } from 'react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/** A chart with its title, and the same numbers as a table behind a toggle ("charts first"). */
export function ChartCard({ title, subtitle, chart, table, wide = false, testId }: { title: string; subtitle?: string; chart: ReactNode; table: ReactNode; wide?: boolean; testId?: string }) {
  const { t } = useTranslation();
  const [showTable, setShowTable] = useState(false);
  return (
    <section className={`card chart-card${wide ? ' wide' : ''}`} aria-label={title} data-testid={testId}>
      <header className="chart-head">
        <div>
          <h2>{title}</h2>
          {subtitle && <p className="muted small">{subtitle}</p>}
        </div>
        <button type="button" className="btn btn-small btn-ghost" aria-expanded={showTable} onClick={() => setShowTable((s) => !s)}>
          {showTable ? t('console.hideTable') : t('console.showTable')}
        </button>
      </header>
      <div className="chart-body">{chart}</div>
      {showTable && <div className="chart-table">{table}</div>}
    </section>
  );
}

/** A plain table of rows for a chart's numbers. */
export function NumbersTable({ head, rows }: { head: string[]; rows: Array<Array<string | number>> }) {
  return (
    <table className="table compact">
      <thead>
        <tr>
          {head.map((h) => (
            <th key={h} scope="col">
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, i) => (
          <tr key={i}>
            {row.map((cell, j) => (j === 0 ? <th key={j} scope="row">{cell}</th> : <td key={j}>{cell}</td>))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
